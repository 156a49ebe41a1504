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
