// Full fuzz run of the RPC decoders (CO PDUs, the incremental parser, EPM stubs and towers): at least
// 300,000 mutated inputs, each must decode or fail with a typed error. Prints cases/s for ours and,
// as the peer figure measured in the same run, impacket's PDU parser on the same mutated PDUs (cases/s).
// Usage: npm run bench:rpc-fuzz [-- CASES [SEED]]
import { spawnSync } from 'node:child_process';
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
