// regf hive benchmark: generate a ~100 MB hive, then in the same run read it fully with ours and export
// it with hivex (`hivexregedit --export`), and measure our write throughput.
// Usage: npm run bench:hive [-- KEYS]   (needs libwin-hivex-perl)

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hive, hiveToRegChunks, writeHive } from '../src/formats/regf/index.js';
import type { RegTreeKey } from '../src/formats/tree.js';

const KEYS = Number(process.argv[2] ?? 73_000);
const PER_GROUP = 1000;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

// KEYS leaf keys in groups of 1000 (so lists split into ri + lh), each with 5 values of ~1 KB in all
function generate(): RegTreeKey {
  const root: RegTreeKey = { name: 'ROOT', values: [], subkeys: [] };
  const blob = Buffer.alloc(700);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 0xff;
  let group: RegTreeKey | undefined;
  for (let i = 0; i < KEYS; i++) {
    if (i % PER_GROUP === 0) {
      group = { name: `Group${String(i / PER_GROUP).padStart(4, '0')}`, values: [], subkeys: [] };
      root.subkeys.push(group);
    }
    group!.subkeys.push({
      name: `Key${String(i).padStart(7, '0')}`,
      values: [
        { name: 'Name', type: 1, data: Buffer.from(`key number ${i} in the benchmark hive\0`, 'utf16le') },
        { name: 'Index', type: 4, data: u32(i) },
        { name: 'Blob', type: 3, data: blob },
        { name: 'Path', type: 2, data: Buffer.from(`%ProgramFiles%\\Bench\\${i}\0`, 'utf16le') },
        { name: 'List', type: 7, data: Buffer.from(`a${i}\0b${i}\0c${i}\0\0`, 'utf16le') },
      ],
      subkeys: [],
    });
  }
  return root;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-hive-'));
const file = join(dir, 'bench.hiv');
try {
  const tree = generate();
  const totalKeys = KEYS + Math.ceil(KEYS / PER_GROUP) + 1;

  let t0 = performance.now();
  const bytes = writeHive(tree);
  const writeS = (performance.now() - t0) / 1000;
  writeFileSync(file, bytes);
  const mb = bytes.length / 1e6;
  console.log(`hive: ${totalKeys} keys, ${KEYS * 5} values, ${mb.toFixed(1)} MB`);
  console.log(`write (ours, writeHive): ${writeS.toFixed(2)} s, ${(mb / writeS).toFixed(1)} MB/s, ${Math.round(totalKeys / writeS)} keys/s`);

  // ours: every key, value and data byte, through the bounded page cache (not the whole file in memory)
  t0 = performance.now();
  const h = Hive.open(file);
  let keys = 0;
  let values = 0;
  for (const { key } of h.walk()) {
    keys++;
    values += h.values(key).length;
  }
  h.close();
  const readS = (performance.now() - t0) / 1000;
  if (keys !== totalKeys || values !== KEYS * 5) throw new Error(`read ${keys} keys, ${values} values`);

  // ours doing what hivexregedit --export does: the whole hive as .reg text to a file
  t0 = performance.now();
  const h2 = Hive.open(file);
  const out = openSync(join(dir, 'ours.reg'), 'w');
  let pending = '';
  for (const chunk of hiveToRegChunks(h2, 'HKEY_LOCAL_MACHINE\\BENCH')) {
    pending += chunk;
    if (pending.length > 1 << 20) {
      writeSync(out, pending);
      pending = '';
    }
  }
  writeSync(out, pending);
  closeSync(out);
  h2.close();
  const exportS = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const hx = spawnSync('sh', ['-c', `hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\\BENCH' '${file}' '\\' > '${join(dir, 'hivex.reg')}'`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const hivexS = (performance.now() - t0) / 1000;
  if (hx.status !== 0) throw new Error(`hivexregedit failed (apt-get install libwin-hivex-perl): ${hx.stderr.toString().slice(0, 300)}`);

  console.log(`read fully (ours, Hive.open + walk + values): ${readS.toFixed(2)} s (${(mb / readS).toFixed(1)} MB/s)`);
  console.log(`export to .reg (ours, hiveToRegChunks): ${exportS.toFixed(2)} s, ${(statSync(join(dir, 'ours.reg')).size / 1e6).toFixed(0)} MB of text`);
  console.log(`export to .reg (hivex, hivexregedit --export): ${hivexS.toFixed(2)} s, ${(statSync(join(dir, 'hivex.reg')).size / 1e6).toFixed(0)} MB of text`);
  console.log(`ratio ours/hivex: read ${(readS / hivexS).toFixed(3)}, export ${(exportS / hivexS).toFixed(3)} (target <= 2)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
