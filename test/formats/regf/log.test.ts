import { describe, expect, it } from 'vitest';
import { baseBlockChecksum, marvin32, readHive, readLogEntries, recoverHive, writeHive } from '../../../src/formats/regf/index.js';
import { flatObject, key, sampleTree, sz, val } from './trees.js';
import { newLog, setBase } from './logfiles.js';

describe('Marvin32', () => {
  // published test vectors (.NET runtime's MarvinTests), seed 0x004FB61A001BDBCC
  const vectors: [string, bigint][] = [
    ['', 0x30ed35c100cd3c7dn],
    ['af', 0x48e73fc77d75ddc1n],
    ['e70f', 0xb5f6e1fc485dbff8n],
    ['37f495', 0xf0b07c789b8cf7e8n],
    ['8642dc59', 0x7008f2e87e9cf556n],
    ['153fb79826', 0xe6c08c6da2afa997n],
    ['0932e6246c47', 0x6f04bf1a5ea24060n],
    ['ab427ea8d10fc7', 0xe11847e4f0678c41n],
  ];
  it.each(vectors)('hashes %j', (hex, want) => {
    expect(marvin32(Buffer.from(hex, 'hex'), 0x004fb61a001bdbccn)).toBe(want);
  });
});

describe('transaction log recovery', () => {
  const before = key('ROOT', [], [key('Lab', [val('v', 1, sz('old'))])]);
  const after = sampleTree({ many: 50 });
  const a = writeHive(before, { now: 5n });
  const b = writeHive(after, { now: 5n });
  const bData = b.subarray(4096);
  // the primary as a crash left it: old data, sequence numbers 7 / 6
  const dirty = setBase(a, (x) => {
    x.writeUInt32LE(7, 4);
    x.writeUInt32LE(6, 8);
  });

  it('leaves a clean hive alone', () => {
    const r = recoverHive(a, [newLog(a, [{ sequence: 1, size: bData.length, pages: [{ offset: 0, data: bData }] }])]);
    expect([r.dirty, r.applied, r.hive === a]).toEqual([false, 0, true]);
  });

  it('applies new-format entries from the primary sequence number on, skipping old ones', () => {
    const stale = { sequence: 3, size: 4096, pages: [{ offset: 0, data: Buffer.alloc(4096, 0xee) }] };
    // entry 7 writes all of the new hive's pages in two pieces; entry 8 repeats the second piece
    const half = Math.floor(bData.length / 4096 / 2) * 4096;
    const log1 = newLog(dirty, [stale, { sequence: 7, size: bData.length, pages: [{ offset: 0, data: bData.subarray(0, half) }, { offset: half, data: bData.subarray(half) }] }]);
    const log2 = newLog(dirty, [{ sequence: 8, size: bData.length, pages: [{ offset: half, data: bData.subarray(half) }] }]);
    expect(readLogEntries(log1).map((e) => e.sequence)).toEqual([3, 7]);
    const r = recoverHive(dirty, [log1, log2]);
    expect([r.dirty, r.applied]).toEqual([true, 2]);
    expect([r.hive.readUInt32LE(4), r.hive.readUInt32LE(8), r.hive.readUInt32LE(508)]).toEqual([8, 8, baseBlockChecksum(r.hive)]);
    expect(flatObject(readHive(r.hive))).toEqual(flatObject(after));
  });

  it('stops at an entry whose hash does not match', () => {
    const log = newLog(dirty, [{ sequence: 7, size: bData.length, pages: [{ offset: 0, data: bData }] }]);
    log[512 + 40 + 8 + 100] ^= 1; // a data byte of the only entry
    const r = recoverHive(dirty, [log]);
    expect(r.applied).toBe(0);
    expect(readLogEntries(log)).toEqual([]);
  });

  it('applies an old-format log (DIRT bitmap of 512-byte pages) written for the same base block', () => {
    const pages = bData.length / 512;
    const head = setBase(dirty.subarray(0, 4096), (x) => {
      x.writeUInt32LE(1, 28);
      x.writeUInt32LE(7, 8);
      x.writeUInt32LE(bData.length, 40);
    }).subarray(0, 512);
    const bitmap = Buffer.alloc(Math.ceil(pages / 8));
    const dirtyPages: Buffer[] = [];
    for (let i = 0; i < pages; i++) {
      // only pages that differ are logged
      if (i * 512 < a.length - 4096 && a.subarray(4096 + i * 512, 4096 + (i + 1) * 512).equals(bData.subarray(i * 512, (i + 1) * 512))) continue;
      bitmap[i >> 3]! |= 1 << (i & 7);
      dirtyPages.push(bData.subarray(i * 512, (i + 1) * 512));
    }
    const vector = Buffer.concat([Buffer.from('DIRT'), bitmap]);
    const pad = Buffer.alloc(Math.ceil(vector.length / 512) * 512 - vector.length);
    const log = Buffer.concat([head, vector, pad, ...dirtyPages]);
    const r = recoverHive(dirty, [log]);
    expect(r.applied).toBe(1);
    expect(flatObject(readHive(r.hive))).toEqual(flatObject(after));
  });

  it('ignores logs that are garbage or declare sizes larger than they can carry', () => {
    const huge = newLog(dirty, [{ sequence: 7, size: 0x7ffff000, pages: [{ offset: 0, data: Buffer.alloc(512) }] }]);
    for (const log of [Buffer.alloc(0), Buffer.alloc(9000, 0x41), huge]) {
      const r = recoverHive(dirty, [log]);
      expect(r.applied).toBe(0);
      expect(r.hive).toBe(dirty);
    }
  });
});
