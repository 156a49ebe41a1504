// Durability (issue 4 §3, §5): a writer process is SIGKILLed at random moments, 100 times; after each
// kill the store is opened again and must hold every acknowledged write, no write that was never
// issued, no torn value, no half of a transaction, and nothing else changed. Both backends.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForNode } from '../harness/bundle.js';
import { REG_SZ, encodeValue } from '../../src/formats/value.js';
import { RegistryStore, type StoreOptions } from '../../src/registry/index.js';
import { BASE, KEYS, dataFor } from './fixtures/durability-data.js';
import { freshSchemaUrl, removeTempDirs, startPostgres, tempDir, type PgServer } from './helpers.js';

const KILLS = Number(process.env.HW_DURABILITY_KILLS ?? 100);

let bundle: string;
let bundleDir: string;
beforeAll(async () => {
  // Bundled once so that each of the hundreds of child processes starts in milliseconds.
  bundleDir = mkdtempSync(join(tmpdir(), 'hw-dur-'));
  bundle = join(bundleDir, 'writer.mjs');
  await bundleForNode(join(import.meta.dirname, 'fixtures', 'durability-writer.ts'), bundle);
});
afterAll(() => {
  rmSync(bundleDir, { recursive: true, force: true });
  removeTempDirs();
});

interface Run {
  started: number[];
  acked: number[];
}

/** Starts the writer, kills it with SIGKILL `delayMs` after it is ready, returns what it reported. */
function runWriter(where: string, start: number, delayMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, where, String(start), '16'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!timer && out.startsWith('R\n')) timer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const guard = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 30_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited on its own (${_code}): ${err}`));
      const started: number[] = [];
      const acked: number[] = [];
      // The last line may be cut mid-way by the kill: only whole lines count.
      for (const line of out.split('\n').slice(0, -1)) {
        const [tag, n] = line.split(' ');
        if (tag === 'S') started.push(Number(n));
        else if (tag === 'A') acked.push(Number(n));
      }
      resolve({ started, acked });
    });
  });
}

// Plain comparisons, one assertion per check: tens of thousands of values are checked after each kill.
async function check(store: RegistryStore, started: Set<number>, acked: Set<number>): Promise<number> {
  const present = new Map<string, Buffer>();
  for (let k = 0; k < KEYS; k++) {
    for (const v of await store.listValues(`${BASE}\\K${k}`).catch(() => [])) present.set(v.name, v.data);
  }
  const problems: string[] = [];
  const same = (name: string, want: Buffer) => {
    const got = present.get(name);
    if (!got) problems.push(`acknowledged ${name} missing`);
    else if (!got.equals(want)) problems.push(`acknowledged ${name} has wrong data`);
  };
  for (const n of acked) {
    if (n % 5 === 0) {
      same(`p${n}a`, dataFor(n));
      same(`p${n}b`, dataFor(n + 1));
    } else same(`v${n}`, dataFor(n));
  }
  for (const [name, data] of present) {
    const m = /^(v|p)(\d+)(a|b)?$/.exec(name);
    if (!m) {
      problems.push(`unexpected value ${name}`);
      continue;
    }
    const n = Number(m[2]);
    if (!started.has(n)) problems.push(`value ${name} of a write never issued`);
    if (!data.equals(dataFor(m[3] === 'b' ? n + 1 : n))) problems.push(`value ${name} torn or wrong`);
    if (m[1] === 'p' && !present.has(`p${n}${m[3] === 'a' ? 'b' : 'a'}`)) problems.push(`half of transaction ${n}`);
  }
  expect(problems.slice(0, 20)).toEqual([]);
  return present.size;
}

async function baseline(store: RegistryStore): Promise<unknown> {
  return {
    software: await store.listSubkeys('HKLM\\Software'),
    base: (await store.listSubkeys(BASE)).filter((n) => !/^K\d+$/.test(n)),
    fixed: await store.listValues('HKLM\\Software\\Untouched'),
    users: await store.listSubkeys('HKU'),
  };
}

async function torture(loc: StoreOptions, where: string, kills: number, maxDelayMs: number): Promise<void> {
  const s0 = await RegistryStore.open({ ...loc, log: () => undefined });
  await s0.setValue('HKLM\\Software\\Untouched', 'a', REG_SZ, encodeValue(REG_SZ, 'fixed'));
  await s0.setValue('HKLM\\Software\\Untouched', 'b', REG_SZ, encodeValue(REG_SZ, 'also fixed'));
  await s0.createKey(BASE);
  const expected = await baseline(s0);
  await s0.close();
  const started = new Set<number>();
  const acked = new Set<number>();
  const shared = loc.postgres ? await RegistryStore.open({ ...loc, log: () => undefined }) : undefined;
  let next = 0;
  let values = 0;
  for (let i = 0; i < kills; i++) {
    const run = await runWriter(where, next, 5 + Math.floor(Math.random() * maxDelayMs));
    for (const n of run.started) started.add(n);
    for (const n of run.acked) acked.add(n);
    next = Math.max(next, ...run.started) + 1;
    // The embedded store is opened afresh after each kill (that replay is what is tested); a shared
    // database has nothing to replay, so one checking store serves every round.
    const store = shared ?? (await RegistryStore.open({ ...loc, log: () => undefined }));
    try {
      values = await check(store, started, acked);
      expect(await baseline(store)).toEqual(expected);
    } finally {
      if (!shared) await store.close();
    }
  }
  await shared?.close();
  // Writes were acknowledged and killed in flight across the runs.
  expect(acked.size).toBeGreaterThan(kills / 2);
  expect(started.size).toBeGreaterThan(acked.size);
  expect(values).toBeGreaterThan(0);
}

describe('durability under SIGKILL', () => {
  it(`embedded: every acknowledged write survives ${KILLS} kills`, async () => {
    const dir = tempDir('hw-dur-data-');
    await torture({ data: dir, embedded: { compactBytes: 256 * 1024 } }, dir, KILLS, 120);
  }, 1_200_000);

  describe('postgres', () => {
    let server: PgServer;
    beforeAll(async () => {
      server = await startPostgres({ fsync: true });
    });
    afterAll(() => server?.stop());
    it(`postgres: every acknowledged write survives ${KILLS} kills`, async () => {
      const url = await freshSchemaUrl(server);
      await torture({ postgres: url }, url, KILLS, 400);
    }, 1_200_000);
  });
});
