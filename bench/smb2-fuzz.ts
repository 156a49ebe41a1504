// SMB2 mutation fuzzing, full run: 300,000+ cases over the message decoders, the Direct TCP framer and a
// live server connection (see test/smb2/fuzz.ts). Exits 1 if anything but a typed error came out.
// Usage: npm run bench:smb2-fuzz [-- CASES [SEED]]
import { runFuzz } from '../test/smb2/fuzz.js';

const cases = Number(process.argv[2] ?? 320_000);
const seed = Number(process.argv[3] ?? Date.now() % 0x7fffffff);
const t0 = performance.now();
const stats = runFuzz(cases, seed);
const s = (performance.now() - t0) / 1000;
console.log(`smb2 fuzz: ${stats.cases} cases (seed ${seed}) in ${s.toFixed(1)} s, ${Math.round(stats.cases / s)} cases/s`);
console.log(`  FormatError: ${stats.formatErrors}, accepted/answered: ${stats.accepted}, server cases with an open pipe: ${stats.serverOpens}`);
console.log(`  failures (anything but a typed error): ${stats.failures.length}`);
for (const f of stats.failures.slice(0, 5)) console.log(`  [${f.target}] seed ${f.seed}: ${f.error.split('\n').slice(0, 4).join(' | ')}`);
process.exit(stats.failures.length ? 1 : 0);
