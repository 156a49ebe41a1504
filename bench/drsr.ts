// bench:drsr — full replication of the Samba DC's domain NC with secrets for 1,000 users: ours against
// impacket's secretsdump -just-dc-ntlm (hashes only; one DRSGetNCChanges per account) and against
// `samba-tool drs clone-dc-database --include-secrets` (which pulls schema, configuration and domain
// NCs), measured in the same run, each three times (interleaved; the ratios use the medians). Also our
// time for the same three NCs as the clone, and a 100,000-case run of the reply-decoder fuzzer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrsClient } from '../src/interfaces/drsr/client.js';
import { loadSchema, replicate } from '../src/interfaces/drsr/replicate.js';
import { resolvePort } from '../src/interfaces/epm/client.js';
import { waitFor } from '../test/harness/peers.js';
import { seedUsers, startSambaDc } from '../test/harness/samba-dc.js';
import { fuzz } from '../test/interfaces/drsr/fuzz.js';

const USERS = Number(process.env.DRSR_BENCH_USERS ?? 1000);
const BASE = 'DC=lab,DC=example,DC=com';

const dc = await startSambaDc();
try {
  await waitFor(async () => (await resolvePort(dc.ip, 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', 4).catch(() => 0)) > 0, { timeoutMs: 60_000, what: 'drsuapi' });
  const t = Date.now();
  seedUsers(dc, USERS); // tops up: only what an earlier run or test changed
  console.log(`users: ${USERS} (seeding/top-up ${((Date.now() - t) / 1000).toFixed(1)} s)`);
  const connect = () => DrsClient.connect({ host: dc.ip, user: dc.user, domain: dc.domain, password: dc.password });

  const ours = async (ncs: string[]) => {
    const t = process.hrtime.bigint();
    const c = await connect();
    let objects = 0;
    let hashes = 0;
    try {
      for (const nc of ncs) {
        await replicate(c, {
          nc,
          secrets: true,
          onPage: (p) => {
            objects += p.objects.length;
            for (const o of p.objects) if (o.attributes.unicodePwd?.length) hashes++;
          },
        });
      }
    } finally {
      await c.close();
    }
    return { s: Number(process.hrtime.bigint() - t) / 1e9, objects, hashes };
  };
  const timed = (f: () => void) => {
    const t = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t) / 1e9;
  };

  const secretsdump = () => {
    let out = '';
    const s = timed(() => {
      out = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('../test/interop/drsr_secretsdump.py', import.meta.url)), '-just-dc-ntlm', `LAB/${dc.user}:${dc.password}@${dc.ip}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
    });
    return { s, hashes: out.split('\n').filter((l) => l.endsWith(':::')).length };
  };
  const clone = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hivewire-clone-'));
    try {
      return timed(() =>
        execFileSync('samba-tool', ['drs', 'clone-dc-database', 'lab.example.com', `--server=${dc.ip}`, `--targetdir=${dir}`, '--include-secrets', '-U', `${dc.user}%${dc.password}`, '--use-kerberos=off'], { stdio: 'pipe', timeout: 1_800_000 }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const RUNS = Number(process.env.DRSR_BENCH_RUNS ?? 3);
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const f2 = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  const la = () => loadavg().map((x) => x.toFixed(2)).join(', ');
  const A: number[] = [];
  const SD: number[] = [];
  const CL: number[] = [];
  const B: number[] = [];
  let a = { objects: 0, hashes: 0 };
  let b = { objects: 0 };
  let sdHashes = 0;
  const loads: string[] = [];
  // untimed warm-up: a freshly started DC spends its first seconds on its own start-up scans
  // (tombstone collection, KCC) on the same database
  await ours([BASE]);
  for (let i = 0; i < RUNS; i++) {
    loads.push(la());
    const x = await ours([BASE]);
    A.push(x.s);
    a = x;
    const y = secretsdump();
    SD.push(y.s);
    sdHashes = y.hashes;
    CL.push(clone());
    const z = await ours([`CN=Schema,CN=Configuration,${BASE}`, `CN=Configuration,${BASE}`, BASE]);
    B.push(z.s);
    b = z;
  }
  loads.push(la());
  const c0 = await connect();
  const ts = process.hrtime.bigint();
  await loadSchema(c0, `CN=Schema,CN=Configuration,${BASE}`);
  const schemaS = Number(process.hrtime.bigint() - ts) / 1e9;
  await c0.close();

  const [mA, mSD, mCL, mB] = [median(A), median(SD), median(CL), median(B)];
  console.log(`load average (1, 5, 15 min) before each round and at the end: ${loads.join(' | ')}`);
  console.log(`hivewire drs (domain NC, secrets):       median ${mA.toFixed(2)} s  [${f2(A)}]  (${a.objects} objects, ${a.hashes} NT hashes)`);
  console.log(`impacket secretsdump -just-dc-ntlm:      median ${mSD.toFixed(2)} s  [${f2(SD)}]  (${sdHashes} hashes)   ratio ${(mSD / mA).toFixed(2)}x`);
  console.log(`samba-tool drs clone-dc-database:        median ${mCL.toFixed(2)} s  [${f2(CL)}]  (schema+config+domain NCs, secrets)`);
  console.log(`hivewire drs (schema+config+domain NCs): median ${mB.toFixed(2)} s  [${f2(B)}]  (${b.objects} objects)   ratio vs clone ${(mCL / mB).toFixed(2)}x; domain NC alone vs clone ${(mCL / mA).toFixed(2)}x`);
  console.log(`(schema NC decoded into our Schema: ${schemaS.toFixed(2)} s)`);

  const n = Number(process.env.DRSR_FUZZ_CASES ?? 100_000);
  const tf = process.hrtime.bigint();
  const f = fuzz(n);
  console.log(`fuzz: ${f.cases} mutated GetNCChanges replies in ${(Number(process.hrtime.bigint() - tf) / 1e9).toFixed(1)} s: ${f.typed} typed errors, ${f.ok} decoded, ${f.failures.length} untyped failures`);
  if (f.failures.length) {
    console.log(f.failures.slice(0, 3).join('\n'));
    process.exitCode = 1;
  }
} finally {
  await dc.stop();
}
