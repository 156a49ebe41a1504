// WIN2K3 / Plain LZ77 + DIRECT2 (MS-DRSR §4.1.10.5.21, MS-XCA §2.4): the MS-XCA examples, every
// length encoding, chunk framing and bad input. Samba-made streams are in samba.test.ts.
import { describe, expect, it } from 'vitest';
import { decompressLz77, decompressXpress } from '../../../../src/interfaces/drsr/compression/index.js';
import { err } from './expect-error.js';

type Token = number | { offset: number; length: number } | 'end';

/**
 * Writes tokens in the DIRECT2 layout of §4.1.10.5.21.2: a 32-bit flags word (MSB first) before each
 * group of 32 elements; a match is a 16-bit word ((offset-1) << 3 | min(length-3, 7)) then, for
 * length ≥ 10, a shared nibble, a byte at 15, two bytes at 255 (and four more when `wide`).
 */
function encode(tokens: Token[], wide = false): Buffer {
  const out: number[] = [];
  let flagsAt = -1;
  let flags = 0;
  let bits = 0;
  let nibbleAt = -1;
  const flush = () => {
    if (flagsAt >= 0) for (let i = 0; i < 4; i++) out[flagsAt + i] = (flags >>> (8 * i)) & 0xff;
  };
  const bit = (b: number) => {
    if (bits === 0) {
      flush();
      flagsAt = out.length;
      out.push(0, 0, 0, 0);
      flags = 0;
      bits = 32;
    }
    bits--;
    if (b) flags |= 1 << bits;
  };
  for (const t of tokens) {
    if (t === 'end') {
      bit(1);
      continue;
    }
    if (typeof t === 'number') {
      bit(0);
      out.push(t);
      continue;
    }
    bit(1);
    const l = t.length - 3;
    const word = ((t.offset - 1) << 3) | Math.min(l, 7);
    out.push(word & 0xff, word >>> 8);
    if (l < 7) continue;
    const n = Math.min(l - 7, 15);
    if (nibbleAt < 0) {
      nibbleAt = out.length;
      out.push(n);
    } else {
      out[nibbleAt]! |= n << 4;
      nibbleAt = -1;
    }
    if (n < 15) continue;
    const b = l - 7 - 15;
    if (b < 255 && !wide) {
      out.push(b);
      continue;
    }
    out.push(255);
    if (wide) {
      out.push(0, 0, l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24);
    } else {
      out.push(l & 0xff, l >>> 8);
    }
  }
  flush();
  return Buffer.from(out);
}

const lits = (s: string) => [...Buffer.from(s)];

/** A chunked WIN2K3 blob: [plain size, compressed size, data] per chunk, headers on 4-byte boundaries. */
function chunks(parts: [number, Buffer][]): Buffer {
  const out: Buffer[] = [];
  let len = 0;
  for (const [plain, data] of parts) {
    const pad = (4 - (len % 4)) % 4;
    const h = Buffer.alloc(pad + 8);
    h.writeUInt32LE(plain, pad);
    h.writeUInt32LE(data.length, pad + 4);
    out.push(h, data);
    len += h.length + data.length;
  }
  return Buffer.concat(out);
}

describe('Plain LZ77 (DIRECT2) streams', () => {
  it('MS-XCA example: 26 literals, then the end bit', () => {
    const s = 'abcdefghijklmnopqrstuvwxyz';
    const data = Buffer.concat([Buffer.from([0x3f, 0, 0, 0]), Buffer.from(s)]);
    expect(decompressLz77(data, 26).toString()).toBe(s);
  });

  it('MS-XCA example: "abc" x 100 as three literals and one match of 297 (nibble 15, byte 255, u16 294)', () => {
    const data = Buffer.from([0xff, 0xff, 0xff, 0x1f, 0x61, 0x62, 0x63, 0x17, 0x00, 0x0f, 0xff, 0x26, 0x01]);
    expect(decompressLz77(data, 300).toString()).toBe('abc'.repeat(100));
  });

  it('DRS example: "ABCABCDEF" as ABC, a match (3,3), then DEF', () => {
    const data = encode([...lits('ABC'), { offset: 3, length: 3 }, ...lits('DEF'), 'end']);
    expect(decompressLz77(data, 9).toString()).toBe('ABCABCDEF');
  });

  it('every length class: 3–9 inline, 10–24 in shared nibbles, 25–279 in a byte, 280+ in 16 bits, 32 bits', () => {
    for (const length of [3, 9, 10, 11, 24, 25, 26, 100, 279, 280, 281, 5000, 65535]) {
      for (const wide of length >= 25 ? [false, true] : [false]) {
        const seed = 'xyzw';
        const data = encode([...lits(seed), { offset: 4, length }, 'end'], wide);
        const out = decompressLz77(data, seed.length + length);
        expect(out.toString(), `length ${length}${wide ? ' (32-bit)' : ''}`).toBe(seed.repeat(Math.ceil((length + 4) / 4)).slice(0, length + 4));
      }
    }
  });

  it('two long matches share one nibble byte (low nibble first, then high)', () => {
    const data = encode([...lits('0123456789'), { offset: 10, length: 12 }, { offset: 5, length: 20 }, 'end']);
    const expected = Buffer.alloc(42);
    Buffer.from('0123456789').copy(expected);
    for (let i = 10; i < 22; i++) expected[i] = expected[i - 10]!;
    for (let i = 22; i < 42; i++) expected[i] = expected[i - 5]!;
    // one nibble byte holds 12-10 = 2 (low) and 20-10 = 10 (high)
    expect(data.includes(Buffer.from([0xa2]))).toBe(true);
    expect(decompressLz77(data, 42).equals(expected)).toBe(true);
  });

  it('overlapping matches repeat the last bytes (offset 1 is a run)', () => {
    const data = encode([0x61, { offset: 1, length: 1000 }, 0x62, { offset: 2, length: 50 }, 'end']);
    expect(decompressLz77(data, 1052).toString()).toBe('a'.repeat(1001) + 'b' + 'ab'.repeat(25));
  });

  it('more than 32 elements take more flags words; the end bit may need a new one', () => {
    const s = 'z'.repeat(3) + 'the quick brown fox jumps over t';
    expect(s.length).toBe(35);
    const exactly32 = encode([...lits(s.slice(0, 32)), 'end']);
    expect(exactly32.length).toBe(4 + 32 + 4);
    expect(decompressLz77(exactly32, 32).toString()).toBe(s.slice(0, 32));
    expect(decompressLz77(encode([...lits(s), 'end']), 35).toString()).toBe(s);
    // Without the end bit the stream simply ends with the input.
    expect(decompressLz77(encode(lits(s)), 35).toString()).toBe(s);
  });

  it('an empty stream is empty', () => {
    expect(decompressLz77(Buffer.alloc(0), 0).length).toBe(0);
    expect(decompressLz77(encode(['end']), 0).length).toBe(0);
  });

  describe('bad input: typed errors with the offset', () => {
    it('a match reaching before the start of the output', () => {
      const e = err(() => decompressLz77(encode([...lits('ab'), { offset: 3, length: 3 }]), 5));
      expect(e).toMatchObject({ code: 'ERR_DRS_COMPRESSION_DATA', offset: 6 });
    });
    it('a flags word, a match word, a nibble, a length byte, 16 or 32 bits of length cut short', () => {
      const cases: [Buffer, number][] = [
        [Buffer.from([0, 0]), 2],
        [encode([...lits('abcd'), { offset: 4, length: 3 }]).subarray(0, 9), 7], // one byte of the match word
      ];
      const long = encode([...lits('abcd'), { offset: 4, length: 1000 }], true); // literals, word, nibble, 255, 0 0, u32
      for (const cut of [long.length - 1, long.length - 4, long.length - 5, long.length - 7, long.length - 8]) cases.push([long.subarray(0, cut), 1004]);
      cases.push([encode([...lits('abcd'), { offset: 4, length: 12 }]).subarray(0, 10), 16]); // no nibble byte
      for (const [data, size] of cases) expect(err(() => decompressLz77(data, size)).code).toBe('ERR_DRS_COMPRESSION_TRUNCATED');
    });
    it('an explicit 16-bit length under 22', () => {
      const data = Buffer.from([0x0f, 0, 0, 0x80 >>> 0, ...lits('abcd')]);
      data.writeUInt32LE(0x08000000, 0); // bit 27: the fifth element is a match
      const bad = Buffer.concat([data, Buffer.from([0x1f, 0x00, 0x0f, 0xff, 0x05, 0x00])]);
      expect(err(() => decompressLz77(bad, 100)).code).toBe('ERR_DRS_COMPRESSION_DATA');
    });
    it('literals or a match past the declared size', () => {
      expect(err(() => decompressLz77(encode(lits('abcdef')), 5)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
      expect(err(() => decompressLz77(encode([0x61, { offset: 1, length: 10 }]), 5)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
      expect(err(() => decompressLz77(encode(lits('abc')), 5)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
    });
    it('a declared size over the cap', () => {
      expect(err(() => decompressLz77(Buffer.alloc(4), 1 << 30)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
    });
  });
});

describe('WIN2K3 chunk framing', () => {
  const a = Buffer.from('A'.repeat(0x10000));
  const runOf = (n: number) => encode([0x41, { offset: 1, length: n - 1 }, 'end']);

  it('one chunk; exactly 64 KiB plus an empty chunk (as Samba writes it); 64 KiB + 1; three chunks', () => {
    expect(decompressXpress(chunks([[0x10000, runOf(0x10000)]]), 0x10000).equals(a)).toBe(true);
    expect(decompressXpress(chunks([[0x10000, runOf(0x10000)], [0, encode(['end'])]]), 0x10000).equals(a)).toBe(true);
    expect(decompressXpress(chunks([[0x10000, runOf(0x10000)], [1, encode([0x41, 'end'])]]), 0x10001).equals(Buffer.concat([a, Buffer.from('A')]))).toBe(true);
    const three = chunks([[0x10000, runOf(0x10000)], [0x10000, runOf(0x10000)], [5, encode(lits('hello'))]]);
    expect(decompressXpress(three, 0x20005).toString()).toBe('A'.repeat(0x20000) + 'hello');
  });

  it('chunks are independent: a match may not reach into the previous chunk', () => {
    const blob = chunks([[4, encode(lits('abcd'))], [4, encode([{ offset: 4, length: 4 }])]]);
    // second header at 16 (8 + 8, aligned), its flags word at 24, the match word at 28
    expect(err(() => decompressXpress(blob, 8))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_DATA', offset: 28 });
  });

  it('a chunk whose two sizes are equal is stored', () => {
    expect(decompressXpress(chunks([[5, Buffer.from('plain')]]), 5).toString()).toBe('plain');
  });

  it('bad framing: short header, chunk over 64 KiB or over the declared size, compressed size past the end, short chunk, short total', () => {
    const one = chunks([[0x10000, runOf(0x10000)]]);
    expect(err(() => decompressXpress(one.subarray(0, 6), 0))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_TRUNCATED', offset: 0 });
    const over = Buffer.from(one);
    over.writeUInt32LE(0x10001, 0);
    expect(err(() => decompressXpress(over, 0x10000)).code).toBe('ERR_DRS_COMPRESSION_DATA');
    expect(err(() => decompressXpress(one, 0x8000))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_SIZE', offset: 0 });
    const past = Buffer.from(one);
    past.writeUInt32LE(one.length, 4);
    expect(err(() => decompressXpress(past, 0x10000))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_TRUNCATED', offset: 4 });
    const short = chunks([[10, encode(lits('abc'))]]);
    expect(err(() => decompressXpress(short, 10)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
    expect(err(() => decompressXpress(chunks([[5, encode(lits('hello'))]]), 6)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
    expect(err(() => decompressXpress(one, 0x10004)).code).toBe('ERR_DRS_COMPRESSION_LIMIT'); // 20 bytes cannot hold two chunks
    expect(err(() => decompressXpress(Buffer.alloc(16), 1 << 20)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
  });
});
