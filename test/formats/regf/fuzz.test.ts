import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz.js';

describe('fuzz sample: mutated hives and .reg files', () => {
  it('gives results or typed errors only, each case quickly (full run: npm run bench:formats-fuzz)', () => {
    const seed = Date.now() & 0xffff || 1;
    const r = fuzz(3000, seed);
    expect(r.failures, `seed ${seed}`).toEqual([]);
    expect(r.cases).toBe(3000);
    // the mutations reach past the first check: both outcomes happen
    expect(r.typedErrors).toBeGreaterThan(300);
    expect(r.accepted).toBeGreaterThan(300);
    expect(r.slowestMs).toBeLessThan(2000);
  });
});
