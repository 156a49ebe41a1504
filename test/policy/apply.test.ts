// The registry extension's apply step, MS-GPREG §3.2.5.1.2, on an in-memory registry store.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePol, type PolInstruction } from '../../src/formats/regpol/index.js';
import { encodeValue, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD, REG_SZ } from '../../src/formats/value.js';
import { applyPolicy, parseScope, rollbackPolicy, SECURE_KEY_SDDL } from '../../src/policy/index.js';
import { RegistryStore } from '../../src/registry/index.js';
import { SecurityDescriptor } from '../../src/security/index.js';

const K = 'Software\\Policies\\Lab';
const HK = 'HKLM\\' + K;
const MACHINE = { scope: parseScope('machine') };
const sz = (s: string) => encodeValue(REG_SZ, s);
const dw = (n: number) => encodeValue(REG_DWORD, n);
const ins = (key: string, valueName: string, type: number, data: Buffer): PolInstruction => ({ key, valueName, type, data });

let store: RegistryStore;
beforeEach(async () => {
  store = await RegistryStore.open({ memory: true });
});
afterEach(async () => {
  await store.close();
});

/** Every key under `path` with its values, as plain data, for before/after comparisons. */
async function dump(path: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const walk = async (p: string) => {
    out[p] = Object.fromEntries((await store.listValues(p)).map((v) => [v.name, `${v.type}:${v.data.toString('hex')}`]));
    for (const k of await store.listSubkeys(p)) await walk(`${p}\\${k}`);
  };
  if (await store.keyExists(path)) await walk(path);
  return out;
}

describe('plain instructions (§3.2.5.1.2 default rule)', () => {
  it('create the key with missing parents and set the value with its type and data', async () => {
    const r = await applyPolicy(store, [ins(`${K}\\A\\B`, 'V', REG_QWORD, encodeValue(REG_QWORD, 5n))], MACHINE);
    expect(r.notes).toEqual([]);
    expect(await store.getValue(`${HK}\\A\\B`, 'V')).toEqual({ type: REG_QWORD, data: encodeValue(REG_QWORD, 5n) });
    expect(r.changes.map((c) => c.op)).toEqual(['createKey', 'setValue']);
  });

  it('an empty value name without data creates the key only; with data it sets the default value', async () => {
    await applyPolicy(store, [ins(`${K}\\KeyOnly`, '', 0, Buffer.alloc(0)), ins(`${K}\\Def`, '', REG_SZ, sz('d'))], MACHINE);
    expect(await store.keyExists(`${HK}\\KeyOnly`)).toBe(true);
    expect(await store.listValues(`${HK}\\KeyOnly`)).toEqual([]);
    expect(await store.getValue(`${HK}\\Def`, '')).toEqual({ type: REG_SZ, data: sz('d') });
  });

  it('runs in file order: the later of two writes wins, across files too', async () => {
    await applyPolicy(store, [ins(K, 'V', REG_DWORD, dw(1)), ins(K.toUpperCase(), 'v', REG_DWORD, dw(2))], MACHINE);
    expect((await store.getValue(HK, 'V'))!.data).toEqual(dw(2));
    await applyPolicy(store, [ins(K, 'V', REG_SZ, sz('third'))], MACHINE);
    expect(await store.getValue(HK, 'V')).toEqual({ type: REG_SZ, data: sz('third') });
  });

  it('user scope writes under HKU\\<SID>', async () => {
    await applyPolicy(store, [ins(K, 'U', REG_DWORD, dw(7))], { scope: parseScope('user:S-1-5-21-1-2-3-1001') });
    expect(await store.getValue(`HKU\\S-1-5-21-1-2-3-1001\\${K}`, 'U')).toEqual({ type: REG_DWORD, data: dw(7) });
    expect(() => parseScope('user:bob')).toThrow(/scope/);
  });
});

describe('special value names (§3.2.5.1.2 table), case-insensitive', () => {
  beforeEach(async () => {
    await store.setValue(HK, 'Keep', REG_DWORD, dw(1));
    await store.setValue(HK, 'Old', REG_DWORD, dw(2));
    await store.setValue(HK, 'A', REG_DWORD, dw(3));
    await store.setValue(HK, 'B c', REG_DWORD, dw(4));
    await store.setValue(`${HK}\\Sub1\\Deep`, 'x', REG_DWORD, dw(5));
    await store.setValue(`${HK}\\Sub2`, 'y', REG_DWORD, dw(6));
  });

  it('**del.<name> deletes one value', async () => {
    await applyPolicy(store, [ins(K, '**DEL.old', REG_SZ, sz(' '))], MACHINE);
    expect(await store.getValue(HK, 'Old')).toBeUndefined();
    expect(await store.getValue(HK, 'Keep')).toBeDefined();
  });

  it('**delvals. deletes every value and leaves the subkeys', async () => {
    await applyPolicy(store, [ins(K, '**DelVals.', REG_SZ, sz(' '))], MACHINE);
    expect(await store.listValues(HK)).toEqual([]);
    expect(await store.listSubkeys(HK)).toEqual(['Sub1', 'Sub2']);
  });

  it('**DeleteValues deletes the listed values (empty items ignored, spaces kept)', async () => {
    await applyPolicy(store, [ins(K, '**deletevalues', REG_SZ, sz('a;;B c;Missing'))], MACHINE);
    expect((await store.listValues(HK)).map((v) => v.name)).toEqual(['Keep', 'Old']);
  });

  it('**DeleteKeys deletes the listed subkeys with everything below them', async () => {
    await applyPolicy(store, [ins(K, '**DELETEKEYS', REG_SZ, sz('Sub1;NoSuch'))], MACHINE);
    expect(await store.listSubkeys(HK)).toEqual(['Sub2']);
  });

  it('**soft.<name> sets a value only when it does not exist', async () => {
    await applyPolicy(store, [ins(K, '**soft.Keep', REG_SZ, sz('no')), ins(K, '**Soft.New', REG_BINARY, Buffer.from('0102', 'hex'))], MACHINE);
    expect(await store.getValue(HK, 'Keep')).toEqual({ type: REG_DWORD, data: dw(1) });
    expect(await store.getValue(HK, 'New')).toEqual({ type: REG_BINARY, data: Buffer.from('0102', 'hex') });
  });

  it('**SecureKey 1 protects the key; another number resets it to what it inherits', async () => {
    let r = await applyPolicy(store, [ins(`${K}\\Sub2`, '**SecureKey', REG_DWORD, dw(1))], MACHINE);
    const secured = SecurityDescriptor.fromBinary(await store.getSecurity(`${HK}\\Sub2`));
    expect(secured.toSddl()).toContain(SECURE_KEY_SDDL.slice(SECURE_KEY_SDDL.indexOf('D:')));
    expect(r.changes).toHaveLength(1);
    r = await applyPolicy(store, [ins(`${K}\\Sub2`, '**securekey', REG_DWORD, dw(0))], MACHINE);
    const reset = SecurityDescriptor.fromBinary(await store.getSecurity(`${HK}\\Sub2`)).toSddl();
    expect(reset).not.toContain('D:P');
    expect(r.changes[0]).toMatchObject({ op: 'setSecurity', before: secured.toSddl(), after: reset });
  });

  it('deleting directives do not create the key they name', async () => {
    await applyPolicy(store, [ins(`${K}\\Nope`, '**del.x', REG_SZ, sz(' ')), ins(`${K}\\Nope2`, '**delvals.', REG_SZ, sz(' '))], MACHINE);
    expect(await store.keyExists(`${HK}\\Nope`)).toBe(false);
    expect(await store.keyExists(`${HK}\\Nope2`)).toBe(false);
  });

  it('a special name with the wrong type and unknown ** names are skipped and reported', async () => {
    const r = await applyPolicy(store, [ins(K, '**del.Keep', REG_DWORD, dw(1)), ins(K, '**SecureKey', REG_SZ, sz('1')), ins(K, '**Bogus', REG_SZ, sz('x'))], MACHINE);
    expect(await store.getValue(HK, 'Keep')).toBeDefined();
    expect(r.notes.map((n) => [n.index, n.kind])).toEqual([
      [0, 'skipped'],
      [1, 'skipped'],
      [2, 'skipped'],
    ]);
    expect(r.changes).toEqual([]);
  });

  it('the spec\'s ordering example: delete all values, then set — only the new values remain', async () => {
    await applyPolicy(store, [ins(K, '**delvals.', REG_SZ, sz(' ')), ins(K, 'Fresh', REG_MULTI_SZ, encodeValue(REG_MULTI_SZ, ['a']))], MACHINE);
    expect((await store.listValues(HK)).map((v) => v.name)).toEqual(['Fresh']);
    // and the other order keeps nothing
    await applyPolicy(store, [ins(K, 'Fresh2', REG_DWORD, dw(1)), ins(K, '**delvals.', REG_SZ, sz(' '))], MACHINE);
    expect(await store.listValues(HK)).toEqual([]);
  });
});

describe('errors, dry run and rollback', () => {
  it('an instruction the store refuses is reported, and the others still apply (<10>)', async () => {
    const r = await applyPolicy(store, [ins(K, 'ok1', REG_DWORD, dw(1)), ins(K, 'x'.repeat(16384), REG_DWORD, dw(2)), ins(`${K}\\${'k'.repeat(256)}`, 'v', REG_DWORD, dw(3)), ins(K, 'ok2', REG_DWORD, dw(4))], MACHINE);
    expect((await store.listValues(HK)).map((v) => v.name)).toEqual(['ok1', 'ok2']);
    expect(r.notes.map((n) => [n.index, n.kind])).toEqual([
      [1, 'error'],
      [2, 'error'],
    ]);
    expect(r.notes[0]!.code).toMatch(/^ERROR_/);
  });

  it('a dry run returns the plan with values before and after and writes nothing', async () => {
    await store.setValue(HK, 'V', REG_DWORD, dw(1));
    const entries = [ins(K, 'V', REG_DWORD, dw(2)), ins(`${K}\\New`, 'W', REG_SZ, sz('w')), ins(K, '**del.V', REG_SZ, sz(' '))];
    const before = await dump(HK);
    const plan = await applyPolicy(store, entries, { ...MACHINE, dryRun: true });
    expect(await dump(HK)).toEqual(before);
    expect(plan.changes).toEqual([
      { op: 'setValue', index: 0, key: HK, name: 'V', before: { type: 4, data: '01000000' }, after: { type: 4, data: '02000000' } },
      { op: 'createKey', index: 1, key: `${HK}\\New` },
      { op: 'setValue', index: 1, key: `${HK}\\New`, name: 'W', after: { type: 1, data: '770000' + '00' } },
      { op: 'deleteValue', index: 2, key: HK, name: 'V', before: { type: 4, data: '02000000' } },
    ]);
    const real = await applyPolicy(store, entries, MACHINE);
    expect(real.changes).toEqual(plan.changes);
  });

  it('rollback of the applied record puts the registry back as it was', async () => {
    await store.setValue(HK, 'V', REG_DWORD, dw(1));
    await store.setValue(`${HK}\\Gone\\Deeper`, 'd', REG_SZ, sz('deep'));
    const before = await dump(HK);
    const beforeSd = await store.getSecurity(HK);
    const entries = [
      ins(K, 'V', REG_DWORD, dw(9)),
      ins(K, 'N', REG_SZ, sz('n')),
      ins(`${K}\\Made\\Here`, 'm', REG_DWORD, dw(1)),
      ins(K, '**DeleteKeys', REG_SZ, sz('Gone')),
      ins(K, '**SecureKey', REG_DWORD, dw(1)),
    ];
    const r = await applyPolicy(store, entries, MACHINE);
    expect(await dump(HK)).not.toEqual(before);
    const back = await rollbackPolicy(store, JSON.parse(JSON.stringify(r)));
    expect(back.reverted).toBe(r.changes.length);
    expect(await dump(HK)).toEqual(before);
    expect(SecurityDescriptor.fromBinary(await store.getSecurity(HK)).toSddl()).toBe(SecurityDescriptor.fromBinary(beforeSd).toSddl());
  });
});

describe('the Samba GPO (Registry.pol written by Samba from the lab settings)', () => {
  it('applies to the expected registry state', async () => {
    await store.setValue('HKLM\\Software\\Policies\\Lab\\Demo', 'Obsolete', REG_DWORD, dw(1));
    await store.setValue('HKLM\\Software\\Policies\\Lab\\Cleanup', 'Stale', REG_SZ, sz('old'));
    const buf = readFileSync(new URL('../formats/regpol/fixtures/samba-gpo.pol', import.meta.url));
    const r = await applyPolicy(store, parsePol(buf).entries, MACHINE);
    expect(r.notes).toEqual([]);
    const demo = Object.fromEntries((await store.listValues('HKLM\\Software\\Policies\\Lab\\Demo')).map((v) => [v.name, [v.type, v.data.toString('hex')]]));
    expect(demo).toEqual({
      StringValue: [1, Buffer.from('hello from Samba\0', 'utf16le').toString('hex')],
      UnicodeValue: [1, Buffer.from('café 日本 😀\0', 'utf16le').toString('hex')],
      EmptyString: [1, '0000'],
      ExpandValue: [2, Buffer.from('%SystemRoot%\\Lab\0', 'utf16le').toString('hex')],
      BinaryValue: [3, '00017f80ff'],
      DwordValue: [4, '2a000000'],
      DwordBE: [5, '12345678'],
      MultiValue: [7, Buffer.from('one\0two\0three\0\0', 'utf16le').toString('hex')],
      QwordValue: [11, 'feffffffffffffff'],
    });
    expect(await store.listValues('HKLM\\Software\\Policies\\Lab\\Cleanup')).toEqual([]);
    expect(await store.keyExists('HKLM\\Software\\Policies\\Lab\\KeyOnly')).toBe(true);
  });
});
