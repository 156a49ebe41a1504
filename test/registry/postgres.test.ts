// The PostgreSQL backend shared by several stores (as several processes on several machines would
// share it): one registry, the same answers, and change notification through LISTEN/NOTIFY.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REG_DWORD, encodeValue } from '../../src/formats/value.js';
import { RegistryStore, type Notification } from '../../src/registry/index.js';
import { PostgresBackend } from '../../src/registry/postgres.js';
import { freshSchemaUrl, startPostgres, type PgServer } from './helpers.js';

describe('postgres backend shared by several stores', () => {
  let server: PgServer;
  const stores: RegistryStore[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await server?.stop();
  });
  const open = async (url: string) => {
    const s = await RegistryStore.open({ postgres: url });
    stores.push(s);
    return s;
  };

  it('sees one registry: writes, last-write times and conflicting creates agree', async () => {
    const url = await freshSchemaUrl(server);
    const [a, b] = [await open(url), await open(url)];
    await a.setValue('HKLM\\Software\\Shared', 'x', REG_DWORD, encodeValue(REG_DWORD, 1));
    expect(await b.getValue('HKLM\\Software\\Shared', 'x')).toEqual({ type: REG_DWORD, data: encodeValue(REG_DWORD, 1) });
    expect((await b.openKey('HKLM\\Software\\Shared')).lastWrite).toBe((await a.openKey('HKLM\\Software\\Shared')).lastWrite);
    // Both create the same key at once: exactly one creates it, the other opens it (§3.1.5.7).
    const results = await Promise.all([a.createKey('HKLM\\Software\\Race'), b.createKey('HKLM\\Software\\Race')]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    // Many concurrent increments through transactions lose nothing.
    await a.setValue('HKLM\\Software\\Shared', 'n', REG_DWORD, encodeValue(REG_DWORD, 0));
    const bump = (s: RegistryStore) =>
      s.transaction(async (tx) => {
        const v = (await tx.getValue('HKLM\\Software\\Shared', 'n'))!.data.readUInt32LE(0);
        await tx.setValue('HKLM\\Software\\Shared', 'n', REG_DWORD, encodeValue(REG_DWORD, v + 1));
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
    expect((await a.getValue('HKLM\\Software\\Shared', 'n'))!.data.readUInt32LE(0)).toBe(20);
  });

  it('writes to independent keys run at the same time; writes to one key take turns; a delete and a create under it are ordered', async () => {
    const url = await freshSchemaUrl(server);
    const [a, b] = [await open(url), await open(url)];
    const dw = (n: number) => encodeValue(REG_DWORD, n);
    const within = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(what)), ms))]);
    const settled = (p: Promise<unknown>) => {
      const s = { done: false };
      p.then(() => (s.done = true), () => (s.done = true));
      return s;
    };
    await a.createKey('HKLM\\Software\\P\\X');
    await a.createKey('HKLM\\Software\\P\\Y');
    await a.createKey('HKLM\\Software\\Q');
    // a holds a transaction open on X (a value set) and on Q (deleted), uncommitted.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const tx = a.transaction(async (t) => {
      await t.setValue('HKLM\\Software\\P\\X', 'v', REG_DWORD, dw(1));
      await t.deleteKey('HKLM\\Software\\Q');
      entered();
      await gate;
    });
    await inside;
    // Another process writing an independent key is not held up (one store-wide lock would).
    await within(b.setValue('HKLM\\Software\\P\\Y', 'v', REG_DWORD, dw(2)), 5000, 'a write to an independent key waited for another transaction');
    // The same key's values, and a key under the one being deleted, wait for a's commit.
    const same = b.setValue('HKLM\\Software\\P\\X', 'w', REG_DWORD, dw(3));
    const under = b.createKey('HKLM\\Software\\Q\\Child');
    const [sameState, underState] = [settled(same), settled(under)];
    await new Promise((r) => setTimeout(r, 400));
    expect([sameState.done, underState.done]).toEqual([false, false]);
    release();
    await tx;
    await same;
    // Ordered after the delete: Q is made again, with the child.
    expect((await under).created).toBe(true);
    expect(await a.listSubkeys('HKLM\\Software\\Q')).toEqual(['Child']);
    expect((await a.listValues('HKLM\\Software\\P\\X')).map((v) => v.name)).toEqual(['v', 'w']);
  });

  it('delivers changes made by another store through LISTEN/NOTIFY', async () => {
    const url = await freshSchemaUrl(server);
    const [a, b] = [await open(url), await open(url)];
    await a.createKey('HKLM\\Software\\Watched');
    await (b.backend as PostgresBackend).listening;
    const w = await b.watch('HKLM\\Software\\Watched', { subtree: true });
    const got: Notification[] = [];
    const arrived = new Promise<void>((resolve) =>
      w.on('change', (n: Notification) => {
        got.push(n);
        if (got.length === 2) resolve();
      }),
    );
    await a.setValue('HKLM\\Software\\Watched', 'v', REG_DWORD, encodeValue(REG_DWORD, 5));
    await a.createKey('HKLM\\Software\\Watched\\Child');
    await Promise.race([arrived, new Promise((_, rej) => setTimeout(() => rej(new Error('no notification within 10 s')), 10_000))]);
    expect(got.map((n) => [n.kind, n.path])).toEqual([
      ['value-set', 'Machine\\SOFTWARE\\Watched'],
      ['key-created', 'Machine\\SOFTWARE\\Watched\\Child'],
    ]);
    w.close();
  });
});
