// Mutation fuzzing of the regf reader, transaction log recovery and the .reg parser (at least
// 100,000 cases): every case must end in a result or a typed HivewireError.
// Usage: npm run bench:formats-fuzz [-- CASES [SEED]]

import { fuzz } from '../test/formats/regf/fuzz.js';

const cases = Math.max(100_000, Number(process.argv[2] ?? 100_000));
const seed = Number(process.argv[3] ?? 1);
const t0 = performance.now();
const r = fuzz(cases, seed);
const s = (performance.now() - t0) / 1000;
console.log(`formats fuzz: ${r.cases} cases (seed ${seed}) in ${s.toFixed(1)} s, ${Math.round(r.cases / s)} cases/s`);
console.log(`  accepted ${r.accepted}, typed errors ${r.typedErrors}, untyped failures ${r.failures.length}, slowest case ${r.slowestMs.toFixed(1)} ms`);
for (const f of r.failures.slice(0, 5)) console.log(`  FAIL ${f.kind} ${f.input}\n    ${f.error.split('\n').slice(0, 4).join('\n    ')}`);
process.exitCode = r.failures.length === 0 ? 0 : 1;
