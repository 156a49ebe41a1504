import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz.js';

describe('compressed reply fuzz sample (the full 100,000 run is bench/drsr-compression.ts)', () => {
  it('3,000 mutated Samba-made MSZIP/XPRESS blobs give typed errors or a decoded reply, nothing else', () => {
    const r = fuzz(3000);
    expect(r.failures).toEqual([]);
    expect(r.untyped).toBe(0);
    expect(r.typed + r.decoded).toBe(3000);
    expect(r.typed).toBeGreaterThan(1500);
  });
});
