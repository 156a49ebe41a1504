// CI sample of the auth fuzzer (the full run is `npm run bench:auth-fuzz`).
import { describe, expect, it } from 'vitest';
import { Rng } from '../harness/rng.js';
import { buildTargets, fuzz, mutate } from './fuzz.js';

describe('auth fuzz (sample)', () => {
  it('mutations of valid NTLM and SPNEGO tokens give typed errors only: no crash, no hang', () => {
    const targets = buildTargets();
    const r = fuzz(targets, 500);
    expect(r.failures).toEqual([]);
    expect(r.cases).toBe(500 * targets.length);
    // the mutator really breaks things (most cases are rejected) and the seeds really are valid
    expect(r.typedErrors).toBeGreaterThan(r.cases / 2);
    for (const t of targets) for (const s of t.seeds) t.run(s);
    expect(r.slowestMs).toBeLessThan(1000);
  });

  it('mutate is deterministic for a seed', () => {
    const seed = Buffer.from('NTLMSSP\0 some bytes to mutate');
    const a = mutate(seed, new Rng(7));
    const b = mutate(seed, new Rng(7));
    expect(a.equals(b)).toBe(true);
  });
});
