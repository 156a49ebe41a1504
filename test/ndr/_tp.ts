import { readFileSync } from 'node:fs';
import { ndrDecode } from '../../src/ndr/index.js';
import { DRS_MSG_GETCHGREPLY_V6 } from './idl.js';
const b = readFileSync('/tmp/ctr6-5000.bin');
for (let i = 0; i < 3; i++) ndrDecode(DRS_MSG_GETCHGREPLY_V6, b);
const t0 = performance.now(); let it = 0;
while (performance.now() - t0 < 3000) { ndrDecode(DRS_MSG_GETCHGREPLY_V6, b); it++; }
const s = (performance.now() - t0) / 1000;
console.log(it, 'iters', (b.length * it / s / 1e6).toFixed(1), 'MB/s');
