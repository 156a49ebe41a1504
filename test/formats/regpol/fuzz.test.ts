import { describe, expect, it } from 'vitest';
import { fuzz } from './fuzz.js';

describe('registry.pol fuzz (mutated valid files)', () => {
  it('gives entries or a FormatError, never anything else, and the readers agree (CI sample)', () => {
    const t0 = Date.now();
    const stats = fuzz(5000, 7);
    expect(stats.cases).toBe(5000);
    expect(stats.invalid).toBeGreaterThan(1000); // the mutations really do break files
    expect(stats.valid).toBeGreaterThan(100); // and some survive (e.g. flips inside data)
    expect(Date.now() - t0).toBeLessThan(60_000); // no case hangs
  });
});
