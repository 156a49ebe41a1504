// Bad input: a CI-sized sample of the decoder fuzzing (bench/rpc-fuzz.ts runs the full count), and a
// live server fed malicious connections — it must answer or drop each one, never crash, and keep
// serving a well-behaved client.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/rpc/client.js';
import { PduParser } from '../../src/rpc/parser.js';
import { decodePdu, encodePdu } from '../../src/rpc/pdu/pdu.js';
import type { ContextElem, DecodedPdu } from '../../src/rpc/pdu/types.js';
import { RpcServer } from '../../src/rpc/server.js';
import { STATUS } from '../../src/rpc/status.js';
import { connectTcp, listenTcp, type TcpListener } from '../../src/transport/tcp.js';
import { fuzzDecoders, mutate, pduCorpus, rng } from './fuzz-lib.js';
import { ECHO_UUID, echoInterface, ntlmClient, ntlmServerFactory } from './helpers.js';

const ADDR = '127.0.0.35';
const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
const NDR = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2, minor: 0 };

describe('decoder fuzzing (CI sample)', () => {
  for (const seed of [11, 22, 33]) {
    it(`20,000 mutated PDUs, streams and EPM stubs (seed ${seed}) decode or fail with a typed error`, () => {
      const rep = fuzzDecoders(20_000, seed);
      expect(rep.cases).toBe(20_000);
      // both outcomes must occur, or the mutations are not reaching the decoders
      expect(rep.accepted).toBeGreaterThan(1000);
      expect(rep.rejected).toBeGreaterThan(1000);
    });
  }
});

let server: RpcServer;
let listener: TcpListener;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  server = new RpcServer({ security: ntlmServerFactory(), limits: { idleTimeoutMs: 1500, maxCallsInFlight: 8 } });
  server.register(echoInterface());
  listener = await listenTcp(server, ADDR, 0);
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await listener?.close();
  server?.closeAll();
});

/** Sends `chunks` on a raw connection; resolves with the PDUs received before the server closed or `ms` passed. */
function blast(chunks: Buffer[], ms = 400): Promise<{ pdus: DecodedPdu[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(listener.port, ADDR);
    const parser = new PduParser();
    const pdus: DecodedPdu[] = [];
    let closedByServer = false;
    sock.on('data', (d) => {
      try {
        parser.push(d, (f) => pdus.push(decodePdu(f)));
      } catch {
        // our server must only send valid PDUs: surfaced by the assertions on `pdus`
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      closedByServer = true;
    });
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
    });
    setTimeout(() => {
      sock.destroy();
      resolve({ pdus, closedByServer });
    }, ms);
  });
}

function bind(contexts: ContextElem[], extra: Partial<Parameters<typeof encodePdu>[0]> = {}): Buffer {
  return encodePdu({ type: 'bind', flags: 0, callId: 1, maxXmitFrag: 5840, maxRecvFrag: 5840, assocGroupId: 0, contexts, ...extra } as Parameters<typeof encodePdu>[0]);
}

const echoCtx = (id: number): ContextElem => ({ contextId: id, abstractSyntax: ECHO, transferSyntaxes: [NDR] });

function request(callId: number, stub: Buffer, flags = 3, allocHint = stub.length): Buffer {
  return encodePdu({ type: 'request', flags, callId, allocHint, contextId: 0, opnum: 0, stub });
}

async function stillServes(): Promise<void> {
  const c = await RpcClient.bind(await connectTcp(ADDR, listener.port), ECHO, { auth: { context: ntlmClient(), level: 6 } });
  expect(await c.call(1, Buffer.from('alive'))).toEqual(Buffer.from('evila'));
  c.close();
}

describe('a live server under malicious clients', () => {
  it('drops garbage and bad frag_lengths', async () => {
    const r = rng(5);
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => r() & 0xff));
    expect((await blast([garbage])).closedByServer).toBe(true);
    const tiny = Buffer.from(bind([echoCtx(0)]));
    tiny.writeUInt16LE(8, 8);
    expect((await blast([tiny])).closedByServer).toBe(true);
    const huge = Buffer.alloc(16);
    bind([echoCtx(0)]).copy(huge, 0, 0, 16);
    huge.writeUInt16LE(0xffff, 8);
    expect((await blast([huge])).closedByServer).toBe(true);
    await stillServes();
  });

  it('closes a connection that stops mid-PDU after the idle timeout', async () => {
    const half = bind([echoCtx(0)]).subarray(0, 30);
    const res = await blast([half], 2500);
    expect(res.closedByServer).toBe(true);
  });

  it('drops a bind larger than the fragment limit (255 contexts), answers 1,080 contexts in fitting PDUs', async () => {
    const all255 = Array.from({ length: 255 }, (_, i) => echoCtx(i));
    expect((await blast([bind(all255)])).closedByServer).toBe(true);
    const many = Array.from({ length: 120 }, (_, i) => echoCtx(i));
    const chunks = [bind(many)];
    for (let k = 1; k < 9; k++) {
      chunks.push(encodePdu({ type: 'alter_context', flags: 0, callId: 1 + k, maxXmitFrag: 5840, maxRecvFrag: 5840, assocGroupId: 0, contexts: many.map((c) => ({ ...c, contextId: c.contextId + 120 * k })) }));
    }
    chunks.push(request(10, Buffer.from('ok')));
    const res = await blast(chunks, 800);
    const ack = res.pdus.find((p) => p.type === 'bind_ack');
    expect(ack && 'results' in ack && ack.results.length).toBe(120);
    expect(res.pdus.filter((p) => p.type === 'alter_context_resp')).toHaveLength(8);
    expect(res.pdus.find((p) => p.type === 'response')).toBeTruthy();
    await stillServes();
  });

  it('refuses auth trailers with bad lengths and tokens', async () => {
    const auth = { authType: 10, authLevel: 6, authPadLength: 0, authContextId: 0, token: Buffer.from('NTLMSSP\0garbage!') };
    const badToken = await blast([bind([echoCtx(0)], { auth })]);
    expect(badToken.pdus[0]?.type).toBe('bind_nak');
    const b = Buffer.from(bind([echoCtx(0)], { auth }));
    b.writeUInt16LE(b.length - 10, 10); // auth_length larger than the PDU
    expect((await blast([b])).closedByServer).toBe(true);
    const unknownType = await blast([bind([echoCtx(0)], { auth: { ...auth, authType: 0x44 } })]);
    expect(unknownType.pdus[0]).toMatchObject({ type: 'bind_nak', rejectReason: 8 });
    await stillServes();
  });

  it('faults a request before bind, a call_id going backwards and a >4 MB request', async () => {
    const early = await blast([request(1, Buffer.from('x'))]);
    expect(early.pdus[0]).toMatchObject({ type: 'fault', status: STATUS.nca_s_proto_error });
    const back = await blast([bind([echoCtx(0)]), request(5, Buffer.from('a')), request(3, Buffer.from('b'))]);
    expect(back.pdus.filter((p) => p.type === 'fault')[0]).toMatchObject({ status: STATUS.nca_s_proto_error });
    const hint = await blast([bind([echoCtx(0)]), request(2, Buffer.alloc(10), 3, 5 * 1024 * 1024)]);
    expect(hint.pdus.find((p) => p.type === 'fault')).toMatchObject({ status: STATUS.ERROR_ACCESS_DENIED });
    const piece = Buffer.alloc(5800);
    const frags = [bind([echoCtx(0)])];
    for (let i = 0; i < 730; i++) frags.push(request(2, piece, i === 0 ? 1 : 0, 0));
    const big = await blast(frags, 1500);
    expect(big.pdus.find((p) => p.type === 'fault')).toMatchObject({ status: STATUS.ERROR_ACCESS_DENIED });
    await stillServes();
  });

  it('limits calls in flight per connection', async () => {
    const c = await RpcClient.bind(await connectTcp(ADDR, listener.port), ECHO);
    const slow = Buffer.alloc(4);
    slow.writeUInt32LE(200, 0);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => c.call(4, slow)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: STATUS.RPC_S_SERVER_TOO_BUSY });
    }
    c.close();
  });

  it('survives 300 connections replaying mutated real sessions, then serves a second client', async () => {
    const r = rng(77);
    const corpus = pduCorpus();
    const session = [bind([echoCtx(0), { contextId: 1, abstractSyntax: ECHO, transferSyntaxes: [{ uuid: '71710533-beba-4937-8319-b5dbef9ccc36', version: 1, minor: 0 }] }]), request(2, Buffer.from('hello')), request(3, Buffer.alloc(100))];
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const victim = r() % session.length;
      runs.push(blast(session.map((p, j) => (j === victim ? mutate(p, r, corpus) : p)), 150));
      if (runs.length >= 30) await Promise.all(runs.splice(0));
    }
    await Promise.all(runs);
    await stillServes();
    await new Promise((res) => setTimeout(res, 200));
    expect(server.stats().connections).toBe(0);
    expect(uncaught).toEqual([]);
  });
});
