// Mutation fuzzing of the registry.pol readers, shared by the CI test (a sample) and
// bench/regpol-fuzz.ts (the full count). A case passes when every reader either returns entries or
// throws a FormatError, and the whole-buffer and incremental readers agree.

import { FormatError } from '../../../src/util/errors.js';
import { parsePol, PolStreamParser, serializePol } from '../../../src/formats/regpol/index.js';
import { EDGE_CASES, randomFile, rng } from './corpus.js';

export function seedFiles(count: number): Buffer[] {
  const out = EDGE_CASES.map(([, es]) => serializePol(es));
  for (let i = 0; out.length < count; i++) out.push(serializePol(randomFile(50_000 + i, i % 3 === 0)));
  return out.filter((b) => b.length < 200_000);
}

/** One mutation of `src`: byte flips, truncation, a size field set to an odd value, splices. */
export function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const n = b.length;
  switch (Math.floor(r() * 6)) {
    case 0: {
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) b[Math.floor(r() * n)] = Math.floor(r() * 256);
      return b;
    }
    case 1:
      return b.subarray(0, Math.floor(r() * n));
    case 2: {
      // a 32-bit field (type or size) anywhere set to a boundary value
      const at = Math.floor(r() * Math.max(1, n - 4));
      const vals = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0xffffffff, n, n * 2];
      if (at + 4 <= n) b.writeUInt32LE(vals[Math.floor(r() * vals.length)]! >>> 0, at);
      return b;
    }
    case 3: {
      const a = Math.floor(r() * n);
      const len = Math.floor(r() * 64);
      return Buffer.concat([b.subarray(0, a), b.subarray(a, a + len), b.subarray(a)]);
    }
    case 4: {
      const a = Math.floor(r() * n);
      return Buffer.concat([b.subarray(0, a), b.subarray(a + 1 + Math.floor(r() * 8))]);
    }
    default: {
      const a = Math.floor(r() * n);
      const delims = [0x5b, 0x5d, 0x3b, 0x00];
      b[a - (a % 2)] = delims[Math.floor(r() * delims.length)]!;
      b[a - (a % 2) + 1] = 0;
      return b;
    }
  }
}

export interface FuzzStats {
  cases: number;
  valid: number;
  invalid: number;
}

/** Runs `cases` mutations; throws (with the input in hex) on the first case that breaks a rule. */
export function fuzz(cases: number, seed = 1): FuzzStats {
  const r = rng(seed);
  const seeds = seedFiles(64);
  const stats: FuzzStats = { cases: 0, valid: 0, invalid: 0 };
  for (let i = 0; i < cases; i++) {
    const input = mutate(seeds[Math.floor(r() * seeds.length)]!, r);
    let strictOffset = -1;
    let strictCount = -1;
    try {
      strictCount = parsePol(input).entries.length;
      stats.valid++;
    } catch (err) {
      if (!(err instanceof FormatError)) throw new Error(`case ${i}: ${String(err)} for ${input.toString('hex').slice(0, 400)}`);
      strictOffset = err.offset;
      stats.invalid++;
    }
    const lenient = parsePol(input, { lenient: true }); // must never throw
    if (strictOffset < 0 && lenient.problems.length !== 0) throw new Error(`case ${i}: lenient found problems in a valid file`);
    if (strictOffset >= 0 && lenient.problems[0]?.offset !== strictOffset) throw new Error(`case ${i}: lenient and strict disagree on the first problem`);
    // the incremental reader, fed in random pieces, agrees with the whole-buffer reader
    const p = new PolStreamParser();
    let count = 0;
    try {
      for (let at = 0; at < input.length; ) {
        const step = 1 + Math.floor(r() * 300);
        count += p.push(input.subarray(at, at + step)).length;
        at += step;
      }
      count += p.end().length;
      if (strictOffset >= 0 || count !== strictCount) throw new Error(`case ${i}: incremental reader accepted what the whole-buffer reader did not, or counted differently`);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      if (err.offset !== strictOffset) throw new Error(`case ${i}: incremental error at ${err.offset}, whole-buffer at ${strictOffset}`);
    }
    stats.cases++;
  }
  return stats;
}
