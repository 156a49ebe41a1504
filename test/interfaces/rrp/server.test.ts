// The RRP server's opnums through their stubs (types.ts), in process, on a memory store with Windows'
// access checks: return codes of the checklist, handle rules, the lpcbData/lpcbLen rules, hive files.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readHive } from '../../../src/formats/regf/index.js';
import { FileConfinement } from '../../../src/interfaces/rrp/files.js';
import * as T from '../../../src/interfaces/rrp/types.js';
import type { ContextHandle } from '../../../src/ndr/index.js';
import { RpcFault } from '../../../src/rpc/errors.js';
import { ADMIN, ANONYMOUS, Assoc, makeServer, READER, sizeHint, us } from './helpers.js';

const KEY_READ = 0x20019;
const KEY_ALL_ACCESS = 0xf003f;
const MAXIMUM_ALLOWED = 0x02000000;
const NULL: ContextHandle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
const u16 = (s: string) => Buffer.from(s, 'utf16le');
const files = mkdtempSync(join(tmpdir(), 'hw-rrp-files-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));

let env: Awaited<ReturnType<typeof makeServer>>;
let a: Assoc;
let hklm: ContextHandle;

async function open(as: Assoc, sub: string, sam = KEY_READ, root?: ContextHandle) {
  return as.call(T.BaseRegOpenKey, { hKey: root ?? hklm, lpSubKey: us(sub), dwOptions: 0, samDesired: sam });
}
async function create(as: Assoc, sub: string, opts: { options?: number; sam?: number; root?: ContextHandle } = {}) {
  return as.call(T.BaseRegCreateKey, {
    hKey: opts.root ?? hklm, lpSubKey: us(sub), lpClass: us(''), dwOptions: opts.options ?? 0,
    samDesired: opts.sam ?? KEY_ALL_ACCESS, lpSecurityAttributes: null, lpdwDisposition: 0,
  });
}
const query = (as: Assoc, h: ContextHandle, name: string, cap: number | null = 512, data = true) =>
  as.call(T.BaseRegQueryValue, { hKey: h, lpValueName: us(name), lpType: 0, lpData: data ? Buffer.alloc(0) : null, lpcbData: cap, lpcbLen: 0 });

beforeEach(async () => {
  env = await makeServer({ files: new FileConfinement(files) });
  await env.store.createKey('HKLM\\SOFTWARE\\Test\\Sub');
  await env.store.setValue('HKLM\\SOFTWARE\\Test', 'Str', 1, u16('hello\0'));
  await env.store.setValue('HKLM\\SOFTWARE\\Test', 'Num', 4, Buffer.from([7, 0, 0, 0]));
  await env.store.setValue('HKLM\\SOFTWARE\\Test', '', 1, u16('dflt\0'));
  a = env.assoc(ADMIN);
  hklm = (await a.call(T.OpenLocalMachine, { ServerName: null, samDesired: MAXIMUM_ALLOWED })).phKey;
});

describe('predefined keys and handles', () => {
  it('opens every predefined key; unknown REGSAM bits and both WOW64 bits are ERROR_INVALID_PARAMETER', async () => {
    for (const op of [T.OpenLocalMachine, T.OpenUsers, T.OpenCurrentUser, T.OpenClassesRoot, T.OpenCurrentConfig, T.OpenPerformanceData]) {
      const r = await a.call(op, { ServerName: null, samDesired: MAXIMUM_ALLOWED });
      expect(r.returns, String(op.opnum)).toBe(0);
      expect(r.phKey).not.toEqual(NULL);
    }
    expect((await a.call(T.OpenLocalMachine, { ServerName: null, samDesired: 0x400 })).returns).toBe(0x57);
    expect((await a.call(T.OpenLocalMachine, { ServerName: null, samDesired: 0x300 })).returns).toBe(0x57);
    expect((await a.call(T.OpenLocalMachine, { ServerName: 0x5c, samDesired: KEY_READ })).returns).toBe(0);
  });
  it('OpenPerformanceText/NlsText always answer ERROR_SUCCESS, even to a caller with no token', async () => {
    const anon = env.assoc(ANONYMOUS);
    expect((await anon.call(T.OpenPerformanceText, { ServerName: null, samDesired: 0 })).returns).toBe(0);
    expect((await anon.call(T.OpenPerformanceNlsText, { ServerName: null, samDesired: 0 })).returns).toBe(0);
    const r = await anon.call(T.OpenLocalMachine, { ServerName: null, samDesired: KEY_READ });
    expect(r).toEqual({ phKey: NULL, returns: 5 });
  });
  it('CloseKey returns the NULL handle; the closed handle faults afterwards; handles do not cross associations', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    expect(await a.call(T.BaseRegCloseKey, { hKey: h })).toEqual({ hKey: NULL, returns: 0 });
    await expect(a.call(T.BaseRegCloseKey, { hKey: h })).rejects.toBeInstanceOf(RpcFault);
    const other = env.assoc(ADMIN);
    await expect(other.call(T.BaseRegGetVersion, { hKey: hklm })).rejects.toBeInstanceOf(RpcFault);
  });
  it('runs handles down when the association ends', async () => {
    const b = env.assoc(ADMIN);
    const root = (await b.call(T.OpenLocalMachine, { ServerName: null, samDesired: MAXIMUM_ALLOWED })).phKey;
    await open(b, 'SOFTWARE\\Test', KEY_READ, root);
    expect(b.handles.size).toBe(2);
    b.end();
    expect(b.handles.size).toBe(0);
  });
  it('GetVersion is 6 (both WOW64 views)', async () => {
    expect(await a.call(T.BaseRegGetVersion, { hKey: hklm })).toEqual({ lpdwVersion: 6, returns: 0 });
  });
});

describe('OpenKey, CreateKey, DeleteKey', () => {
  it('OpenKey: missing key is ERROR_FILE_NOT_FOUND with a NULL handle; empty name reopens the key', async () => {
    expect(await open(a, 'SOFTWARE\\Nope')).toEqual({ phkResult: NULL, returns: 2 });
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    expect((await open(a, '', KEY_READ, h)).returns).toBe(0);
    expect((await a.call(T.BaseRegOpenKey, { hKey: h, lpSubKey: { Length: 0, MaximumLength: 0, Buffer: null }, dwOptions: 0, samDesired: KEY_READ })).returns).toBe(0x57);
  });
  it('access is fixed at open time: a KEY_READ handle cannot set values', async () => {
    const h = (await open(a, 'SOFTWARE\\Test', KEY_READ)).phkResult;
    expect((await a.call(T.BaseRegSetValue, { hKey: h, lpValueName: us('x'), dwType: 4, lpData: Buffer.alloc(4), cbData: 4 })).returns).toBe(5);
  });
  it("the key's ACL decides: a plain user reads HKLM\\SOFTWARE but may not write it", async () => {
    const r = env.assoc(READER);
    const root = (await r.call(T.OpenLocalMachine, { ServerName: null, samDesired: MAXIMUM_ALLOWED })).phKey;
    expect((await open(r, 'SOFTWARE\\Test', KEY_READ, root)).returns).toBe(0);
    expect((await open(r, 'SOFTWARE\\Test', KEY_ALL_ACCESS, root)).returns).toBe(5);
    expect((await create(r, 'SOFTWARE\\Test\\New', { root })).returns).toBe(5);
  });
  it('CreateKey: disposition 1 then 2, nested components, no key directly under HKLM', async () => {
    const c1 = await create(a, 'SOFTWARE\\Test\\A\\B\\C');
    expect([c1.returns, c1.lpdwDisposition]).toEqual([0, 1]);
    const c2 = await create(a, 'SOFTWARE\\Test\\A\\B\\C');
    expect([c2.returns, c2.lpdwDisposition]).toEqual([0, 2]);
    const bad = await create(a, 'TopLevel');
    expect(bad).toEqual({ phkResult: NULL, lpdwDisposition: 0, returns: 0x57 });
  });
  it('CreateKey: volatile parent needs volatile children (ERROR_CHILD_MUST_BE_VOLATILE)', async () => {
    expect((await create(a, 'SOFTWARE\\Test\\Vol', { options: 1 })).returns).toBe(0);
    expect((await create(a, 'SOFTWARE\\Test\\Vol\\Stable')).returns).toBe(0x3fd);
    expect((await create(a, 'SOFTWARE\\Test\\Vol\\AlsoVol', { options: 1 })).returns).toBe(0);
  });
  it('DeleteKey: subkeys refuse (ERROR_ACCESS_DENIED), missing is ERROR_FILE_NOT_FOUND; open handles see ERROR_KEY_DELETED', async () => {
    expect((await a.call(T.BaseRegDeleteKey, { hKey: hklm, lpSubKey: us('SOFTWARE\\Test') })).returns).toBe(5);
    const sub = (await open(a, 'SOFTWARE\\Test\\Sub')).phkResult;
    expect((await a.call(T.BaseRegDeleteKey, { hKey: hklm, lpSubKey: us('SOFTWARE\\Test\\Sub') })).returns).toBe(0);
    expect((await a.call(T.BaseRegDeleteKey, { hKey: hklm, lpSubKey: us('SOFTWARE\\Test\\Sub') })).returns).toBe(2);
    expect((await query(a, sub, 'x')).returns).toBe(0x3fa);
  });
  it('DeleteKeyEx: both WOW64 bits are ERROR_INVALID_PARAMETER', async () => {
    expect((await a.call(T.BaseRegDeleteKeyEx, { hKey: hklm, lpSubKey: us('SOFTWARE\\Test\\Sub'), AccessMask: 0x300, Reserved: 0 })).returns).toBe(0x57);
    expect((await a.call(T.BaseRegDeleteKeyEx, { hKey: hklm, lpSubKey: us('SOFTWARE\\Test\\Sub'), AccessMask: 0x100, Reserved: 0 })).returns).toBe(0);
  });
});

describe('values', () => {
  it('QueryValue: data, the default value, ERROR_FILE_NOT_FOUND, the size query and ERROR_MORE_DATA', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    const ok = await query(a, h, 'Str');
    expect(ok).toMatchObject({ returns: 0, lpType: 1, lpcbData: 12, lpcbLen: 12 });
    expect(ok.lpData!.equals(u16('hello\0'))).toBe(true);
    expect((await query(a, h, '')).lpData!.equals(u16('dflt\0'))).toBe(true);
    expect((await query(a, h, 'Missing')).returns).toBe(2);
    const size = await query(a, h, 'Str', 0, false);
    expect(size).toMatchObject({ returns: 0, lpData: null, lpcbData: 12 });
    const small = await query(a, h, 'Str', 4);
    expect(small).toMatchObject({ returns: 0xea, lpData: null, lpcbData: 12, lpcbLen: 0 });
    const noLen = await a.call(T.BaseRegQueryValue, { hKey: h, lpValueName: us('Str'), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 512, lpcbLen: null });
    expect(noLen.returns).toBe(0x57);
  });
  it('SetValue stores strings as sent (no terminator added) and every type', async () => {
    const h = (await open(a, 'SOFTWARE\\Test', KEY_ALL_ACCESS)).phkResult;
    const cases: [string, number, Buffer][] = [
      ['sz', 1, u16('no-nul')], ['esz', 2, u16('%X%\0')], ['bin', 3, Buffer.from([1, 2, 3])], ['dw', 4, Buffer.from([1, 0, 0, 0])],
      ['dwbe', 5, Buffer.from([0, 0, 0, 1])], ['lnk', 6, u16('\\Registry\\Machine')], ['msz', 7, u16('a\0b\0\0')], ['qw', 11, Buffer.alloc(8, 1)],
      ['none', 0, Buffer.alloc(0)], ['odd', 0x12345, Buffer.from([9])],
    ];
    for (const [n, t, d] of cases) expect((await a.call(T.BaseRegSetValue, { hKey: h, lpValueName: us(n), dwType: t, lpData: d, cbData: d.length })).returns).toBe(0);
    for (const [n, t, d] of cases) {
      const r = await query(a, h, n);
      expect([r.lpType, r.lpData?.toString('hex') ?? ''], n).toEqual([t, d.toString('hex')]);
    }
  });
  it('DeleteValue: present, then missing (ERROR_FILE_NOT_FOUND)', async () => {
    const h = (await open(a, 'SOFTWARE\\Test', KEY_ALL_ACCESS)).phkResult;
    expect((await a.call(T.BaseRegDeleteValue, { hKey: h, lpValueName: us('Num') })).returns).toBe(0);
    expect((await a.call(T.BaseRegDeleteValue, { hKey: h, lpValueName: us('Num') })).returns).toBe(2);
  });
  it('EnumValue and EnumKey: names with their NUL, ERROR_MORE_DATA for data, ERROR_NO_MORE_ITEMS at the end', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    const names: string[] = [];
    for (let i = 0; ; i++) {
      const r = await a.call(T.BaseRegEnumValue, { hKey: h, dwIndex: i, lpValueNameIn: sizeHint(512), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 512, lpcbLen: 0 });
      if (r.returns === 0x103) break;
      expect(r.returns).toBe(0);
      expect(r.lpValueNameOut.Length).toBe(r.lpValueNameOut.Buffer!.length * 2);
      names.push(r.lpValueNameOut.Buffer!.replace(/\0$/, ''));
    }
    expect(names.sort()).toEqual(['', 'Num', 'Str']);
    const small = await a.call(T.BaseRegEnumValue, { hKey: h, dwIndex: 0, lpValueNameIn: sizeHint(512), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 1, lpcbLen: 0 });
    expect(small.returns).toBe(0xea);
    expect(small.lpcbData).toBeGreaterThan(1);
    const k0 = await a.call(T.BaseRegEnumKey, { hKey: h, dwIndex: 0, lpNameIn: sizeHint(512), lpClassIn: sizeHint(0), lpftLastWriteTime: { dwLowDateTime: 0, dwHighDateTime: 0 } });
    expect(k0.returns).toBe(0);
    expect(k0.lpNameOut).toMatchObject({ Length: 8, Buffer: 'Sub\0' });
    expect(k0.lpftLastWriteTime!.dwHighDateTime).toBeGreaterThan(0);
    const k1 = await a.call(T.BaseRegEnumKey, { hKey: h, dwIndex: 1, lpNameIn: sizeHint(512), lpClassIn: null, lpftLastWriteTime: null });
    expect(k1.returns).toBe(0x103);
  });
  it('QueryInfoKey: counts and lengths in characters', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    const r = await a.call(T.BaseRegQueryInfoKey, { hKey: h, lpClassIn: sizeHint(0) });
    expect(r).toMatchObject({ returns: 0, lpcSubKeys: 1, lpcbMaxSubKeyLen: 3, lpcValues: 3, lpcbMaxValueNameLen: 3, lpcbMaxValueLen: 12 });
    expect(r.lpcbSecurityDescriptor).toBeGreaterThan(20);
  });
  it('QueryMultipleValues(2): offsets into one buffer, ERROR_MORE_DATA with the needed size', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    const list = ['Str', 'Num'].map((n) => ({ ve_valuename: us(n), ve_valuelen: 0, ve_valueptr: 0, ve_type: 0 }));
    const q2small = await a.call(T.BaseRegQueryMultipleValues2, { hKey: h, val_listIn: list, num_vals: 2, lpvalueBuf: null, ldwTotsize: 0 });
    expect(q2small).toMatchObject({ returns: 0xea, ldwRequiredSize: 16 });
    const q2 = await a.call(T.BaseRegQueryMultipleValues2, { hKey: h, val_listIn: list, num_vals: 2, lpvalueBuf: Buffer.alloc(16), ldwTotsize: 16 });
    expect(q2.returns).toBe(0);
    expect(q2.val_listOut.map((v: T.RVALENT) => [v.ve_valuelen, v.ve_valueptr, v.ve_type])).toEqual([[12, 0, 1], [4, 12, 4]]);
    expect(q2.lpvalueBuf!.subarray(12, 16)).toEqual(Buffer.from([7, 0, 0, 0]));
    const q1 = await a.call(T.BaseRegQueryMultipleValues, { hKey: h, val_listIn: list, num_vals: 2, lpvalueBuf: Buffer.alloc(4), ldwTotsize: 4 });
    expect(q1).toMatchObject({ returns: 0xea, ldwTotsize: 16 });
  });
  it('Get/SetKeySecurity: ERROR_INSUFFICIENT_BUFFER with the size, then the descriptor', async () => {
    const h = (await open(a, 'SOFTWARE\\Test', KEY_ALL_ACCESS)).phkResult;
    const small = await a.call(T.BaseRegGetKeySecurity, { hKey: h, SecurityInformation: 7, pRpcSecurityDescriptorIn: { lpSecurityDescriptor: null, cbInSecurityDescriptor: 8, cbOutSecurityDescriptor: 0 } });
    expect(small.returns).toBe(0x7a);
    const need = small.pRpcSecurityDescriptorOut.cbInSecurityDescriptor;
    const full = await a.call(T.BaseRegGetKeySecurity, { hKey: h, SecurityInformation: 7, pRpcSecurityDescriptorIn: { lpSecurityDescriptor: null, cbInSecurityDescriptor: need, cbOutSecurityDescriptor: 0 } });
    expect(full.returns).toBe(0);
    const sd = full.pRpcSecurityDescriptorOut.lpSecurityDescriptor!;
    expect(sd.length).toBe(need);
    expect((await a.call(T.BaseRegSetKeySecurity, { hKey: h, SecurityInformation: 4, pRpcSecurityDescriptor: { lpSecurityDescriptor: sd, cbInSecurityDescriptor: sd.length, cbOutSecurityDescriptor: sd.length } })).returns).toBe(0);
    expect((await a.call(T.BaseRegSetKeySecurity, { hKey: h, SecurityInformation: 4, pRpcSecurityDescriptor: { lpSecurityDescriptor: Buffer.from([1, 2, 3]), cbInSecurityDescriptor: 3, cbOutSecurityDescriptor: 3 } })).returns).toBe(0x57);
  });
});

describe('hive files and shutdown', () => {
  it('SaveKey writes a regf hive; RestoreKey and LoadKey read it back; UnLoadKey removes the graft', async () => {
    const h = (await open(a, 'SOFTWARE\\Test', KEY_ALL_ACCESS)).phkResult;
    expect((await a.call(T.BaseRegSaveKey, { hKey: h, lpFile: us('test.hiv'), pSecurityAttributes: null })).returns).toBe(0);
    expect((await a.call(T.BaseRegSaveKey, { hKey: h, lpFile: us('test.hiv'), pSecurityAttributes: null })).returns).toBe(0xb7);
    const tree = readHive(readFileSync(join(files, 'test.hiv')));
    expect(tree.values.map((v) => v.name).sort()).toEqual(['', 'Num', 'Str']);
    expect(tree.subkeys.map((k) => k.name)).toEqual(['Sub']);
    expect((await a.call(T.BaseRegSaveKey, { hKey: hklm, lpFile: us('root.hiv'), pSecurityAttributes: null })).returns).toBe(5);

    const target = (await create(a, 'SOFTWARE\\Restored')).phkResult;
    expect((await a.call(T.BaseRegRestoreKey, { hKey: target, lpFile: us('test.hiv'), Flags: 0 })).returns).toBe(0);
    expect((await query(a, (await open(a, 'SOFTWARE\\Restored')).phkResult, 'Str')).lpData!.equals(u16('hello\0'))).toBe(true);

    const users = (await a.call(T.OpenUsers, { ServerName: null, samDesired: MAXIMUM_ALLOWED })).phKey;
    expect((await a.call(T.BaseRegLoadKey, { hKey: users, lpSubKey: us('Loaded'), lpFile: us('test.hiv') })).returns).toBe(0);
    expect((await a.call(T.BaseRegLoadKey, { hKey: users, lpSubKey: us('Loaded'), lpFile: us('test.hiv') })).returns).toBe(5);
    expect((await open(a, 'Loaded\\Sub', KEY_READ, users)).returns).toBe(0);
    expect((await a.call(T.BaseRegUnLoadKey, { hKey: users, lpSubKey: us('Loaded') })).returns).toBe(0);
    expect((await open(a, 'Loaded', KEY_READ, users)).returns).toBe(2);
  });
  it('file names are confined: .., absolute, UNC, drive and streams are ERROR_ACCESS_DENIED', async () => {
    const h = (await open(a, 'SOFTWARE\\Test')).phkResult;
    symlinkSync('/tmp', join(files, 'escape'));
    for (const f of ['..\\x.hiv', '../x.hiv', '\\\\host\\share\\x', 'C:\\x.hiv', '/etc/x', 'x.hiv:ads', 'a\\..\\..\\x', 'escape\\x.hiv', '...']) {
      expect((await a.call(T.BaseRegSaveKey, { hKey: h, lpFile: us(f), pSecurityAttributes: null })).returns, f).toBe(5);
    }
  });
  it('hive methods need the privileges: a plain user gets ERROR_PRIVILEGE_NOT_HELD', async () => {
    const r = env.assoc(READER);
    const root = (await r.call(T.OpenLocalMachine, { ServerName: null, samDesired: MAXIMUM_ALLOWED })).phKey;
    const h = (await open(r, 'SOFTWARE\\Test', KEY_READ, root)).phkResult;
    expect((await r.call(T.BaseRegSaveKey, { hKey: h, lpFile: us('r.hiv'), pSecurityAttributes: null })).returns).toBe(0x522);
  });
  it('RestoreKey of a file that is not a hive is ERROR_NOT_REGISTRY_FILE; a missing one ERROR_FILE_NOT_FOUND', async () => {
    writeFileSync(join(files, 'junk.hiv'), 'not a hive at all');
    const h = (await create(a, 'SOFTWARE\\R2')).phkResult;
    expect((await a.call(T.BaseRegRestoreKey, { hKey: h, lpFile: us('junk.hiv'), Flags: 0 })).returns).toBe(0x3f9);
    expect((await a.call(T.BaseRegRestoreKey, { hKey: h, lpFile: us('none.hiv'), Flags: 0 })).returns).toBe(2);
  });
  it('opnums 14/24/25/28/30 have no method: the runtime faults them (nca_s_op_rng_error)', () => {
    for (const n of [14, 24, 25, 28, 30]) expect(env.server.iface.opnums[n], String(n)).toBeUndefined();
  });
  it('with a shutdown hook, 24/25/30 need the privilege and the hook decides', async () => {
    const calls: unknown[] = [];
    const s = await makeServer({ shutdown: (req) => (calls.push(req), true) });
    const req = { ServerName: null, lpMessage: us('bye'), dwTimeout: 30, bForceAppsClosed: 0, bRebootAfterShutdown: 1 };
    expect((await s.assoc(READER).call(T.BaseInitiateSystemShutdown, req)).returns).toBe(5);
    expect((await s.assoc({ ...ADMIN, privileges: ['SeRemoteShutdownPrivilege'] }).call(T.BaseInitiateSystemShutdown, req)).returns).toBe(0);
    expect(calls).toEqual([{ opnum: 24, message: 'bye', timeout: 30, forceAppsClosed: false, reboot: true }]);
  });
  it('while shutting down every method answers ERROR_WRITE_PROTECT (except 32/33)', async () => {
    env.server.shuttingDown = true;
    expect((await a.call(T.BaseRegGetVersion, { hKey: hklm })).returns).toBe(0x13);
    expect((await a.call(T.OpenLocalMachine, { ServerName: null, samDesired: KEY_READ })).returns).toBe(0x13);
    expect((await a.call(T.OpenPerformanceText, { ServerName: null, samDesired: 0 })).returns).toBe(0);
    await env.server.drain();
  });
});
