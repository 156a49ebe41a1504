// The embedded backend's binary encoding (codec.ts): variable-length integers and strings of the
// snapshot's packed values round-trip, and bad input is a FormatError, never a crash or a big read.

import { describe, expect, it } from 'vitest';
import { BinReader, BinWriter } from '../../src/registry/codec.js';
import { FormatError } from '../../src/util/errors.js';

describe('codec: variable-length fields', () => {
  it('round-trips integers at the byte boundaries, strings below and above 128 bytes, and raw bytes', () => {
    const w = new BinWriter(4);
    const ints = [0, 1, 127, 128, 16383, 16384, 0x7fffffff, 0xffffffff];
    for (const n of ints) w.vu32(n);
    const texts = ['', 'Path1', 'x'.repeat(127), 'y'.repeat(128), 'é'.repeat(70), '名前'.repeat(30)];
    for (const t of texts) w.vstr(t);
    w.vbytes(Buffer.from([1, 2, 3]));
    w.latin1('\u0000\u00ff\u0080');
    const out = w.result();
    // 128 needs two bytes; 0xffffffff five.
    expect(out.subarray(0, 4)).toEqual(Buffer.from([0, 1, 0x7f, 0x80]));
    const r = new BinReader(out, 'test');
    expect(ints.map(() => r.vu32())).toEqual(ints);
    expect(texts.map(() => r.vstr())).toEqual(texts);
    expect(r.vbytes()).toEqual(Buffer.from([1, 2, 3]));
    expect(r.take(3, 'bytes')).toEqual(Buffer.from([0, 0xff, 0x80]));
    expect(r.left).toBe(0);
  });

  it('refuses an integer over five bytes or over 32 bits, and lengths past the end', () => {
    const bad = [
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), // six bytes
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f]), // 2^35 - 1
      Buffer.from([0x80]), // cut short
    ];
    for (const b of bad) expect(() => new BinReader(b, 'test').vu32()).toThrow(FormatError);
    // A string claiming 2^31 bytes with three present: refused before anything is allocated.
    expect(() => new BinReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08, 0x41, 0x41, 0x41]), 'test').vstr()).toThrow(FormatError);
    expect(() => new BinReader(Buffer.from([0x05, 0x01]), 'test').vbytes()).toThrow(FormatError);
  });
});
