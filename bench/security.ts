// bench/security: security descriptors, ours against Samba's (python3-samba: descriptor.from_sddl,
// as_sddl, ndr_pack/ndr_unpack, samba.security.access_check) on the same corpus in the same run, plus
// the full-count fuzz of the binary decoder (CI runs a 3000-case sample in test/security/bad-input.test.ts).
// Samba's figures include its Python binding overhead: that is how Samba's code is reachable from here.
// Both sides are timed in CPU seconds of their own process (the machine is shared; wall time is noise),
// each after one warm-up pass over the corpus, in ROUNDS alternating rounds; the best round of each counts.
// Run: npm run bench:security

import { spawnSync } from 'node:child_process';
import { accessCheck, makeToken, REGISTRY_DEFAULT_SDDL, SecurityDescriptor, Sid, type Token } from '../src/security/index.js';
import { FormatError } from '../src/util/errors.js';
import { fixture, randomSddlCorpus, rng } from '../test/security/corpus.js';

const PY = '/usr/bin/python3';
const SAMBA = new URL('../test/security/samba-sd.py', import.meta.url).pathname;
const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const domainSid = Sid.parse(DOMAIN);
const SECONDS = 0.6;
const ROUNDS = 5;
const FUZZ_CASES = 300_000;

function samba(request: object): { ops: number; seconds: number } {
  const r = spawnSync(PY, [SAMBA], { input: JSON.stringify([request]), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3-samba is needed (apt-get install -y python3-samba): ${r.stderr}`);
  const [a] = JSON.parse(r.stdout) as { ops?: number; seconds?: number; error?: string }[];
  if (!a || a.error || a.ops === undefined) throw new Error(`samba-sd.py: ${a?.error}`);
  return { ops: a.ops, seconds: a.seconds! };
}

function ours<T>(items: readonly T[], step: (item: T) => void): { ops: number; seconds: number } {
  for (const i of items) step(i); // warm up
  let ops = 0;
  const c0 = process.cpuUsage();
  for (;;) {
    for (const i of items) step(i);
    ops += items.length;
    const c = process.cpuUsage(c0);
    const s = (c.user + c.system) / 1e6;
    if (s >= SECONDS) return { ops, seconds: s };
  }
}

type Rate = { ops: number; seconds: number };

function line(what: string, a: () => Rate, b: () => Rate): void {
  let x = 0;
  let y = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const ra = a();
    const rb = b();
    x = Math.max(x, ra.ops / ra.seconds);
    y = Math.max(y, rb.ops / rb.seconds);
  }
  console.log(`${what.padEnd(34)} ours ${Math.round(x).toString().padStart(9)} ops/cpu-s   samba ${Math.round(y).toString().padStart(9)} ops/cpu-s   ratio ${(x / y).toFixed(2)}x`);
}

const sddl = [...Object.values(REGISTRY_DEFAULT_SDDL), ...randomSddlCorpus(500, domainSid)];
const sambaSddl = sddl.map((s) => SecurityDescriptor.fromSddl(s, { domainSid }).toSddl({ domainSid, compositeRights: false }));
const binaries = sddl.map((s) => SecurityDescriptor.fromSddl(s, { domainSid }).toBinary());
console.log(`corpus: ${sddl.length} descriptors (the registry defaults + random ones), mean ${Math.round(binaries.reduce((n, b) => n + b.length, 0) / binaries.length)} bytes`);

line(
  'SDDL -> binary (parse + encode)',
  () => ours(sambaSddl, (s) => SecurityDescriptor.fromSddl(s, { domainSid }).toBinary()),
  () => samba({ op: 'time', kind: 'from_sddl', items: sambaSddl, domain: DOMAIN, seconds: SECONDS }),
);
line(
  'binary -> SDDL (decode + format)',
  () => ours(binaries, (b) => SecurityDescriptor.fromBinary(b).toSddl({ domainSid })),
  () => samba({ op: 'time', kind: 'to_sddl', items: binaries.map((b) => b.toString('hex')), domain: DOMAIN, seconds: SECONDS }),
);

// access checks: random registry-like DACLs and tokens
const next = rng(7);
const pool = ['S-1-5-21-1-2-3-1001', 'S-1-5-21-1-2-3-1002', 'S-1-1-0', 'S-1-5-11', 'S-1-5-32-544', 'S-1-5-32-545', 'S-1-5-18'];
const checks: { sd: SecurityDescriptor; token: Token; desired: number; item: object }[] = [];
for (let i = 0; i < 500; i++) {
  let dacl = '';
  for (let k = 1 + next(8); k > 0; k--) dacl += `(${next(4) ? 'A' : 'D'};;0x${(1 << next(20)).toString(16)};;;${pool[next(pool.length)]})`;
  const sd = SecurityDescriptor.fromSddl(`O:BAG:SYD:${dacl}(A;;KR;;;BU)`);
  const sids = pool.filter(() => next(2) === 0);
  if (!sids.length) sids.push(pool[0]!);
  const desired = next(3) ? 0x20019 : 0x02000000;
  checks.push({ sd, token: makeToken(sids[0]!, sids.slice(1)), desired, item: { hex: sd.toBinary().toString('hex'), sids, privileges: [], desired } });
}
line(
  'access check',
  () => ours(checks, (c) => accessCheck(c.token, c.sd, c.desired)),
  () => samba({ op: 'time', kind: 'access', items: checks.map((c) => c.item), domain: DOMAIN, seconds: SECONDS }),
);

// fuzz, full count: corrupted real descriptors must decode or fail with FormatError, nothing else
const bases = ['msdtyp-2.5.1.4.hex', 'msdrsr-5.16.3.16.hex', 'samba-registry-hklm-software.hex'].map(fixture);
const r = rng(0xf022);
let decoded = 0;
let rejected = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < FUZZ_CASES; i++) {
  const b = Buffer.from(bases[i % bases.length]!);
  for (let k = 1 + r(4); k > 0; k--) b[r(b.length)] = r(256);
  const input = r(4) === 0 ? b.subarray(0, r(b.length + 1)) : b;
  try {
    const sd = SecurityDescriptor.fromBinary(input);
    if (!SecurityDescriptor.fromBinary(sd.toBinary()).equals(sd)) throw new Error(`re-encoding changed case ${i}`);
    decoded++;
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    rejected++;
  }
}
const fuzzSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`fuzz: ${FUZZ_CASES} corrupted descriptors in ${fuzzSeconds.toFixed(1)} s: ${decoded} decoded, ${rejected} FormatError, 0 other errors`);
