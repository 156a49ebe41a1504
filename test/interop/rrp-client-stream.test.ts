// keys() and values() stream against our own server (`hivewire serve` on 127.0.0.68, ncacn_np): every
// entry in index order, only a few enumeration calls ahead of the consumer, and none after it stops.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/interfaces/rrp/client.js';
import * as T from '../../src/interfaces/rrp/types.js';
import { readTree } from '../../src/reg/walk.js';
import type { RpcClient } from '../../src/rpc/client.js';
import { addLoopback, removeLoopback } from '../harness/peers.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';

const IP = '127.0.0.68';
const USER = { username: 'streamer', password: 'Stream-Test-1', domain: 'HIVEWIRE' };
const BASE = 'HKLM\\SOFTWARE\\HWStream';
const N = 300;
let dir: string;
let ours: ServeProcess | undefined;
let added = false;
let reg: RegistryClient;

/** Counts the RPC calls of the client's associations (by opnum too), and the most in flight at once on one. */
function countCalls(client: RegistryClient): { calls: number; peak: number; byOpnum: Map<number, number> } {
  const stats = { calls: 0, peak: 0, byOpnum: new Map<number, number>() };
  for (const { rpc } of (client as unknown as { conns: { rpc: RpcClient }[] }).conns) {
    const call = rpc.call.bind(rpc);
    rpc.call = (...args: Parameters<RpcClient['call']>) => {
      stats.calls++;
      stats.byOpnum.set(args[0], (stats.byOpnum.get(args[0]) ?? 0) + 1);
      stats.peak = Math.max(stats.peak, rpc.pendingCalls + 1);
      return call(...args);
    };
  }
  return stats;
}

beforeAll(async () => {
  added = addLoopback(IP);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-stream-'));
  mkdirSync(join(dir, 'files'));
  ours = await startServeProcess(['--listen', `np:${IP}:445`, '--user', `${USER.username}:${USER.password}:admin`, '--data', join(dir, 'data'), '--files', join(dir, 'files')]);
  const setup = await RegistryClient.connect({ host: IP, ...USER });
  try {
    const k = await setup.createKey(BASE);
    // names that sort differently from their creation order
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => k.setValue(`v${(i + j) * 7 % N}`, i + j)));
      await Promise.all(Array.from({ length: 50 }, (_, j) => setup.createKey(`${BASE}\\k${(i + j) * 7 % N}`).then((c) => c.close())));
    }
    await k.close();
  } finally {
    await setup.close();
  }
}, 120_000);

afterAll(async () => {
  await ours?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (added) removeLoopback(IP);
});

describe('RegistryKey.keys() / values() stream', () => {
  it('yields every value and subkey in index order, as the whole-list calls return them', async () => {
    reg = await RegistryClient.connect({ host: IP, ...USER });
    try {
      const k = await reg.openKey(BASE);
      const streamedValues = [];
      for await (const v of k.values()) streamedValues.push(v);
      const listed = await k.valueList();
      expect(streamedValues).toHaveLength(N);
      expect(streamedValues.map((v) => v.name)).toEqual(listed.map((v) => v.name));
      expect(streamedValues.find((v) => v.name === 'v7')?.data.readUInt32LE(0)).toBe(1);
      const streamedKeys = [];
      for await (const s of k.keys()) streamedKeys.push(s.name);
      expect(streamedKeys).toEqual((await k.subkeys()).map((s) => s.name));
      expect(new Set(streamedKeys).size).toBe(N);
      await k.close();
    } finally {
      await reg.close();
    }
  });

  it('stays a few calls ahead of the consumer and stops asking when it breaks out', async () => {
    reg = await RegistryClient.connect({ host: IP, ...USER });
    try {
      const k = await reg.openKey(BASE);
      const stats = countCalls(reg);
      let seen = 0;
      for await (const v of k.values()) {
        expect(v.name).toMatch(/^v\d+$/);
        // a slow consumer: the calls in flight must not run away from it
        await new Promise((r) => setTimeout(r, 2));
        if (++seen === 20) break;
      }
      await new Promise((r) => setTimeout(r, 100)); // let any stray calls show up
      // one QueryInfoKey, the 20 values taken, at most `concurrency` asked ahead
      expect(stats.calls).toBeLessThanOrEqual(1 + 20 + reg.concurrency);
      expect(stats.peak).toBeLessThanOrEqual(reg.concurrency + 1);
      const before = stats.calls;
      seen = 0;
      for await (const s of k.keys()) {
        expect(s.name).toMatch(/^k\d+$/);
        if (++seen === 5) break;
      }
      await new Promise((r) => setTimeout(r, 100));
      expect(stats.calls - before).toBeLessThanOrEqual(1 + 5 + reg.concurrency);
      await k.close();
    } finally {
      await reg.close();
    }
  });
});

describe('readTree', () => {
  it('makes no call past QueryInfoKey\'s counts and closes every key it opens, over one or several associations', async () => {
    for (const connections of [1, 3]) {
      reg = await RegistryClient.connect({ host: IP, ...USER, connections });
      try {
        const stats = countCalls(reg);
        const tree = await readTree(reg, BASE, { concurrency: 16 });
        expect(tree.values).toHaveLength(N);
        expect(tree.subkeys).toHaveLength(N);
        const n = (op: { opnum: number }) => stats.byOpnum.get(op.opnum) ?? 0;
        // per key: OpenKey, QueryInfoKey, CloseKey; the root's N EnumKey and N EnumValue; one
        // OpenLocalMachine per association that opened something from the hive root
        expect(n(T.BaseRegOpenKey)).toBe(1 + N);
        expect(n(T.BaseRegQueryInfoKey)).toBe(1 + N);
        expect(n(T.BaseRegEnumKey)).toBe(N);
        expect(n(T.BaseRegEnumValue)).toBe(N);
        expect(n(T.BaseRegCloseKey)).toBe(1 + N);
        expect(n(T.OpenLocalMachine)).toBe(connections);
        expect(stats.calls).toBe(3 * (1 + N) + 2 * N + connections);
      } finally {
        await reg.close();
      }
    }
  });
});
