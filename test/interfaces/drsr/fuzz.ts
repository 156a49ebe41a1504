// Mutation fuzzer for the GetNCChanges reply decoder and the page decoder: a captured Samba reply (and
// the same reply compressed by Samba as V7), bytes flipped, counts inflated, cut short. Anything but a typed HivewireError is a failure.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeGetNCChangesResponse } from '../../../src/interfaces/drsr/client.js';
import { decodeReplyPage } from '../../../src/interfaces/drsr/replicate.js';
import { HivewireError } from '../../../src/util/errors.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SEED = readFileSync(join(HERE, 'fixtures', 'getncchanges-v6-page.bin'));
/** The same page as V7 replies that Samba compressed (MSZIP, XPRESS): the compressed path is fuzzed too. */
const V7_SEEDS = (JSON.parse(readFileSync(join(HERE, 'compression', 'fixtures', 'samba-compressed.json'), 'utf8')) as { cases: { name: string; stub?: string }[] }).cases
  .filter((c) => /^(mszip|xpress): captured Samba page$/.test(c.name) && c.stub)
  .map((c) => Buffer.from(c.stub!, 'hex'));
const SEEDS = [SEED, ...V7_SEEDS];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export function mutate(seed: Buffer, r: () => number): Buffer {
  const b = Buffer.from(seed);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(r() * b.length);
    switch (Math.floor(r() * 4)) {
      case 0:
        b[p] = Math.floor(r() * 256);
        break;
      case 1: // a big count where a u32 was
        if (p + 4 <= b.length) b.writeUInt32LE([0xffffffff, 0x7fffffff, 0x10000, b.readUInt32LE(p) + 1][Math.floor(r() * 4)]!, p);
        break;
      case 2:
        return b.subarray(0, p);
      default:
        b[p] = b[p]! ^ (1 << Math.floor(r() * 8));
    }
  }
  return b;
}

/** Runs `count` cases from `start`; returns the failures (non-typed errors). */
export function fuzz(count: number, start = 1): { cases: number; typed: number; ok: number; failures: string[] } {
  let typed = 0;
  let ok = 0;
  const failures: string[] = [];
  for (let i = start; i < start + count; i++) {
    const input = mutate(SEEDS[i % SEEDS.length]!, rng(i));
    try {
      const reply = decodeGetNCChangesResponse(input);
      decodeReplyPage(reply);
      ok++;
    } catch (err) {
      if (err instanceof HivewireError) typed++;
      else failures.push(`case ${i}: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  return { cases: count, typed, ok, failures };
}
