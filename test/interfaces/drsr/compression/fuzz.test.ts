import { describe, expect, it } from 'vitest';
import { fuzz, fuzzHuffman } from './fuzz.js';

describe('compressed reply fuzz sample (the full 100,000 run is bench/drsr-compression.ts)', () => {
  it('3,000 mutated Samba-made MSZIP/XPRESS blobs give typed errors or a decoded reply, nothing else', () => {
    const r = fuzz(3000);
    expect(r.failures).toEqual([]);
    expect(r.untyped).toBe(0);
    expect(r.typed + r.decoded).toBe(3000);
    expect(r.typed).toBeGreaterThan(1500);
  });

  it('1,000 mutated LZ77+Huffman streams give typed errors or the declared size, nothing else', () => {
    const r = fuzzHuffman(1000);
    expect(r.failures).toEqual([]);
    expect(r.untyped).toBe(0);
    expect(r.typed + r.decoded).toBe(1000);
    expect(r.typed).toBeGreaterThan(200);
  });
});
