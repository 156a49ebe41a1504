// Load (CI sample; bench/rpc.ts runs 200 clients x 1,000 calls): many concurrent clients over TCP and
// over SMB2 named pipes, each opening a context handle it never closes. No errors; after they
// disconnect, no connection, association group or context handle is left, and the heap has not grown
// without bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcServer } from '../../src/rpc/server.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { connectRpc } from '../../src/transport/connect.js';
import { serveNamedPipes, smbPipeOpener } from '../../src/transport/np.js';
import { listenTcp, type TcpListener } from '../../src/transport/tcp.js';
import { ECHO_UUID, echoInterface, TEST_USER } from './helpers.js';

const ADDR = '127.0.0.38';
const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
const rundowns: string[] = [];
let server: RpcServer;
let listener: TcpListener;
let smb: Smb2Server;

beforeAll(async () => {
  server = new RpcServer();
  server.register(echoInterface(rundowns));
  listener = await listenTcp(server, ADDR, 0);
  smb = new Smb2Server({ accounts: [{ user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password }], domain: TEST_USER.domain });
  serveNamedPipes(smb, server, ['hwecho'], ADDR);
  await smb.listen(445, ADDR);
});

afterAll(async () => {
  await smb?.close();
  await listener?.close();
  server?.closeAll();
});

async function runClients(n: number, calls: number, open: () => ReturnType<typeof connectRpc>): Promise<number> {
  let errors = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      try {
        const c = await open();
        await c.call(2, Buffer.from(`client ${k}`));
        const payload = Buffer.alloc(100, k & 0xff);
        // 8 calls in flight per client (the server allows 64 per connection)
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next++ < calls) if (!(await c.call(0, payload)).equals(payload)) errors++;
          }),
        );
        c.close();
      } catch {
        errors++;
      }
    }),
  );
  return errors;
}

async function settled(): Promise<void> {
  for (let i = 0; i < 50 && server.stats().connections > 0; i++) await new Promise((r) => setTimeout(r, 100));
}

describe('load', () => {
  it('100 TCP clients x 200 calls (8 in flight per client)', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    rundowns.length = 0;
    const errors = await runClients(100, 200, () => connectRpc(`ncacn_ip_tcp:${ADDR}[${listener.port}]`, ECHO));
    expect(errors).toBe(0);
    await settled();
    expect(server.stats()).toEqual({ connections: 0, associationGroups: 0, contextHandles: 0 });
    expect(rundowns).toHaveLength(100);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(128 * 1024 * 1024);
  });

  it('20 SMB2 named-pipe clients x 50 calls', async () => {
    rundowns.length = 0;
    const creds = { user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password };
    const errors = await runClients(20, 50, () => connectRpc(`ncacn_np:${ADDR}[\\pipe\\hwecho]`, ECHO, { openPipe: smbPipeOpener(creds) }));
    expect(errors).toBe(0);
    await settled();
    expect(server.stats()).toEqual({ connections: 0, associationGroups: 0, contextHandles: 0 });
    expect(rundowns).toHaveLength(20);
  });
});
