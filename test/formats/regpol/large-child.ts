// Child process for large.test.ts: `gen FILE MB` writes a registry.pol of about MB megabytes in
// pieces; `read FILE` reads it with the incremental reader and prints entries and memory as JSON.
import { openSync, writeSync, closeSync } from 'node:fs';
import { readPolFile, serializePol } from '../../../src/formats/regpol/index.js';
import { encodeValue } from '../../../src/formats/value.js';

const [mode, path, mb] = process.argv.slice(2);
if (mode === 'gen') {
  const fd = openSync(path!, 'w');
  let size = 0;
  let n = 0;
  for (let first = true; size < Number(mb) * 1e6; first = false) {
    const batch = Array.from({ length: 2000 }, () => {
      n++;
      return { key: `Software\\Policies\\Large\\Area${n >> 7}`, valueName: `Value${n}`, type: 1, data: encodeValue(1, `C:\\Program Files\\Product ${n}\\bin`) };
    });
    const buf = serializePol(batch);
    const piece = first ? buf : buf.subarray(8); // one header for the whole file
    writeSync(fd, piece);
    size += piece.length;
  }
  closeSync(fd);
  console.log(JSON.stringify({ size, entries: n }));
} else {
  // file bytes live in Buffers (arrayBuffers), decoded entries in the JS heap: sample both
  const base = process.memoryUsage();
  let peakBuffers = 0;
  let peakHeap = 0;
  let entries = 0;
  let bytes = 0;
  for await (const e of readPolFile(path!)) {
    entries++;
    bytes += e.key.length + e.valueName.length + e.data.length;
    if ((entries & 0x3ff) === 0) {
      const m = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
  }
  console.log(JSON.stringify({ entries, bytes, baseHeap: base.heapUsed, peakHeap, peakBuffers }));
}
