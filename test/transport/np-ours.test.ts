// RPC over our own SMB2 server's named pipes (127.0.0.31:445): our client, impacket's DCERPC_v5 over
// SMB (\pipe\hwecho and \pipe\epmapper) at each auth level, and Samba's rpcclient epmlookup over
// ncacn_np (NTLMv2 SMB session, signing).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointMapperInterface } from '../../src/interfaces/epm/server.js';
import { ntlmAuth } from '../../src/rpc/auth.js';
import { RpcServer } from '../../src/rpc/server.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { connectRpc } from '../../src/transport/connect.js';
import { serveNamedPipes, smbPipeOpener } from '../../src/transport/np.js';
import { ensurePackages } from '../harness/peers.js';
import { ECHO_UUID, echoInterface, ntlmServerFactory, TEST_USER } from '../rpc/helpers.js';

const run = promisify(execFile);
const ADDR = '127.0.0.31';
const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
const CLIENT = new URL('../rpc/impacket-client.py', import.meta.url).pathname;
const log: string[] = [];
let smb: Smb2Server;
let rpc: RpcServer;
let epm: RpcServer;

beforeAll(async () => {
  ensurePackages(['python3-impacket', 'samba-common-bin']);
  smb = new Smb2Server({
    accounts: [{ user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password, sid: 'S-1-5-21-1-2-3-1001' }],
    domain: TEST_USER.domain,
  });
  rpc = new RpcServer({ security: ntlmServerFactory() });
  rpc.register(echoInterface(log));
  epm = new RpcServer({ security: ntlmServerFactory() });
  epm.register(endpointMapperInterface({ servers: [rpc], hostName: 'HIVEWIRE' }));
  serveNamedPipes(smb, rpc, ['hwecho'], ADDR);
  serveNamedPipes(smb, epm, ['epmapper'], ADDR);
  await smb.listen(445, ADDR);
});

afterAll(async () => {
  await smb?.close();
  rpc?.closeAll();
  epm?.closeAll();
});

const creds = { user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password };

describe('our client over our SMB2 named pipe', () => {
  it('takes the identity of the SMB session when the bind has no RPC auth', async () => {
    const c = await connectRpc(`ncacn_np:${ADDR}[\\pipe\\hwecho]`, ECHO, { openPipe: smbPipeOpener(creds) });
    expect(c.secAddr).toBe('\\PIPE\\hwecho');
    const id = JSON.parse((await c.call(6, Buffer.alloc(0))).toString());
    expect(id).toMatchObject({ user: 'rpcuser', source: 'transport', anonymous: false, sid: 'S-1-5-21-1-2-3-1001' });
    const big = Buffer.alloc(70_000, 0x5a);
    expect(await c.call(0, big)).toEqual(big);
    c.close();
  });

  for (const level of [2, 5, 6]) {
    it(`binds with NTLM at level ${level} over the pipe`, async () => {
      const c = await connectRpc(`ncacn_np:${ADDR}[\\pipe\\hwecho]`, ECHO, { openPipe: smbPipeOpener(creds), auth: ntlmAuth(creds, level) });
      expect(c.authLevel).toBe(level);
      const stub = Buffer.from('over smb2');
      expect(await c.call(1, stub)).toEqual(Buffer.from(stub).reverse());
      const id = JSON.parse((await c.call(6, Buffer.alloc(0))).toString());
      expect(id.source).toBe('rpc');
      c.close();
    });
  }

  it('runs context handles down when the pipe closes', async () => {
    const c = await connectRpc(`ncacn_np:${ADDR}[\\pipe\\hwecho]`, ECHO, { openPipe: smbPipeOpener(creds) });
    await c.call(2, Buffer.from('np-handle'));
    expect(rpc.stats().contextHandles).toBe(1);
    c.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(log).toContain('rundown np-handle');
    expect(rpc.stats().contextHandles).toBe(0);
  });
});

describe('impacket over our SMB2 named pipes', () => {
  for (const level of [1, 2, 5, 6]) {
    it(`ept_lookup over \\pipe\\epmapper and a fragmented echo over \\pipe\\hwecho at level ${level}`, async () => {
      const { stdout } = await run('/usr/bin/python3', [CLIENT, ADDR, 'epmapper', 'hwecho', ECHO_UUID, creds.user, creds.password, creds.domain, String(level), 'np'], {
        timeout: 60_000,
      });
      const out = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(out.lookup).toEqual([{ annotation: 'hivewire-test-echo', binding: 'ncacn_np:\\\\HIVEWIRE[\\PIPE\\hwecho]' }]);
      expect(out.small).toBe(true);
      expect(out.big).toBe(true);
    });
  }
});

describe("Samba's rpcclient over our SMB2 server", () => {
  for (const opt of ['', '[sign]', '[seal]']) {
    it(`epmlookup over ncacn_np:${ADDR}${opt}`, async () => {
      const { stdout, stderr } = await run('rpcclient', ['-U', `${creds.domain}/${creds.user}%${creds.password}`, `ncacn_np:${ADDR}${opt}`, '-c', 'epmlookup'], {
        timeout: 60_000,
      });
      expect(stdout + stderr).toContain(`abstract_syntax=${ECHO_UUID}/0x00000001]: hivewire-test-echo`);
    });
  }
});
