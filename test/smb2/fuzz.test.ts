// CI sample of the SMB2 fuzzer (bench/smb2-fuzz.ts runs 300,000+ cases).
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz.js';

describe('SMB2 mutation fuzzing (sample)', () => {
  it('20,000 mutated captures: decoders throw only FormatError, the server never fails internally', () => {
    const stats = runFuzz(20_000, 20261122);
    expect(stats.failures.slice(0, 3)).toEqual([]);
    expect(stats.cases).toBe(20_000);
    // the mutations must really exercise both outcomes
    expect(stats.formatErrors).toBeGreaterThan(1000);
    expect(stats.accepted).toBeGreaterThan(1000);
    expect(stats.serverOpens).toBe(5000); // every server case reached an open pipe before its mutated frame
  });
});
