// bench/regpol-fuzz: at least 100,000 mutated registry.pol files through every reader (strict,
// lenient, incremental with random chunking); any result other than entries or a FormatError fails.
// Run: npm run bench:regpol-fuzz [-- CASES]

import { fuzz } from '../test/formats/regpol/fuzz.js';

const cases = Number(process.argv[2] ?? 100_000);
const t0 = process.hrtime.bigint();
const stats = fuzz(cases, 20261122);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`registry.pol fuzz: ${stats.cases} cases (${stats.invalid} rejected with FormatError, ${stats.valid} still valid), 0 crashes, 0 hangs, ${(stats.cases / s).toFixed(0)} cases/s, ${s.toFixed(1)} s`);
