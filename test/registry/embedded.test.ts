// The embedded backend's files: group commit, replay, torn/corrupt journal tails, snapshots and
// compaction (issue 4 §3; MS-RRP §3.1.5.12 BaseRegFlushKey for flush).

import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REG_BINARY, REG_DWORD, REG_SZ, encodeValue } from '../../src/formats/value.js';
import { RegistryStore, Win32Error } from '../../src/registry/index.js';
import { EmbeddedBackend } from '../../src/registry/embedded.js';
import { removeTempDirs, tempDir, toySd, toySecurity } from './helpers.js';
import { BinWriter } from '../../src/registry/codec.js';
import { crc32 } from 'node:zlib';

afterAll(removeTempDirs);

const dw = (n: number) => encodeValue(REG_DWORD, n);
const journals = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('journal.')).sort();

describe('embedded backend', () => {
  it('shares one fdatasync among concurrent writers (group commit) and acknowledges each write', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open({ data: dir });
    const b = store.backend as EmbeddedBackend;
    const before = { ...b.stats };
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.setValue(`HKLM\\Software\\G\\K${i % 7}`, `v${i}`, REG_DWORD, dw(i))));
    const writes = b.stats.writes - before.writes;
    const frames = b.stats.frames - before.frames;
    const syncs = b.stats.syncs - before.syncs;
    expect(writes).toBe(300);
    // One frame per group, at most 256 writes a group; one fdatasync per batch of groups.
    expect(frames).toBeGreaterThanOrEqual(2);
    expect(frames).toBeLessThan(writes / 5);
    expect(syncs).toBeLessThanOrEqual(frames);
    await store.close();
    const again = await RegistryStore.open({ data: dir });
    expect((await again.listValues('HKLM\\Software\\G\\K3')).length).toBe(43);
    await again.close();
  });

  it('replays the journal on start; a torn tail is truncated and reported, never half-applied', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open({ data: dir });
    for (let i = 0; i < 10; i++) await store.setValue('HKLM\\Software\\J', `v${i}`, REG_DWORD, dw(i));
    await store.close();
    const [j] = journals(dir);
    const file = join(dir, j!);
    const good = statSync(file).size;
    // A frame cut short by a crash: header says 100 bytes, 5 arrive.
    const torn = Buffer.alloc(13);
    torn.writeUInt32LE(100, 0);
    appendFileSync(file, torn);
    const logs: string[] = [];
    const again = await RegistryStore.open({ data: dir, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/truncated 13 bytes after \d+ valid frames/);
    expect(statSync(file).size).toBe(good);
    expect((await again.listValues('HKLM\\Software\\J')).length).toBe(10);
    await again.setValue('HKLM\\Software\\J', 'after', REG_DWORD, dw(1));
    await again.close();
    const third = await RegistryStore.open({ data: dir });
    expect((await third.listValues('HKLM\\Software\\J')).length).toBe(11);
    await third.close();
  });

  it('a checksum mismatch in the last frame drops that frame (and reports it)', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open({ data: dir });
    await store.setValue('HKLM\\Software\\C', 'first', REG_DWORD, dw(1));
    await store.setValue('HKLM\\Software\\C', 'second', REG_DWORD, dw(2));
    await store.close();
    const file = join(dir, journals(dir)[0]!);
    const buf = readFileSync(file);
    buf[buf.length - 3]! ^= 0xff; // flip a byte inside the last frame's payload
    writeFileSync(file, buf);
    const logs: string[] = [];
    const again = await RegistryStore.open({ data: dir, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/checksum mismatch/);
    expect(await again.getValue('HKLM\\Software\\C', 'first')).toEqual({ type: REG_DWORD, data: dw(1) });
    expect(await again.getValue('HKLM\\Software\\C', 'second')).toBeUndefined();
    await again.close();
  });

  it('compacts into a snapshot in the background and loads from it; a damaged snapshot refuses to open', async () => {
    const dir = tempDir();
    const store = await RegistryStore.open({ data: dir, embedded: { compactBytes: 64 * 1024 } });
    const b = store.backend as EmbeddedBackend;
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.setValue(`HKLM\\Software\\S\\K${i % 20}`, `v${i}`, REG_BINARY, Buffer.alloc(64, round))));
    }
    await b.idle();
    expect(b.stats.compactions).toBeGreaterThan(0);
    expect(readdirSync(dir)).toContain('snapshot.bin');
    await store.setValue('HKLM\\Software\\S', 'last', REG_DWORD, dw(9));
    await store.close();
    expect(journals(dir).length).toBeLessThanOrEqual(2);
    const again = await RegistryStore.open({ data: dir });
    expect((await again.listSubkeys('HKLM\\Software\\S')).length).toBe(20);
    expect((await again.getValue('HKLM\\Software\\S\\K3', 'v3'))?.data).toEqual(Buffer.alloc(64, 3));
    expect(await again.getValue('HKLM\\Software\\S', 'last')).toEqual({ type: REG_DWORD, data: dw(9) });
    await again.close();
    const snap = join(dir, 'snapshot.bin');
    const buf = readFileSync(snap);
    buf[100]! ^= 1;
    writeFileSync(snap, buf);
    const err = await RegistryStore.open({ data: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Win32Error);
    expect((err as Win32Error).code).toBe('ERROR_REGISTRY_CORRUPT');
  });

  it('values loaded packed from a snapshot keep their order through overwrite, delete and replay', async () => {
    const dir = tempDir();
    const s1 = await RegistryStore.open({ data: dir });
    for (const n of ['c', 'a', 'b', 'd']) await s1.setValue('HKLM\\Software\\P', n, REG_DWORD, dw(n.charCodeAt(0)));
    await (s1.backend as EmbeddedBackend).compact();
    await s1.close();
    const s2 = await RegistryStore.open({ data: dir });
    await s2.setValue('HKLM\\Software\\P', 'A', REG_DWORD, dw(1)); // overwrite keeps index 1 and the name's case
    await s2.deleteValue('HKLM\\Software\\P', 'b');
    await s2.setValue('HKLM\\Software\\P', 'e', REG_DWORD, dw(5));
    await s2.close();
    const s3 = await RegistryStore.open({ data: dir });
    const vals = await s3.listValues('HKLM\\Software\\P');
    expect(vals.map((v) => [v.name, v.data.readUInt32LE(0)])).toEqual([['c', 99], ['a', 1], ['d', 100], ['e', 5]]);
    await s3.close();
  });

  it('reads and enumeration of a loaded store leave keys packed; a write unpacks only its key', async () => {
    const dir = tempDir();
    const s1 = await RegistryStore.open({ data: dir });
    for (let k = 0; k < 3; k++) for (let i = 0; i < 5; i++) await s1.setValue(`HKLM\\Software\\L\\K${k}`, `v${i}`, REG_DWORD, dw(i));
    await (s1.backend as EmbeddedBackend).compact();
    await s1.close();
    const s2 = await RegistryStore.open({ data: dir });
    const tree = (s2.backend as EmbeddedBackend).tree;
    const node = (k: number) => tree.node(`MACHINE\\SOFTWARE\\L\\K${k}`)!;
    expect((await s2.listValues('HKLM\\Software\\L\\K0')).map((v) => v.data.readUInt32LE(0))).toEqual([0, 1, 2, 3, 4]);
    expect(await s2.getValue('HKLM\\Software\\L\\K1', 'V3')).toEqual({ type: REG_DWORD, data: dw(3) });
    expect([0, 1, 2].map((k) => node(k).packedAt >= 0)).toEqual([true, true, true]);
    await s2.setValue('HKLM\\Software\\L\\K1', 'v3', REG_DWORD, dw(33));
    expect([0, 1, 2].map((k) => node(k).packedAt >= 0)).toEqual([true, false, true]);
    expect((await s2.listValues('HKLM\\Software\\L\\K1')).map((v) => [v.name, v.data.readUInt32LE(0)])).toEqual([['v0', 0], ['v1', 1], ['v2', 2], ['v3', 33], ['v4', 4]]);
    await s2.close();
  });

  it('a compaction packs the values written since the start (they leave the JS heap), reads and later writes unchanged', async () => {
    const dir = tempDir();
    const s1 = await RegistryStore.open({ data: dir });
    const text = (i: number) => encodeValue(REG_SZ, `C:\\Program Files\\App${i}\\bin`);
    for (let k = 0; k < 3; k++) for (let i = 0; i < 20; i++) await s1.setValue(`HKLM\\Software\\R\\K${k}`, `v${i}`, i % 2 ? REG_SZ : REG_DWORD, i % 2 ? text(i) : dw(i));
    await s1.createKey('HKLM\\Software\\R\\Vol', { volatile: true });
    await s1.setValue('HKLM\\Software\\R\\Vol', 'x', REG_DWORD, dw(7));
    const tree = (s1.backend as EmbeddedBackend).tree;
    const node = (p: string) => tree.node(`MACHINE\\SOFTWARE\\R\\${p}`)!;
    expect(node('K0').packedAt).toBe(-1);
    const before = await s1.listValues('HKLM\\Software\\R\\K2');
    await (s1.backend as EmbeddedBackend).compact();
    // Every stored key packed in the new slab; a volatile key is not in the snapshot and stays as it was.
    expect(['K0', 'K1', 'K2'].map((k) => [node(k).packedAt >= 0, node(k).vals])).toEqual([[true, undefined], [true, undefined], [true, undefined]]);
    expect(node('VOL').packedAt).toBe(-1);
    expect(await s1.getValue('HKLM\\Software\\R\\Vol', 'x')).toEqual({ type: REG_DWORD, data: dw(7) });
    const after = await s1.listValues('HKLM\\Software\\R\\K2');
    expect(after.map((v) => [v.name, v.type, v.data.toString('hex')])).toEqual(before.map((v) => [v.name, v.type, v.data.toString('hex')]));
    // Lookups by index (the index map is rebuilt on demand) and a write after the repack.
    expect(await s1.getValue('HKLM\\Software\\R\\K1', 'V19')).toEqual({ type: REG_SZ, data: text(19) });
    await s1.setValue('HKLM\\Software\\R\\K1', 'v19', REG_DWORD, dw(190));
    await s1.setValue('HKLM\\Software\\R\\K1', 'v20', REG_DWORD, dw(200));
    await s1.close();
    const s2 = await RegistryStore.open({ data: dir });
    const k1 = await s2.listValues('HKLM\\Software\\R\\K1');
    expect(k1.length).toBe(21);
    expect(k1[19]).toMatchObject({ name: 'v19', type: REG_DWORD });
    expect(k1[19]!.data).toEqual(dw(190));
    expect(k1[1]!.data).toEqual(text(1));
    expect(await s2.getValue('HKLM\\Software\\R\\Vol', 'x')).toBeUndefined();
    await s2.close();
  });

  it('last-write times of keys made by a value write, and of their parent, are the same after a restart', async () => {
    const dir = tempDir();
    const paths = ['HKLM\\Software\\LW', 'HKLM\\Software\\LW\\A', 'HKLM\\Software\\LW\\A\\B', 'HKLM\\Software\\LW\\C'];
    const s1 = await RegistryStore.open({ data: dir });
    await s1.createKey(paths[0]!);
    await s1.setValue(paths[2]!, 'v', REG_DWORD, dw(1)); // makes A and B
    const a = (await s1.openKey(paths[1]!)).lastWrite;
    await s1.setValue(paths[3]!, 'v', REG_DWORD, dw(1)); // makes C alone
    const before = await Promise.all(paths.map(async (p) => (await s1.openKey(p)).lastWrite));
    // The parent moved when C was made; B and C moved again when their value was set.
    expect(before[1]).toBe(a);
    expect(before[2]! > a).toBe(true);
    expect(before[0]! > before[2]!).toBe(true);
    expect(before[3]! > before[0]!).toBe(true);
    await s1.close();
    const s2 = await RegistryStore.open({ data: dir });
    expect(await Promise.all(paths.map(async (p) => (await s2.openKey(p)).lastWrite))).toEqual(before);
    await s2.close();
  });

  it('opens a version 2 snapshot (values framed with u32s) and writes version 4 from it', async () => {
    const dir = tempDir();
    // A store of the previous format, written field by field as snapshot.ts v2 laid it out.
    const sd = toySd({ owner: 'S-1-5-32-544', allow: { 'S-1-1-0': 0xf003f } });
    const w = new BinWriter(256);
    for (const b of Buffer.from('HWREGSN1', 'latin1')) w.u8(b);
    w.u32(2);
    w.num(0); // generation
    w.num(10); // next key id
    w.u32(1);
    w.bytes(sd);
    const values = (vals: [string, number, Buffer][]) => {
      const v = new BinWriter(64);
      for (const [name, type, data] of vals) {
        v.str(name);
        v.u32(type);
        v.bytes(data);
      }
      return v.result();
    };
    const keys: [number, string, number, [string, number, Buffer][]][] = [
      [0xffffffff, '', 0, []],
      [0, 'Machine', 1, []],
      [1, 'Old', 2, [['a', REG_DWORD, dw(7)], ['Blob', REG_BINARY, Buffer.alloc(200, 9)], ['Text', REG_SZ, Buffer.from('C:\\x\0', 'utf16le')]]],
    ];
    w.u32(keys.length);
    for (const [parent, name, id, vals] of keys) {
      w.u32(parent);
      w.str(name);
      w.num(id);
      w.str('');
      w.u64(133_000_000_000_000_000n);
      w.u32(0);
      w.u32(0);
      w.u32(vals.length);
      w.bytes(values(vals));
    }
    w.u32(crc32(w.result()));
    writeFileSync(join(dir, 'snapshot.bin'), w.result());
    const s1 = await RegistryStore.open({ data: dir, security: toySecurity });
    expect((await s1.listValues('HKLM\\Old')).map((v) => [v.name, v.type, v.data.length])).toEqual([['a', REG_DWORD, 4], ['Blob', REG_BINARY, 200], ['Text', REG_SZ, 10]]);
    expect(await s1.getValue('HKLM\\Old', 'A')).toEqual({ type: REG_DWORD, data: dw(7) });
    await (s1.backend as EmbeddedBackend).compact();
    await s1.close();
    expect(readFileSync(join(dir, 'snapshot.bin')).readUInt32LE(8)).toBe(4);
    const s2 = await RegistryStore.open({ data: dir, security: toySecurity });
    expect((await s2.getValue('HKLM\\Old', 'blob'))?.data).toEqual(Buffer.alloc(200, 9));
    expect((await s2.getValue('HKLM\\Old', 'text'))?.data).toEqual(Buffer.from('C:\\x\0', 'utf16le'));
    await s2.close();
  });

  it('a damaged journal that is not the last one refuses to open (ERROR_REGISTRY_CORRUPT)', async () => {
    const dir = tempDir();
    const s1 = await RegistryStore.open({ data: dir });
    await s1.setValue('HKLM\\Software\\M', 'a', REG_DWORD, dw(1));
    await s1.close();
    const first = join(dir, journals(dir)[0]!);
    // A second journal generation, as compaction leaves while a snapshot is being written.
    writeFileSync(join(dir, 'journal.00000002.log'), Buffer.alloc(0));
    truncateSync(first, statSync(first).size - 2);
    const err = await RegistryStore.open({ data: dir }).catch((e: unknown) => e);
    expect((err as Win32Error).code).toBe('ERROR_REGISTRY_CORRUPT');
  });

  it('one process per data directory (ERROR_BUSY), flush() forces durability', async () => {
    const dir = tempDir();
    const s = await RegistryStore.open({ data: dir });
    const err = await RegistryStore.open({ data: dir }).catch((e: unknown) => e);
    expect((err as Win32Error).code).toBe('ERROR_BUSY');
    await s.setValue('HKLM\\Software\\F', 'x', REG_DWORD, dw(1));
    await s.flush();
    await s.close();
  });
});
