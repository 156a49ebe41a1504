// A seeded registry tree for the RRP client's interop tests and bench: `n` keys under `root`, 50 per
// group key, each with a value of every common type, written as a Samba-flavoured .reg text that
// `net rpc registry import` loads.
import { regTextChunks } from '../../src/formats/regtext/tree.js';
import type { RegTreeValue } from '../../src/formats/tree.js';

export function seedValues(i: number): RegTreeValue[] {
  const q = Buffer.alloc(8);
  q.writeBigUInt64LE(BigInt(i) * 0x100000001n);
  return [
    { name: 'Name', type: 1, data: Buffer.from(`key number ${i}\0`, 'utf16le') },
    { name: 'Index', type: 4, data: Buffer.from([i & 0xff, (i >> 8) & 0xff, 0, 0]) },
    { name: 'List', type: 7, data: Buffer.from(`a${i}\0b\0\0`, 'utf16le') },
    { name: 'Blob', type: 3, data: Buffer.from(Array.from({ length: 24 }, (_, j) => (i + j) & 0xff)) },
    { name: 'Path', type: 2, data: Buffer.from(`%SystemRoot%\\k${i}\0`, 'utf16le') },
    { name: 'Big', type: 11, data: q },
  ];
}

/** The .reg text (Samba's layout, UTF-8) of `n` keys below `root` (e.g. 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Seed'). */
export function seedRegText(root: string, n: number): string {
  const keys: { path: string; values: RegTreeValue[] }[] = [{ path: root, values: [{ name: 'Count', type: 4, data: Buffer.from([n & 0xff, (n >> 8) & 0xff, 0, 0]) }] }];
  for (let g = 0; g * 50 < n; g++) {
    keys.push({ path: `${root}\\G${g}`, values: [] });
    for (let i = g * 50; i < Math.min(n, (g + 1) * 50); i++) keys.push({ path: `${root}\\G${g}\\K${i}`, values: seedValues(i) });
  }
  return [...regTextChunks(keys, { flavor: 'samba' })].join('');
}
