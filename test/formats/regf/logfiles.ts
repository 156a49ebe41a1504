// Transaction log files built for tests (no tool we can run writes them).

import { baseBlockChecksum, marvin32 } from '../../../src/formats/regf/index.js';

const LOG_SEED = 0x82ef4d887a4e55c5n;

/** A copy of a base block with `f` applied and the checksum redone. */
export function setBase(b: Buffer, f: (x: Buffer) => void): Buffer {
  const c = Buffer.from(b);
  f(c);
  c.writeUInt32LE(baseBlockChecksum(c), 508);
  return c;
}

/** A new-format log: the primary's first sector (file type 6), then HvLE entries of whole pages. */
export function newLog(base: Buffer, entries: { sequence: number; size: number; pages: { offset: number; data: Buffer }[] }[]): Buffer {
  const head = setBase(base.subarray(0, 4096), (x) => x.writeUInt32LE(6, 28)).subarray(0, 512);
  const parts = [head];
  for (const e of entries) {
    const refs = Buffer.alloc(8 * e.pages.length);
    e.pages.forEach((p, i) => {
      refs.writeUInt32LE(p.offset, 8 * i);
      refs.writeUInt32LE(p.data.length, 8 * i + 4);
    });
    const body = Buffer.concat([refs, ...e.pages.map((p) => p.data)]);
    const total = Math.ceil((40 + body.length) / 512) * 512;
    const entry = Buffer.alloc(total);
    entry.write('HvLE', 0, 'latin1');
    entry.writeUInt32LE(total, 4);
    entry.writeUInt32LE(e.sequence, 12);
    entry.writeUInt32LE(e.size, 16);
    entry.writeUInt32LE(e.pages.length, 20);
    body.copy(entry, 40);
    entry.writeBigUInt64LE(marvin32(entry.subarray(40), LOG_SEED), 24);
    entry.writeBigUInt64LE(marvin32(entry.subarray(0, 32), LOG_SEED), 32);
    parts.push(entry);
  }
  return Buffer.concat(parts);
}
