// ncacn_np (MS-RPCE §2.1.1.2): RPC over SMB2 named pipes — each pipe write carries PDUs, each pipe
// instance is one RPC connection. The server side serves registered pipe names with an RpcServer and
// hands it the SMB session's identity (for binds without RPC auth, MS-RPCE §3.3.1.5.2.1); the client
// side opens `\pipe\NAME` over an SMB2 session as a Duplex for RpcClient.
import type { Duplex } from 'node:stream';
import type { Endpoint, RpcServer } from '../rpc/server.js';
import { Smb2Client, type Smb2ClientOptions } from '../smb2/client.js';
import type { Smb2Server } from '../smb2/server.js';
import type { StringBinding } from './binding.js';
import { normalisePipe } from './binding.js';

/** Serves `pipes` (e.g. ['winreg', 'epmapper']) of `smb` with `rpc`; returns a function that stops. */
export function serveNamedPipes(smb: Smb2Server, rpc: RpcServer, pipes: string[], address = '0.0.0.0'): () => void {
  const endpoints: Endpoint[] = [];
  for (const name of pipes) {
    const pipeName = normalisePipe(name);
    const bare = pipeName.slice('\\pipe\\'.length);
    smb.registerPipe(bare, (pipe, info) => {
      rpc.serve(pipe, {
        transport: 'ncacn_np',
        clientAddress: info.clientAddress,
        secAddr: `\\PIPE\\${bare}`,
        identity: info.identity,
        sessionKey: info.sessionKey,
      });
    });
    const ep: Endpoint = { protocol: 'ncacn_np', endpoint: pipeName, address };
    rpc.addEndpoint(ep);
    endpoints.push(ep);
  }
  return () => {
    for (const name of pipes) smb.unregisterPipe(normalisePipe(name).slice('\\pipe\\'.length));
    for (const ep of endpoints) rpc.removeEndpoint(ep);
  };
}

export type SmbCredentials = Omit<Smb2ClientOptions, 'host' | 'port'> & {
  port?: number;
  /** RPC calls as FSCTL_PIPE_TRANSCEIVE (one SMB2 request per call, several in flight); default true. */
  transceive?: boolean;
};

/**
 * A pipe opener for connectRpc: one SMB2 session per pipe, logged off when the pipe closes (an
 * association owns its transport connection).
 */
export function smbPipeOpener(creds: SmbCredentials) {
  return async (b: StringBinding & { endpoint: string }): Promise<Duplex> => {
    const { transceive, ...smbOpts } = creds;
    const smb = await Smb2Client.connect({ ...smbOpts, host: b.host });
    try {
      const pipe = await smb.openPipe(b.endpoint, { transceive: transceive !== false });
      pipe.once('close', () => void smb.close());
      return pipe;
    } catch (err) {
      smb.destroy();
      throw err;
    }
  };
}
