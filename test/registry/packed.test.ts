// The packed form of a key's values (packed.ts): what snapshots store and the loaded tree reads in
// place. Text made only of UTF-16 units below 0x100 is kept one byte a unit and read back exactly;
// anything else is kept as given; snapshots of versions 2 and 3 are re-encoded; bad input is a
// FormatError with its offset.

import { describe, expect, it } from 'vitest';
import { BinReader, BinWriter } from '../../src/registry/codec.js';
import { StoredValue, packValues, readPackedValue, readStoredValue, repackValues, skipPackedValue } from '../../src/registry/packed.js';
import { FormatError } from '../../src/util/errors.js';
import { thrown } from '../harness/thrown.js';
import type { ValueRecord } from '../../src/registry/backend.js';

const utf16 = (s: string) => Buffer.from(s, 'utf16le');
const VALUES: ValueRecord[] = [
  { name: 'Path', type: 1, data: utf16('C:\\Program Files\\Vendor\\bin\\a.dll\0') },
  { name: 'Expand', type: 2, data: utf16('%SystemRoot%\\x\0') },
  { name: 'Multi', type: 7, data: utf16('a\0bé\0\0') },
  { name: 'Wide', type: 1, data: utf16('名前\0') }, // a unit above 0xff: kept as is
  { name: 'Odd', type: 1, data: Buffer.from([0x41, 0, 0x42]) }, // odd length: kept as is
  { name: 'Empty', type: 1, data: Buffer.alloc(0) },
  { name: 'Bin', type: 3, data: Buffer.from([0x41, 0, 0x42, 0]) }, // not text: never narrowed
  { name: '', type: 0xdeadbeef, data: Buffer.from([1, 2, 3]) },
];

function pack(vals: readonly ValueRecord[]): Buffer {
  const w = new BinWriter(8);
  packValues(w, vals);
  return w.result();
}

describe('packed values (snapshot v4, the loaded tree)', () => {
  it('round-trips every kind of value exactly, as views and as stored copies', () => {
    const blob = pack(VALUES);
    const r = new BinReader(blob, 'test');
    const back = VALUES.map(() => readPackedValue(r));
    expect(r.left).toBe(0);
    expect(back.map((v) => [v.name, v.type, v.data.toString('hex')])).toEqual(VALUES.map((v) => [v.name, v.type, v.data.toString('hex')]));
    const r2 = new BinReader(blob, 'test');
    const stored = VALUES.map(() => readStoredValue(r2));
    expect(stored.every((v) => v instanceof StoredValue)).toBe(true);
    expect(stored.map((v) => v.data.toString('hex'))).toEqual(VALUES.map((v) => v.data.toString('hex')));
    // StoredValue input (the tree's own records) packs the same bytes.
    expect(pack(VALUES.map((v) => StoredValue.of(v)))).toEqual(blob);
  });

  it('keeps narrow text at one byte a unit: the largest part of a registry takes half the memory', () => {
    const text = 'C:\\Program Files\\Vendor\\Product\\bin\\module1.dll\0';
    const narrow = pack([{ name: 'P', type: 1, data: utf16(text) }]);
    const wide = pack([{ name: 'P', type: 3, data: utf16(text) }]);
    expect(narrow.length).toBe(wide.length - text.length);
  });

  it('skips a value without decoding its data', () => {
    const r = new BinReader(pack(VALUES), 'test');
    expect(VALUES.map(() => skipPackedValue(r))).toEqual(VALUES.map((v) => v.name));
    expect(r.left).toBe(0);
  });

  it('re-encodes the values of snapshot versions 2 (u32 framing) and 3 (variable-length, nothing narrow)', () => {
    const v2 = new BinWriter(8);
    const v3 = new BinWriter(8);
    for (const v of VALUES) {
      v2.str(v.name);
      v2.u32(v.type);
      v2.bytes(v.data);
      v3.vstr(v.name);
      v3.vu32(v.type);
      v3.vbytes(v.data);
    }
    expect(repackValues(v2.result(), VALUES.length, 2, 'test')).toEqual(pack(VALUES));
    expect(repackValues(v3.result(), VALUES.length, 3, 'test')).toEqual(pack(VALUES));
    expect(() => repackValues(Buffer.concat([v3.result(), Buffer.from([0])]), VALUES.length, 3, 'test')).toThrow(/values that fill their block/);
  });

  it('refuses data past the end and narrow text of odd length with the offset', () => {
    // name 'A', type 1, tag 2*8+1 (8 bytes narrow = 4 stored) but only 2 present
    const short = Buffer.from([1, 0x41, 1, 17, 0x41, 0x42]);
    expect(() => readPackedValue(new BinReader(short, 'test'))).toThrow(FormatError);
    // tag 2*3+1: 3 bytes of UTF-16 cannot be narrow
    const odd = Buffer.from([1, 0x41, 1, 7, 0x41, 0x42]);
    const e = thrown(FormatError, () => readPackedValue(new BinReader(odd, 'test')));
    expect(e.message).toMatch(/even length/);
    expect(e.offset).toBe(4);
  });
});
