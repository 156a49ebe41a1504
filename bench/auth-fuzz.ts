// bench:auth-fuzz — (1) at least 300,000 mutated NTLM/SPNEGO tokens through our decoders and servers:
// typed errors only, cases/s; (2) NTLM seal+sign throughput on an RPC-shaped stream, ours vs impacket's
// (impacket.ntlm.SEAL with Cryptodome's RC4, run by /usr/bin/python3 in the same run), and the ratio.
import { NtlmSessionSecurity, NTLMSSP_NEGOTIATE_128, NTLMSSP_NEGOTIATE_56, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_KEY_EXCH, NTLMSSP_NEGOTIATE_SEAL, NTLMSSP_NEGOTIATE_SIGN, NTLMSSP_NEGOTIATE_UNICODE } from '../src/auth/ntlm/index.js';
import { buildTargets, fuzz } from '../test/auth/fuzz.js';
import { impacket, requireImpacket } from '../test/auth/ntlm/impacket-peer.js';

const FUZZ_CASES = Number(process.env.AUTH_FUZZ_CASES ?? 320_000);

function fuzzRun(): boolean {
  const targets = buildTargets();
  const perTarget = Math.ceil(FUZZ_CASES / targets.length);
  const t0 = performance.now();
  const r = fuzz(targets, perTarget, Date.now() & 0xffffffff);
  const s = (performance.now() - t0) / 1000;
  console.log(`auth fuzz: ${r.cases} cases over ${targets.length} targets in ${s.toFixed(2)} s = ${Math.round(r.cases / s)} cases/s; ` +
    `typed errors ${r.typedErrors}, accepted ${r.accepted}, untyped failures ${r.failures.length}, slowest case ${r.slowestMs.toFixed(2)} ms`);
  if (r.slowest) {
    // Replay the slowest case alone: a real algorithmic problem stays slow, a scheduler hiccup does not.
    const t = targets.find((x) => x.name === r.slowest!.target)!;
    const t1 = performance.now();
    try {
      t.run(Buffer.from(r.slowest.input, 'hex'));
    } catch {
      // typed errors were already counted
    }
    console.log(`  slowest case (${r.slowest.target}, ${r.slowest.input.length / 2} bytes) replayed alone: ${(performance.now() - t1).toFixed(2)} ms`);
  }
  for (const f of r.failures) console.log(`  FAILURE ${f.target}: ${f.error}\n    input ${f.input}`);
  return r.failures.length === 0;
}

function throughput(): void {
  requireImpacket();
  const flags = (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56) >>> 0;
  const esk = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
  // The machine is shared: alternate ours and impacket's runs, three rounds each, and keep each one's best.
  for (const size of [4280, 65536]) {
    const count = Math.ceil((32 * 1024 * 1024) / size);
    const pdu = Buffer.alloc(size);
    for (let i = 0; i < size; i++) pdu[i] = (i * 31 + 7) & 0xff;
    let ours = 0;
    let peer = 0;
    for (let round = 0; round < 3; round++) {
      const s = new NtlmSessionSecurity(flags, esk, 'client');
      const work = Buffer.alloc(size);
      let sig: Buffer = Buffer.alloc(0);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        pdu.copy(work);
        sig = s.sealInPlace(work, 24, size - 8);
      }
      ours = Math.max(ours, (size * count) / 1e6 / ((performance.now() - t0) / 1000));
      const [theirs] = impacket([{ op: 'bench_seal', flags, esk: esk.toString('hex'), size, count }]);
      peer = Math.max(peer, theirs.bytes / 1e6 / theirs.seconds);
      if (theirs.lastSignature !== sig.toString('hex')) throw new Error('impacket and we disagree on the last signature');
    }
    console.log(`NTLM seal+sign, ${size}-byte PDUs, ${count} PDUs x 3 rounds (best): ours ${ours.toFixed(1)} MB/s, impacket ${peer.toFixed(1)} MB/s, ratio ${(ours / peer).toFixed(2)}x (same last signature)`);
  }
}

const ok = fuzzRun();
throughput();
if (!ok) process.exitCode = 1;
