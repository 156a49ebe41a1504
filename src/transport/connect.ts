// Opening an RPC client from a string binding: the transport's byte stream, then bind.
import type { Duplex } from 'node:stream';
import { RpcClient, type RpcClientOptions } from '../rpc/client.js';
import type { SyntaxId } from '../rpc/pdu/types.js';
import { UsageError } from '../util/errors.js';
import { parseBinding, type StringBinding } from './binding.js';
import { connectTcp } from './tcp.js';

export interface ConnectOptions extends RpcClientOptions {
  /** Finds the TCP port when the binding names none (the endpoint mapper client does this). */
  resolveEndpoint?: (binding: StringBinding, syntax: SyntaxId) => Promise<string>;
  /** Opens a named pipe (the SMB2 client does this): returns a message-mode Duplex. */
  openPipe?: (binding: StringBinding & { endpoint: string }) => Promise<Duplex>;
  signal?: AbortSignal;
}

export async function connectRpc(binding: string | StringBinding, syntax: SyntaxId, opts: ConnectOptions = {}): Promise<RpcClient> {
  const b = typeof binding === 'string' ? parseBinding(binding) : binding;
  let stream: Duplex;
  if (b.protseq === 'ncacn_ip_tcp') {
    let endpoint = b.endpoint;
    if (endpoint === undefined) {
      if (!opts.resolveEndpoint) throw new UsageError(`binding ${b.host} names no port and no endpoint resolver was given`);
      endpoint = await opts.resolveEndpoint(b, syntax);
    }
    stream = await connectTcp(b.host, Number(endpoint), { ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } else {
    if (b.endpoint === undefined) throw new UsageError('ncacn_np binding needs a pipe name, e.g. ncacn_np:HOST[\\pipe\\winreg]');
    if (!opts.openPipe) throw new UsageError('ncacn_np needs an SMB2 pipe opener (openPipe)');
    stream = await opts.openPipe({ ...b, endpoint: b.endpoint });
  }
  return RpcClient.bind(stream, syntax, opts);
}
