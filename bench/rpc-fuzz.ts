// Full fuzz run of the RPC decoders (CO PDUs, the incremental parser, EPM stubs and towers): at least
// 300,000 mutated inputs, each must decode or fail with a typed error. Prints cases/s for ours and,
// as the peer figure measured in the same run, impacket's PDU parser on the same mutated PDUs (cases/s).
// Then a live server (127.0.0.39) takes 3,000 connections replaying mutated real sessions and must
// still serve a well-behaved client afterwards.
// Usage: npm run bench:rpc-fuzz [-- CASES [SEED]]
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { RpcClient } from '../src/rpc/client.js';
import { encodePdu } from '../src/rpc/pdu/pdu.js';
import { RpcServer } from '../src/rpc/server.js';
import { connectTcp, listenTcp } from '../src/transport/tcp.js';
import { ECHO_UUID, echoInterface, ntlmClient, ntlmServerFactory } from '../test/rpc/helpers.js';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzDecoders, mutate, pduCorpus, rng } from '../test/rpc/fuzz-lib.js';

const cases = Math.max(300_000, Number(process.argv[2] ?? 300_000));
const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);

const t0 = process.hrtime.bigint();
const rep = fuzzDecoders(cases, seed);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const oursRate = rep.cases / (ms / 1000);
console.log(`hivewire: ${rep.cases} cases (seed ${seed}) in ${ms.toFixed(0)} ms, ${oursRate.toFixed(0)} cases/s; ${rep.accepted} decoded, ${rep.rejected} rejected with typed errors, 0 crashes`);

// impacket's MSRPCHeader-based parsing of the same kind of mutated PDUs (fewer cases: it is slower)
const peerCases = 20_000;
const r = rng(seed);
const corpus = pduCorpus();
const lines: string[] = [];
for (let i = 0; i < peerCases; i++) lines.push(mutate(corpus[r() % corpus.length]!, r, corpus).toString('hex'));
const dir = mkdtempSync(join(tmpdir(), 'rpc-fuzz-'));
const file = join(dir, 'cases.txt');
writeFileSync(file, lines.join('\n'));
const py = `
import sys, time
from impacket.dcerpc.v5.rpcrt import MSRPCHeader, MSRPCRespHeader, MSRPCBind, MSRPCBindAck
cases = [bytes.fromhex(l) for l in open(sys.argv[1]).read().split('\\n')]
ok = bad = 0
t = time.perf_counter()
for c in cases:
    try:
        h = MSRPCHeader(c)
        t_ = h['type']
        if t_ == 11: MSRPCBind(h['pduData'])
        elif t_ == 12: MSRPCBindAck(h['pduData'])
        elif t_ == 2: MSRPCRespHeader(c)
        ok += 1
    except Exception:
        bad += 1
print(len(cases), ok, bad, time.perf_counter() - t)
`;
const res = spawnSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' });
rmSync(dir, { recursive: true, force: true });
if (res.status !== 0) {
  console.log(`impacket: not measured (${(res.stderr || res.error?.message || '').trim().split('\n').pop()}); install python3-impacket`);
} else {
  const [n, , , secs] = res.stdout.trim().split(/\s+/).map(Number);
  const peerRate = n! / secs!;
  console.log(`impacket: ${n} cases in ${(secs! * 1000).toFixed(0)} ms, ${peerRate.toFixed(0)} cases/s (MSRPCHeader + bind/bind_ack/response parse)`);
  console.log(`ratio (ours / impacket): ${(oursRate / peerRate).toFixed(1)}x`);
}

// --- live server ------------------------------------------------------------------------------------
async function live(): Promise<void> {
  const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
  const NDR20 = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2, minor: 0 };
  const errors: unknown[] = [];
  const onUncaught = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onUncaught);
  const server = new RpcServer({ security: ntlmServerFactory(), limits: { idleTimeoutMs: 2000 } });
  server.register(echoInterface());
  const l = await listenTcp(server, '127.0.0.39', 0);
  const auth = { authType: 10, authLevel: 6, authPadLength: 0, authContextId: 0, token: ntlmClient().step(undefined).output! };
  const session = [
    encodePdu({ type: 'bind', flags: 0, callId: 1, maxXmitFrag: 5840, maxRecvFrag: 5840, assocGroupId: 0, contexts: [{ contextId: 0, abstractSyntax: ECHO, transferSyntaxes: [NDR20] }], auth }),
    encodePdu({ type: 'request', flags: 3, callId: 2, allocHint: 5, contextId: 0, opnum: 0, stub: Buffer.from('hello') }),
    encodePdu({ type: 'request', flags: 3, callId: 3, allocHint: 100, contextId: 0, opnum: 2, stub: Buffer.alloc(100) }),
  ];
  const corpus2 = [...corpus, ...session];
  const r2 = rng(seed + 1);
  const N = 3000;
  const t = performance.now();
  const one = (chunks: Buffer[]) =>
    new Promise<void>((resolve) => {
      const s = net.connect(l.port, '127.0.0.39');
      s.on('error', () => {});
      s.on('connect', () => chunks.forEach((c) => s.write(c)));
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 100);
    });
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, () => {
        const victim = r2() % session.length;
        return one(session.map((p, j) => (j === victim ? mutate(p, r2, corpus2) : p)));
      }),
    );
  }
  const secs = (performance.now() - t) / 1000;
  const c = await RpcClient.bind(await connectTcp('127.0.0.39', l.port), ECHO, { auth: { context: ntlmClient(), level: 6 } });
  const ok = (await c.call(1, Buffer.from('alive'))).toString() === 'evila';
  c.close();
  await new Promise((res) => setTimeout(res, 300));
  const st = server.stats();
  console.log(`live server: ${N} mutated sessions in ${secs.toFixed(1)} s; afterwards a privacy-level client ${ok ? 'is served' : 'FAILED'}; connections ${st.connections}, context handles ${st.contextHandles}, uncaught errors ${errors.length}`);
  await l.close();
  server.closeAll();
  process.off('uncaughtException', onUncaught);
  if (!ok || errors.length) process.exitCode = 1;
}

await live();
