// A CI-sized sample of the NDR fuzzer (bench/ndr.ts runs 300,000+ cases): mutated valid stubs of real
// operations must decode or fail with a typed NdrError — never another exception, never a hang.
import { describe, expect, it } from 'vitest';
import { fuzz, seeds } from './fuzz.js';

describe('NDR fuzz (sample)', () => {
  it('every seed decodes unmutated', () => {
    for (const s of seeds()) expect(() => s.decode(s.stub), s.name).not.toThrow();
  });
  it('20,000 mutated stubs: typed errors only, each fast', () => {
    const stats = fuzz(20_000, 0x5eed);
    expect(stats.crashes).toEqual([]);
    expect(stats.cases).toBe(20_000);
    // the mutations reach the checks, not just the first field
    for (const code of ['ERR_NDR_SHORT', 'ERR_NDR_COUNT', 'ERR_NDR_CONFORMANCE', 'ERR_NDR_VARIANCE', 'ERR_NDR_RANGE', 'ERR_NDR_UNION', 'ERR_NDR_TRAILING']) {
      expect(stats.rejected[code] ?? 0, code).toBeGreaterThan(0);
    }
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.slowestMs).toBeLessThan(2000); // no hang (generous: CI machines are shared and GC pauses count)
  });
});
