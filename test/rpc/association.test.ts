import { afterEach, describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/rpc/client.js';
import { RpcBindError, RpcFault, RpcSecurityError, RpcTimeoutError, RpcAbortedError } from '../../src/rpc/errors.js';
import { RpcServer } from '../../src/rpc/server.js';
import { STATUS } from '../../src/rpc/status.js';
import { duplexPair, ECHO_UUID, echoInterface, ntlmClient, ntlmServerFactory, TEST_USER } from './helpers.js';
import { spnegoAuth } from '../../src/rpc/auth.js';

const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
const servers: RpcServer[] = [];

function setup(log: string[] = [], opts: ConstructorParameters<typeof RpcServer>[0] = {}) {
  const server = new RpcServer({ security: ntlmServerFactory(), ...opts });
  server.register(echoInterface(log));
  servers.push(server);
  return server;
}

async function connect(server: RpcServer, level?: number, extra: Partial<Parameters<typeof RpcClient.bind>[2]> = {}) {
  const [a, b] = duplexPair();
  server.serve(b, { transport: 'other', clientAddress: 'mem', secAddr: '4242' });
  return RpcClient.bind(a, ECHO, { ...(level ? { auth: { context: ntlmClient(), level } } : {}), ...extra });
}

afterEach(() => {
  for (const s of servers.splice(0)) s.closeAll();
});

describe('RPC association over a byte stream', () => {
  for (const level of [0, 2, 5, 6]) {
    it(`binds and calls at auth level ${level}, with fragmentation both ways`, async () => {
      const server = setup();
      const c = await connect(server, level, { maxFrag: 1432 });
      expect(c.authLevel).toBe(level);
      expect(c.secAddr).toBe('4242');
      const small = Buffer.from('hello');
      expect(await c.call(0, small)).toEqual(small);
      const big = Buffer.alloc(100_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      expect(await c.call(1, big)).toEqual(Buffer.from(big).reverse());
      c.close();
    });
  }

  it('binds with SPNEGO (4 legs: bind, bind_ack, alter_context, alter_context_resp) at privacy', async () => {
    const server = setup();
    const [a, b] = duplexPair();
    server.serve(b);
    const c = await RpcClient.bind(a, ECHO, { auth: spnegoAuth({ user: TEST_USER.user, domain: TEST_USER.domain, password: TEST_USER.password }, 6) });
    expect(c.authLevel).toBe(6);
    expect(await c.call(1, Buffer.from('spnego'))).toEqual(Buffer.from('ogenps'));
    const id = JSON.parse((await c.call(6, Buffer.alloc(0))).toString());
    expect(id).toMatchObject({ user: 'rpcuser', source: 'rpc' });
    c.close();
  });

  it('strips a verification trailer before the handler sees the stub, and rejects an unknown must-process command', async () => {
    const server = setup();
    const c = await connect(server, 5);
    const sig = Buffer.from([0x8a, 0xe3, 0x13, 0x71, 0x02, 0xf4, 0x36, 0x71]);
    const bitmask = Buffer.from([0x01, 0x40, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]); // BITMASK_1 | END, length 4
    const params = Buffer.from('ABCDEFGH');
    expect(await c.call(0, Buffer.concat([params, sig, bitmask]))).toEqual(params);
    const unknown = Buffer.from([0x07, 0xc0, 0x00, 0x00]); // command 7 | END | MUST_PROCESS, length 0
    await expect(c.call(0, Buffer.concat([params, sig, unknown]))).rejects.toMatchObject({ status: STATUS.ERROR_ACCESS_DENIED });
    // not a trailer (not 4-byte aligned): passed through untouched
    const odd = Buffer.concat([Buffer.from('ABC'), sig, bitmask]);
    expect(await c.call(0, odd)).toEqual(odd);
    c.close();
  });

  it('keeps many calls in flight and demultiplexes answers that come back out of order', async () => {
    const server = setup();
    const c = await connect(server, 6);
    const delays = [60, 10, 40, 0, 20];
    const results = await Promise.all(
      delays.map((ms, i) => {
        const stub = Buffer.alloc(8);
        stub.writeUInt32LE(ms, 0);
        stub.writeUInt32LE(i, 4);
        return c.call(4, stub);
      }),
    );
    results.forEach((r, i) => expect(r.readUInt32LE(4)).toBe(i));
    c.close();
  });

  it('hands the authenticated identity to handlers', async () => {
    const server = setup();
    const c = await connect(server, 5);
    const id = JSON.parse((await c.call(6, Buffer.alloc(0))).toString());
    expect(id).toMatchObject({ user: 'rpcuser', domain: 'HIVE', sid: 'S-1-5-21-1-2-3-1001', groups: ['S-1-5-32-544'], source: 'rpc', anonymous: false });
    c.close();
  });

  it('maps faults to RpcFault with the status kept', async () => {
    const server = setup();
    const c = await connect(server);
    await expect(c.call(99, Buffer.alloc(0))).rejects.toMatchObject({ code: 'ERR_RPC_FAULT', status: STATUS.nca_s_op_rng_error, statusName: 'nca_s_op_rng_error' });
    await expect(c.call(5, Buffer.alloc(0))).rejects.toMatchObject({ status: STATUS.RPC_X_BAD_STUB_DATA });
    await expect(c.call(0, Buffer.alloc(0), { contextId: 7 })).rejects.toMatchObject({ status: STATUS.nca_s_unk_if });
    // context handles: closing an unknown handle faults context mismatch
    await expect(c.call(3, Buffer.alloc(20, 1))).rejects.toBeInstanceOf(RpcFault);
    // still usable afterwards
    expect(await c.call(0, Buffer.from('x'))).toEqual(Buffer.from('x'));
    c.close();
  });

  it('rejects an unknown interface and a wrong password', async () => {
    const server = setup();
    const [a, b] = duplexPair();
    server.serve(b);
    await expect(RpcClient.bind(a, { uuid: '11111111-2222-3333-4444-555555555555', version: 1, minor: 0 })).rejects.toBeInstanceOf(RpcBindError);
    const [c, d] = duplexPair();
    server.serve(d);
    const bad = RpcClient.bind(c, ECHO, { auth: { context: ntlmClient('wrong'), level: 6 } });
    // NTLM fails on rpc_auth_3, which has no answer: the first call is refused
    const client = await bad;
    await expect(client.call(0, Buffer.from('x'))).rejects.toMatchObject({ status: STATUS.ERROR_ACCESS_DENIED });
  });

  it('runs context handles down when the association ends', async () => {
    const log: string[] = [];
    const server = setup(log);
    const c = await connect(server, 2);
    const h1 = await c.call(2, Buffer.from('one'));
    const h2 = await c.call(2, Buffer.from('two'));
    expect(h1.length).toBe(20);
    await c.call(3, h1);
    expect(server.stats().contextHandles).toBe(1);
    c.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['rundown two']);
    expect(server.stats()).toEqual({ connections: 0, associationGroups: 0, contextHandles: 0 });
    void h2;
  });

  it('lets a second connection join the association group and share its context handles', async () => {
    const log: string[] = [];
    const server = setup(log);
    const c1 = await connect(server, 0);
    const c2 = await connect(server, 0, { assocGroupId: c1.assocGroupId });
    expect(c2.assocGroupId).toBe(c1.assocGroupId);
    const h = await c1.call(2, Buffer.from('shared'));
    c1.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual([]); // the group lives on in c2
    await c2.call(3, h); // closes the handle c1 opened
    expect(server.stats().contextHandles).toBe(0);
    c2.close();
    // an unknown group is refused
    await expect(connect(server, 0, { assocGroupId: 0x7777 })).rejects.toBeInstanceOf(RpcBindError);
  });

  it('supports timeouts and AbortSignal without breaking the association', async () => {
    const server = setup();
    const c = await connect(server, 5);
    const slow = Buffer.alloc(4);
    slow.writeUInt32LE(500, 0);
    await expect(c.call(4, slow, { timeoutMs: 20 })).rejects.toBeInstanceOf(RpcTimeoutError);
    const ac = new AbortController();
    const p = c.call(4, slow, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(RpcAbortedError);
    expect(await c.call(0, Buffer.from('still'))).toEqual(Buffer.from('still'));
    c.close();
  });

  it('adds a second presentation context with alter_context', async () => {
    const server = setup();
    const c = await connect(server, 6);
    const id = await c.addInterface(ECHO);
    expect(id).toBe(1);
    expect(await c.call(1, Buffer.from('ab'), { contextId: id })).toEqual(Buffer.from('ba'));
    c.close();
  });

  it('detects a tampered response and fails with RpcSecurityError', async () => {
    const server = setup();
    const [a, b] = duplexPair();
    server.serve(b);
    // flip one stub byte of every response PDU on its way to the client
    const origPush = a.push.bind(a);
    let tamper = false;
    a.push = (chunk: Buffer | null) => {
      if (chunk && tamper && chunk[2] === 2) {
        chunk = Buffer.from(chunk);
        chunk[26] ^= 0x40;
      }
      return origPush(chunk);
    };
    const c = await RpcClient.bind(a, ECHO, { auth: { context: ntlmClient(), level: 5 } });
    expect(await c.call(0, Buffer.from('fine'))).toEqual(Buffer.from('fine'));
    tamper = true;
    await expect(c.call(0, Buffer.from('tampered'))).rejects.toBeInstanceOf(RpcSecurityError);
  });
});
