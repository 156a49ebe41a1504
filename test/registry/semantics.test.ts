// The data store's semantics (MS-RRP §3.1.1 and the §3.1.5 method rules it serves), run against
// each storage backend: the embedded data directory and a private PostgreSQL server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REG_BINARY,
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_EXPAND_SZ,
  REG_LINK,
  REG_MULTI_SZ,
  REG_NONE,
  REG_QWORD,
  REG_SZ,
  encodeValue,
} from '../../src/formats/value.js';
import {
  KEY_ALL_ACCESS,
  KEY_QUERY_VALUE,
  KEY_READ,
  KEY_SET_VALUE,
  KEY_WOW64_32KEY,
  KEY_WOW64_64KEY,
  REG_CREATED_NEW_KEY,
  REG_NOTIFY_CHANGE_LAST_SET,
  REG_NOTIFY_CHANGE_NAME,
  REG_OPENED_EXISTING_KEY,
  REG_OPTION_BACKUP_RESTORE,
  REG_OPTION_CREATE_LINK,
  REG_OPTION_OPEN_LINK,
  REG_OPTION_VOLATILE,
  Win32Error,
  type Notification,
} from '../../src/registry/index.js';
import { StoreFactory, testClock, toySd, toySecurity, token, readToySd, type BackendKind } from './helpers.js';

const sz = (s: string) => encodeValue(REG_SZ, s);

async function code(p: Promise<unknown> | (() => unknown)): Promise<number | string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    if (err instanceof Win32Error) return err.status;
    throw err;
  }
  return 'no error';
}

const BACKENDS: BackendKind[] = ['embedded', 'postgres'];

describe.each(BACKENDS)('registry store on %s', (kind) => {
  const f = new StoreFactory(kind);
  beforeAll(() => f.start());
  afterAll(() => f.stop());

  describe('§3.1.1.1 keys and names', () => {
    it('names are case-insensitive and case-preserving', async () => {
      const { store } = await f.fresh();
      expect(await store.createKey('HKLM\\Software\\MixedCase')).toEqual({ created: true });
      expect(await store.createKey('HKLM\\SOFTWARE\\mixedcase')).toEqual({ created: false });
      expect(await store.listSubkeys('HKEY_LOCAL_MACHINE\\software')).toContain('MixedCase');
      await store.setValue('HKLM\\software\\MIXEDCASE', 'ValName', REG_SZ, sz('x'));
      expect((await store.getValue('hklm\\Software\\MixedCase', 'VALNAME'))?.data).toEqual(sz('x'));
      expect((await store.listValues('HKLM\\Software\\MixedCase')).map((v) => v.name)).toEqual(['ValName']);
    });

    it('refuses a key name over 255 characters, a value name over 16,383, nesting over 512 (ERROR_INVALID_PARAMETER)', async () => {
      const { store } = await f.fresh();
      expect(await store.createKey('HKLM\\Software\\' + 'k'.repeat(255))).toEqual({ created: true });
      expect(await code(store.createKey('HKLM\\Software\\' + 'k'.repeat(256)))).toBe(87);
      await store.setValue('HKLM\\Software\\V', 'n'.repeat(16383), REG_SZ, sz(''));
      expect(await code(store.setValue('HKLM\\Software\\V', 'n'.repeat(16384), REG_SZ, sz('')))).toBe(87);
      const deep = Array.from({ length: 511 }, () => 'd').join('\\'); // Software + 511 = 512 levels
      expect(await store.createKey('HKLM\\Software\\' + deep)).toEqual({ created: true });
      expect(await code(store.createKey('HKLM\\Software\\' + deep + '\\d'))).toBe(87);
    });

    it('refuses value data over the 64 MiB wire limit (§3.1.5.17 range)', async () => {
      const { store } = await f.fresh();
      expect(await code(store.setValue('HKLM\\Software\\Big', 'v', REG_BINARY, Buffer.alloc(0x4000000 + 1)))).toBe(87);
    });

    it('keeps the key class (§3.1.1.6) and reports it through enumeration and QueryInfoKey', async () => {
      const { store } = await f.fresh();
      await store.createKey('HKLM\\Software\\Cls\\Child', { className: 'MyClass' });
      const s = store.openSession();
      const h = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
      const cls = await s.openKey(h, 'Software\\Cls');
      expect((await s.enumKey(cls, 0)).className).toBe('MyClass');
      const info = await s.queryInfoKey(await s.openKey(h, 'Software\\Cls\\Child'));
      expect(info.className).toBe('MyClass');
      expect((await s.queryInfoKey(cls)).maxClassLen).toBe(7);
    });
  });

  describe('last write time (FILETIME) as Windows updates it', () => {
    it('moves on value set/delete and subkey create/delete, not on reads', async () => {
      const clock = testClock();
      const { store } = await f.fresh({ clock: clock.now });
      await store.createKey('HKLM\\Software\\T');
      const lw = async () => (await store.openKey('HKLM\\Software\\T')).lastWrite;
      const t0 = await lw();
      clock.advance();
      await store.getValue('HKLM\\Software\\T', 'x');
      await store.listSubkeys('HKLM\\Software\\T');
      expect(await lw()).toBe(t0);
      await store.setValue('HKLM\\Software\\T', 'x', REG_DWORD, encodeValue(REG_DWORD, 1));
      const t1 = await lw();
      expect(t1).toBeGreaterThan(t0);
      clock.advance();
      await store.createKey('HKLM\\Software\\T\\Sub');
      const t2 = await lw();
      expect(t2).toBeGreaterThan(t1);
      clock.advance();
      await store.deleteKey('HKLM\\Software\\T\\Sub');
      const t3 = await lw();
      expect(t3).toBeGreaterThan(t2);
      clock.advance();
      await store.deleteValue('HKLM\\Software\\T', 'x');
      expect(await lw()).toBeGreaterThan(t3);
    });
  });

  describe('enumeration order (§3.1.1.1, §3.1.1.5: zero-based, stable while unchanged)', () => {
    it('subkeys by upper-case name; values in insertion order, an overwrite keeps its index', async () => {
      const { store } = await f.fresh();
      for (const n of ['beta', 'Alpha', 'gamma', '_under', 'Zeta']) await store.createKey(`HKLM\\Software\\E\\${n}`);
      expect(await store.listSubkeys('HKLM\\Software\\E')).toEqual(['Alpha', 'beta', 'gamma', 'Zeta', '_under']);
      for (const n of ['z', 'a', 'm']) await store.setValue('HKLM\\Software\\E', n, REG_SZ, sz(n));
      await store.setValue('HKLM\\Software\\E', 'A', REG_DWORD, encodeValue(REG_DWORD, 5));
      const vals = await store.listValues('HKLM\\Software\\E');
      expect(vals.map((v) => v.name)).toEqual(['z', 'a', 'm']);
      expect(vals[1]!.type).toBe(REG_DWORD);
      const s = store.openSession();
      const h = await s.openKey(await s.openPredefined('HKEY_LOCAL_MACHINE'), 'Software\\E');
      expect(await code(s.enumKey(h, 5))).toBe(259); // ERROR_NO_MORE_ITEMS
      expect(await code(s.enumValue(h, 3))).toBe(259);
      expect((await s.enumValue(h, 2)).name).toBe('m');
      // The non-throwing forms: the same items, undefined past the end.
      expect((await s.enumKeyAt(h, 4))?.name).toBe('_under');
      expect(await s.enumKeyAt(h, 5)).toBeUndefined();
      expect((await s.enumValueAt(h, 0))?.name).toBe('z');
      expect(await s.enumValueAt(h, 3)).toBeUndefined();
      expect(await s.enumValueAt(h, -1)).toBeUndefined();
    });
  });

  describe('§3.1.1.5 values of every type', () => {
    it('stores each REG_* type and unknown types as raw bytes, surviving a reopen', async () => {
      const { store, loc } = await f.fresh();
      const cases: [string, number, Buffer][] = [
        ['none', REG_NONE, Buffer.from([1, 2])],
        ['sz', REG_SZ, sz('text')],
        ['expand', REG_EXPAND_SZ, encodeValue(REG_EXPAND_SZ, '%PATH%')],
        ['bin', REG_BINARY, Buffer.from([0, 255, 7])],
        ['dword', REG_DWORD, encodeValue(REG_DWORD, 0xdeadbeef)],
        ['dwordbe', REG_DWORD_BIG_ENDIAN, encodeValue(REG_DWORD_BIG_ENDIAN, 1)],
        ['multi', REG_MULTI_SZ, encodeValue(REG_MULTI_SZ, ['a', '', 'b'])],
        ['qword', REG_QWORD, encodeValue(REG_QWORD, 1n << 40n)],
        ['reslist', 8, Buffer.from([8, 8])],
        ['unknown', 0x7fff1234, Buffer.from('opaque')],
        ['empty', REG_BINARY, Buffer.alloc(0)],
        ['', REG_SZ, sz('default value')],
      ];
      for (const [n, t, d] of cases) await store.setValue('HKLM\\Software\\Types', n, t, d);
      await store.close();
      const again = await f.open(loc);
      for (const [n, t, d] of cases) expect(await again.getValue('HKLM\\Software\\Types', n)).toEqual({ type: t, data: d });
    });
  });

  describe('§3.1.1.7, §3.1.1.8 predefined keys', () => {
    it('HKEY_CURRENT_USER is HKEY_USERS\\<caller SID>', async () => {
      const { store } = await f.fresh();
      await store.setValue('HKU\\S-1-5-21-1-2-3-1001\\Software\\App', 'who', REG_SZ, sz('alice'));
      const s = store.openSession(token('S-1-5-21-1-2-3-1001'));
      const hkcu = await s.openPredefined('HKEY_CURRENT_USER', KEY_READ);
      expect((await s.queryValue(await s.openKey(hkcu, 'Software\\App'), 'who')).data).toEqual(sz('alice'));
      const other = store.openSession(token('S-1-5-21-1-2-3-1002'));
      expect(await code(other.openPredefined('HKEY_CURRENT_USER', KEY_READ))).toBe(2);
    });

    it('HKEY_CLASSES_ROOT merges the caller\'s Classes over the machine\'s', async () => {
      const { store } = await f.fresh();
      const sid = 'S-1-5-21-9-9-9-500';
      await store.setValue('HKLM\\Software\\Classes\\.txt', '', REG_SZ, sz('txtfile'));
      await store.setValue('HKLM\\Software\\Classes\\.log', '', REG_SZ, sz('logfile'));
      await store.setValue(`HKU\\${sid}\\Software\\Classes\\.txt`, '', REG_SZ, sz('mytxt'));
      await store.createKey(`HKU\\${sid}\\Software\\Classes\\.mine`);
      const s = store.openSession(token(sid, ['S-1-5-32-544']));
      const hkcr = await s.openPredefined('HKEY_CLASSES_ROOT', KEY_ALL_ACCESS);
      expect((await s.queryValue(await s.openKey(hkcr, '.txt'), '')).data).toEqual(sz('mytxt'));
      expect((await s.queryValue(await s.openKey(hkcr, '.log'), '')).data).toEqual(sz('logfile'));
      const names: string[] = [];
      for (let i = 0; ; i++) {
        try {
          names.push((await s.enumKey(hkcr, i)).name);
        } catch {
          break;
        }
      }
      expect(names).toEqual(expect.arrayContaining(['.txt', '.log', '.mine']));
      expect(names.filter((n) => n === '.txt')).toHaveLength(1);
      // A new key under HKCR goes to the machine's Classes when the caller's has no such parent.
      await s.createKey(hkcr, '.newext');
      expect(await store.keyExists('HKLM\\Software\\Classes\\.newext')).toBe(true);
      expect(await store.keyExists(`HKU\\${sid}\\Software\\Classes\\.newext`)).toBe(false);
    });

    it('HKEY_CURRENT_CONFIG is the current hardware profile through the CurrentControlSet link', async () => {
      const { store } = await f.fresh();
      await store.setValue('HKLM\\SYSTEM\\ControlSet001\\Hardware Profiles\\0001\\Software', 'p', REG_DWORD, encodeValue(REG_DWORD, 7));
      const s = store.openSession();
      const hkcc = await s.openPredefined('HKEY_CURRENT_CONFIG', KEY_READ);
      expect((await s.queryValue(await s.openKey(hkcc, 'Software'), 'p')).data).toEqual(encodeValue(REG_DWORD, 7));
      expect(await store.getValue('HKLM\\SYSTEM\\CurrentControlSet\\Hardware Profiles\\Current\\Software', 'p')).toEqual({ type: REG_DWORD, data: encodeValue(REG_DWORD, 7) });
      expect((await store.openKey('HKLM\\SYSTEM\\CurrentControlSet', { openLink: true })).link).toBe(true);
    });

    it('the performance keys answer QueryInfoKey/QueryValue/EnumValue with valid minimal data (§3.1.5.4, §3.1.5.28)', async () => {
      const { store } = await f.fresh();
      const s = store.openSession(token('S-1-5-21-1-1-1-1'));
      const pd = await s.openPredefined('HKEY_PERFORMANCE_DATA', 0);
      const g = await s.queryValue(pd, 'Global');
      expect(g.type).toBe(REG_BINARY);
      expect(g.data.toString('utf16le', 0, 8)).toBe('PERF');
      expect(g.data.readUInt32LE(20)).toBe(g.data.length); // TotalByteLength
      expect(g.data.readUInt32LE(28)).toBe(0); // NumObjectTypes
      expect((await s.queryInfoKey(pd)).subKeys).toBe(0);
      expect(await code(s.enumKey(pd, 0))).toBe(259);
      const pt = await s.openPredefined('HKEY_PERFORMANCE_TEXT', 0);
      expect((await s.enumValue(pt, 0)).type).toBe(REG_MULTI_SZ);
      expect(await code(s.setValue(pt, 'x', REG_SZ, sz('')))).toBe(5);
      expect(await code(s.getKeySecurity(pd, 0x8))).toBe(0x522);
    });
  });

  describe('§3.1.1.2 volatile keys', () => {
    it('are never stored: gone after a restart; a stable child of a volatile key is ERROR_CHILD_MUST_BE_VOLATILE', async () => {
      const { store, loc } = await f.fresh();
      await store.createKey('HKLM\\Software\\Vol', { volatile: true });
      await store.setValue('HKLM\\Software\\Vol', 'v', REG_SZ, sz('temp'));
      await store.createKey('HKLM\\Software\\Vol\\Child', { volatile: true });
      await store.setValue('HKLM\\Software\\Stable', 's', REG_SZ, sz('kept'));
      expect(await code(store.createKey('HKLM\\Software\\Vol\\Stable'))).toBe(1021);
      expect((await store.openKey('HKLM\\Software\\Vol')).volatile).toBe(true);
      await store.close();
      await f.restartServer();
      const again = await f.open(loc);
      expect(await again.keyExists('HKLM\\Software\\Vol')).toBe(false);
      expect(await again.getValue('HKLM\\Software\\Stable', 's')).toEqual({ type: REG_SZ, data: sz('kept') });
    });
  });

  describe('§3.1.1.11 symbolic links', () => {
    it('are followed on open, opened themselves with REG_OPTION_OPEN_LINK, hold only SymbolicLinkValue', async () => {
      const { store } = await f.fresh();
      await store.setValue('HKLM\\Software\\Target', 'v', REG_SZ, sz('in target'));
      await store.createKey('HKLM\\Software\\Link', { linkTarget: 'HKLM\\Software\\Target' });
      expect((await store.getValue('HKLM\\Software\\Link', 'v'))?.data).toEqual(sz('in target'));
      const s = store.openSession();
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      const src = await s.openKey(hklm, 'Software\\Link', { options: REG_OPTION_OPEN_LINK, sam: KEY_ALL_ACCESS });
      const lv = await s.queryValue(src, 'SymbolicLinkValue');
      expect(lv.type).toBe(REG_LINK);
      expect(lv.data.toString('utf16le')).toBe('\\Registry\\Machine\\Software\\Target');
      expect(await code(s.setValue(src, 'other', REG_SZ, sz('')))).toBe(5);
      // Writing through the link lands in the target.
      await store.setValue('HKLM\\Software\\Link', 'w', REG_DWORD, encodeValue(REG_DWORD, 2));
      expect(await store.getValue('HKLM\\Software\\Target', 'w')).toBeDefined();
      // BaseRegDeleteKey on a link source: ERROR_FILE_NOT_FOUND (§3.1.1.11).
      expect(await code(s.deleteKey(hklm, 'Software\\Link'))).toBe(2);
      // Creating a link that exists: ERROR_ALREADY_EXISTS (§3.1.5.7).
      expect(await code(s.createKey(hklm, 'Software\\Link', { options: REG_OPTION_CREATE_LINK }))).toBe(183);
      // A trusted tool can remove the link itself.
      await store.deleteKey('HKLM\\Software\\Link', { link: true });
      expect(await store.keyExists('HKLM\\Software\\Link')).toBe(false);
      expect(await store.keyExists('HKLM\\Software\\Target')).toBe(true);
    });

    it('follows chains up to 64 links (<11>), fails a dangling link with ERROR_INVALID_PARAMETER (§3.1.5.15)', async () => {
      const { store } = await f.fresh();
      await store.createKey('HKLM\\Software\\End');
      let prev = 'HKLM\\Software\\End';
      for (let i = 0; i < 65; i++) {
        await store.createKey(`HKLM\\Software\\L${i}`, { linkTarget: prev });
        prev = `HKLM\\Software\\L${i}`;
      }
      expect(await store.keyExists('HKLM\\Software\\L63')).toBe(true); // 64 links
      expect(await code(store.openKey('HKLM\\Software\\L64'))).toBe(0x781); // 65 links
      await store.createKey('HKLM\\Software\\Dangling', { linkTarget: 'HKLM\\Software\\Nowhere' });
      expect(await code(store.openKey('HKLM\\Software\\Dangling'))).toBe(87);
    });
  });

  describe('§3.1.1.4 WOW64 views', () => {
    it('redirects 32-bit requests under HKLM\\Software to Wow6432Node, leaves shared keys, refuses both bits', async () => {
      const { store } = await f.fresh();
      const s = store.openSession();
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      const k32 = (await s.createKey(hklm, 'Software\\Vendor32', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY })).handle;
      await s.setValue(k32, 'bits', REG_DWORD, encodeValue(REG_DWORD, 32));
      expect(await store.keyExists('HKLM\\Software\\Wow6432Node\\Vendor32')).toBe(true);
      expect(await store.keyExists('HKLM\\Software\\Vendor32')).toBe(false);
      // The 32-bit view of HKLM\Software\Classes is Classes\Wow6432Node, via the Wow6432Node\Classes link.
      await s.createKey(hklm, 'Software\\Classes\\CLSID\\{x}', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY });
      expect(await store.keyExists('HKLM\\Software\\Classes\\Wow6432Node\\CLSID\\{x}')).toBe(true);
      // Shared keys (Microsoft's list) are the same in both views.
      await s.createKey(hklm, 'Software\\Policies\\P32', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY });
      expect(await store.keyExists('HKLM\\Software\\Policies\\P32')).toBe(true);
      // HKU\*\Software too.
      await store.createKey('HKU\\S-1-5-21-5\\Software');
      await s.createKey(await s.openPredefined('HKEY_USERS', KEY_ALL_ACCESS), 'S-1-5-21-5\\Software\\App', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY });
      expect(await store.keyExists('HKU\\S-1-5-21-5\\Software\\Wow6432Node\\App')).toBe(true);
      // Both bits: ERROR_INVALID_PARAMETER (§3.1.1.4, MUST for DeleteKeyEx §3.1.5.31).
      expect(await code(s.openKey(hklm, 'Software', { sam: KEY_READ | KEY_WOW64_32KEY | KEY_WOW64_64KEY }))).toBe(87);
      expect(await code(s.deleteKey(hklm, 'Software\\Vendor32', { sam: KEY_WOW64_32KEY | KEY_WOW64_64KEY, ex: true }))).toBe(87);
      // DeleteKeyEx with KEY_WOW64_32KEY deletes in the 32-bit view.
      await s.deleteKey(hklm, 'Software\\Vendor32', { sam: KEY_WOW64_32KEY, ex: true });
      expect(await store.keyExists('HKLM\\Software\\Wow6432Node\\Vendor32')).toBe(false);
    });
  });

  describe('§3.1.1.4 reflection (<9>, <10>; UPDATECOPY §3.1.1, §3.1.5.6)', () => {
    const dw = (n: number) => encodeValue(REG_DWORD, n);
    const get = async (store: Awaited<ReturnType<typeof f.fresh>>['store'], path: string, name: string, view: 32 | 64) => {
      const s = store.openSession();
      try {
        const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
        const h = await s.openKey(hklm, path, { sam: KEY_READ | (view === 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY) });
        return (await s.queryValue(h, name)).data.readUInt32LE(0);
      } catch (err) {
        if (err instanceof Win32Error) return err.status;
        throw err;
      } finally {
        s.close();
      }
    };

    it("'none' (the default, Windows 7 and later): nothing is copied between the views", async () => {
      const { store } = await f.fresh();
      const s = store.openSession();
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      const { handle } = await s.createKey(hklm, 'Software\\Classes\\.none', { sam: KEY_ALL_ACCESS });
      await s.setValue(handle, 'v', REG_DWORD, dw(64));
      await s.closeKey(handle);
      expect(await get(store, 'Software\\Classes\\.none', 'v', 64)).toBe(64);
      expect(await get(store, 'Software\\Classes\\.none', 'v', 32)).toBe(2); // ERROR_FILE_NOT_FOUND
      // COM3 is shared (one key for both views).
      await store.setValue('HKLM\\Software\\Microsoft\\COM3', 'c', REG_DWORD, dw(3));
      expect(await get(store, 'Software\\Microsoft\\COM3', 'c', 32)).toBe(3);
    });

    it("'vista': a change to a reflected key is copied to the other view when its handle is closed", async () => {
      const { store } = await f.fresh({ reflection: 'vista' });
      const s = store.openSession();
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      // 64 → 32 under HKLM\SOFTWARE\Classes, subkeys included; postponed until close (<10>).
      const { handle } = await s.createKey(hklm, 'Software\\Classes\\.vista', { sam: KEY_ALL_ACCESS });
      await s.setValue(handle, 'v', REG_DWORD, dw(64));
      expect(handle.updateCopy).toBe(true);
      await store.createKey('HKLM\\Software\\Classes\\.vista\\Shell');
      await store.setValue('HKLM\\Software\\Classes\\.vista\\Shell', 'deep', REG_DWORD, dw(7));
      expect(await get(store, 'Software\\Classes\\.vista', 'v', 32)).toBe(2);
      await s.closeKey(handle);
      expect(await get(store, 'Software\\Classes\\.vista', 'v', 32)).toBe(64);
      expect(await get(store, 'Software\\Classes\\.vista\\Shell', 'deep', 32)).toBe(7);
      expect(await store.keyExists('HKLM\\Software\\Classes\\Wow6432Node\\.vista\\Shell')).toBe(true);
      // 32 → 64 under HKLM\SOFTWARE\Microsoft\OLE (a separate key per view with reflection).
      const ole = (await s.createKey(hklm, 'Software\\Microsoft\\OLE', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY })).handle;
      await s.setValue(ole, 'from32', REG_DWORD, dw(32));
      expect(await store.keyExists('HKLM\\Software\\Wow6432Node\\Microsoft\\OLE')).toBe(true);
      await s.closeKey(ole);
      expect(await get(store, 'Software\\Microsoft\\OLE', 'from32', 64)).toBe(32);
      // Values already in the target are overwritten.
      const back = (await s.openKey(hklm, 'Software\\Classes\\.vista', { sam: KEY_ALL_ACCESS | KEY_WOW64_32KEY }));
      await s.setValue(back, 'v', REG_DWORD, dw(32));
      await s.closeKey(back);
      expect(await get(store, 'Software\\Classes\\.vista', 'v', 64)).toBe(32);
      // Not reflected: Classes\HCP (<9> excepts it) and keys outside the list.
      for (const p of ['Software\\Classes\\HCP', 'Software\\Vendor']) {
        const h = (await s.createKey(hklm, p, { sam: KEY_ALL_ACCESS })).handle;
        await s.setValue(h, 'x', REG_DWORD, dw(1));
        expect(h.updateCopy).toBe(false);
        await s.closeKey(h);
      }
      expect(await store.keyExists('HKLM\\Software\\Wow6432Node\\Vendor')).toBe(false);
      // HKCU\SOFTWARE\Classes, through the store's reflect() (what the RRP server calls at close).
      await store.setValue('HKCU\\Software\\Classes\\.user', 'u', REG_DWORD, dw(5));
      await store.reflect('HKCU\\Software\\Classes\\.user');
      expect(await store.getValue('HKCU\\Software\\Classes\\Wow6432Node\\.user', 'u')).toEqual({ type: REG_DWORD, data: dw(5) });
    });
  });

  describe('change notification', () => {
    it('reports value and subkey changes on a key, or its subtree, filtered', async () => {
      const { store } = await f.fresh();
      await store.createKey('HKLM\\Software\\W\\Deep');
      const key = await store.watch('HKLM\\Software\\W');
      const tree = await store.watch('HKLM\\Software\\W', { subtree: true });
      const names = await store.watch('HKLM\\Software\\W', { filter: REG_NOTIFY_CHANGE_NAME });
      const got = { key: [] as Notification[], tree: [] as Notification[], names: [] as Notification[] };
      key.on('change', (n: Notification) => got.key.push(n));
      tree.on('change', (n: Notification) => got.tree.push(n));
      names.on('change', (n: Notification) => got.names.push(n));
      await store.setValue('HKLM\\Software\\W', 'a', REG_SZ, sz('1'));
      await store.setValue('HKLM\\Software\\W\\Deep', 'b', REG_SZ, sz('2'));
      await store.createKey('HKLM\\Software\\W\\New');
      await new Promise((r) => setTimeout(r, 50));
      expect(got.key.map((n) => n.kind)).toEqual(['value-set', 'key-created']);
      expect(got.tree.map((n) => n.kind)).toEqual(['value-set', 'value-set', 'key-created']);
      expect(got.names.map((n) => [n.kind, n.filter])).toEqual([['key-created', REG_NOTIFY_CHANGE_NAME]]);
      expect(got.key[0]!.filter).toBe(REG_NOTIFY_CHANGE_LAST_SET);
      // async iterator form
      const it = tree[Symbol.asyncIterator]();
      expect((await it.next()).value.kind).toBe('value-set');
      for (const w of [key, tree, names]) w.close();
    });
  });

  describe('transactions', () => {
    it('apply all changes or none', async () => {
      const { store, loc } = await f.fresh();
      await store.setValue('HKLM\\Software\\Tx', 'keep', REG_SZ, sz('before'));
      await expect(
        store.transaction(async (tx) => {
          await tx.setValue('HKLM\\Software\\Tx', 'keep', REG_SZ, sz('changed'));
          await tx.createKey('HKLM\\Software\\Tx\\New');
          await tx.deleteValue('HKLM\\Software\\Tx', 'keep');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.getValue('HKLM\\Software\\Tx', 'keep')).toEqual({ type: REG_SZ, data: sz('before') });
      expect(await store.keyExists('HKLM\\Software\\Tx\\New')).toBe(false);
      await store.transaction(async (tx) => {
        await tx.setValue('HKLM\\Software\\Tx', 'a', REG_DWORD, encodeValue(REG_DWORD, 1));
        await tx.setValue('HKLM\\Software\\Tx\\Sub', 'b', REG_DWORD, encodeValue(REG_DWORD, 2));
        expect(await tx.getValue('HKLM\\Software\\Tx\\Sub', 'b')).toBeDefined();
      });
      await store.close();
      const again = await f.open(loc);
      expect(await again.getValue('HKLM\\Software\\Tx\\Sub', 'b')).toEqual({ type: REG_DWORD, data: encodeValue(REG_DWORD, 2) });
      expect(await again.getValue('HKLM\\Software\\Tx', 'keep')).toEqual({ type: REG_SZ, data: sz('before') });
    });
  });

  describe('read isolation', () => {
    it('a reader never sees a transaction half applied, nor a change of a transaction that failed', async () => {
      const { store } = await f.fresh();
      await store.createKey('HKLM\\Software\\Iso');
      const dw = (n: number) => encodeValue(REG_DWORD, n);
      for (const fail of [false, true]) {
        let reached!: () => void;
        const inside = new Promise<void>((r) => (reached = r));
        const tx = store.transaction(async (t) => {
          await t.setValue('HKLM\\Software\\Iso', `a${fail}`, REG_DWORD, dw(1));
          reached();
          // The transaction is half done for as long as this lasts.
          await new Promise((r) => setTimeout(r, 30));
          await t.setValue('HKLM\\Software\\Iso', `b${fail}`, REG_DWORD, dw(2));
          if (fail) throw new Error('abort');
        });
        await inside;
        const [seen, one] = await Promise.all([store.listValues('HKLM\\Software\\Iso'), store.getValue('HKLM\\Software\\Iso', `a${fail}`)]);
        await tx.catch(() => undefined);
        const names = seen.map((v) => v.name).filter((n) => n.endsWith(String(fail)));
        // Each read is whole: before the transaction or after it (the two reads may fall either side).
        expect([[], [`a${fail}`, `b${fail}`]]).toContainEqual(names);
        if (fail) {
          expect(names).toEqual([]);
          expect(one).toBeUndefined();
        }
      }
    });
  });

  describe('§3.1.5 handles and access (§3.1.1.9, §3.1.1.10)', () => {
    const admin = token('S-1-5-21-7-7-7-500', ['S-1-5-32-544']);
    const user = token('S-1-5-21-7-7-7-1001', ['S-1-5-32-545']);

    it('checks the key descriptor at open and fixes the granted access on the handle', async () => {
      const { store } = await f.fresh({ security: toySecurity });
      await store.setValue('HKLM\\Software\\Acl', 'v', REG_SZ, sz('x'));
      const su = store.openSession(user);
      const hklm = await su.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
      expect(await code(su.openKey(hklm, 'Software\\Acl', { sam: KEY_SET_VALUE }))).toBe(5);
      const ro = await su.openKey(hklm, 'Software\\Acl', { sam: KEY_READ });
      expect((await su.queryValue(ro, 'v')).data).toEqual(sz('x'));
      expect(await code(su.setValue(ro, 'v', REG_SZ, sz('y')))).toBe(5);
      const sa = store.openSession(admin);
      const qa = await sa.openKey(await sa.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS), 'Software\\Acl', { sam: KEY_QUERY_VALUE });
      expect(await code(sa.setValue(qa, 'v', REG_SZ, sz('y')))).toBe(5); // handle opened for query only
      // MAXIMUM_ALLOWED gives what the descriptor allows.
      const max = await su.openKey(hklm, 'Software\\Acl', { sam: 0x02000000 });
      expect(max.granted & 0x20019).toBe(0x20019);
      expect(max.granted & KEY_SET_VALUE).toBe(0);
      // Unknown REGSAM bits: ERROR_INVALID_PARAMETER.
      expect(await code(su.openKey(hklm, 'Software\\Acl', { sam: 0x400 }))).toBe(87);
    });

    it('new keys: KEY_CREATE_SUB_KEY on the parent, descriptor from createChild, a deny ACE honoured', async () => {
      const { store } = await f.fresh({ security: toySecurity });
      const sa = store.openSession(admin);
      const hklm = await sa.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      const r = await sa.createKey(hklm, 'Software\\Made', { sam: KEY_ALL_ACCESS });
      expect(r.disposition).toBe(REG_CREATED_NEW_KEY);
      expect((await sa.createKey(hklm, 'Software\\Made')).disposition).toBe(REG_OPENED_EXISTING_KEY);
      expect(readToySd(await store.getSecurity('HKLM\\Software\\Made')).allow?.['S-1-5-32-544']).toBe(0xf003f);
      const su = store.openSession(user);
      const uh = await su.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
      expect(await code(su.createKey(uh, 'Software\\Made\\Mine'))).toBe(5);
      await store.setSecurity('HKLM\\Software\\Made', toySd({ owner: 'S-1-5-32-544', allow: { 'S-1-5-32-545': 0xf003f }, deny: { 'S-1-5-21-7-7-7-1001': 0x2 } }), 0x5);
      const h = await su.openKey(uh, 'Software\\Made', { sam: KEY_READ | 0x4 });
      expect((await su.createKey(h, 'Mine', { sam: KEY_READ })).disposition).toBe(REG_CREATED_NEW_KEY);
      expect(await code(su.openKey(uh, 'Software\\Made', { sam: KEY_SET_VALUE }))).toBe(5);
      // Explicit descriptor at creation.
      await sa.createKey(hklm, 'Software\\Explicit', { securityDescriptor: toySd({ owner: 'X', allow: { X: 1 } }) });
      expect(readToySd(await store.getSecurity('HKLM\\Software\\Explicit')).owner).toBe('X');
    });

    it('backup/restore intent grants by privilege (§3.1.5.15)', async () => {
      const { store } = await f.fresh({ security: toySecurity });
      await store.createKey('HKLM\\Software\\Locked');
      await store.setSecurity('HKLM\\Software\\Locked', toySd({ owner: 'S-1-5-18', allow: {} }), 0x5);
      const op = token('S-1-5-21-7-7-7-1500', ['S-1-5-32-545'], ['SeBackupPrivilege']);
      const s = store.openSession(op);
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ).catch(() => undefined);
      expect(hklm).toBeDefined(); // HKLM's own descriptor lets the operator read
      expect(await code(s.openKey(hklm!, 'Software\\Locked', { sam: KEY_READ }))).toBe(5);
      const b = await s.openKey(hklm!, 'Software\\Locked', { options: REG_OPTION_BACKUP_RESTORE, sam: KEY_ALL_ACCESS });
      expect(b.granted & KEY_QUERY_VALUE).toBe(KEY_QUERY_VALUE);
      expect(b.granted & KEY_SET_VALUE).toBe(0);
      const nobody = store.openSession(token('S-1-5-21-7-7-7-1600', ['S-1-5-32-545']));
      const nh = await nobody.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
      expect(await code(nobody.openKey(nh, 'Software\\Locked', { options: REG_OPTION_BACKUP_RESTORE }))).toBe(5);
    });

    it('returns the RRP error codes for handle misuse', async () => {
      const { store } = await f.fresh();
      const s = store.openSession(admin);
      const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
      // Direct children of HKLM/HKU cannot be created (§3.1.5.7).
      expect(await code(s.createKey(hklm, 'NewHive'))).toBe(87);
      expect(await code(s.createKey(hklm, 'Software\\X', { options: 0x40 }))).toBe(87);
      const h = (await s.createKey(hklm, 'Software\\Gone')).handle;
      await s.createKey(h, 'Child');
      // RegDeleteKey refuses a key with subkeys (ERROR_ACCESS_DENIED).
      expect(await code(s.deleteKey(hklm, 'Software\\Gone'))).toBe(5);
      await s.deleteKey(h, 'Child');
      await s.deleteKey(hklm, 'Software\\Gone');
      // Handles to a deleted key: ERROR_KEY_DELETED (§2.2.6).
      expect(await code(s.queryInfoKey(h))).toBe(1018);
      expect(await code(s.setValue(h, 'v', REG_SZ, sz('')))).toBe(1018);
      expect(await code(s.queryValue(h, 'v'))).toBe(1018);
      expect(await code(s.enumValue(h, 0))).toBe(1018);
      // Missing keys and values: ERROR_FILE_NOT_FOUND.
      expect(await code(s.openKey(hklm, 'Software\\Gone'))).toBe(2);
      expect(await code(s.deleteKey(hklm, 'Software\\Gone'))).toBe(2);
      expect(await code(s.queryValue(await s.openKey(hklm, 'Software'), 'nope'))).toBe(2);
      // Close: then the handle is invalid (BaseRegOpenKey ⇒ 6; BaseRegDeleteKey ⇒ 87 §3.1.5.8).
      s.closeKey(h);
      expect(await code(() => s.closeKey(h))).toBe(6);
      expect(await code(s.openKey(h, ''))).toBe(6);
      expect(await code(s.deleteKey(h, 'x'))).toBe(87);
      expect(await code(s.deleteKey(h, 'x', { ex: true }))).toBe(6);
      // Volatile via the handle API.
      const v = (await s.createKey(hklm, 'Software\\V', { options: REG_OPTION_VOLATILE })).handle;
      expect(await code(s.createKey(v, 'S'))).toBe(1021);
      expect((await s.createKey(v, 'S', { options: REG_OPTION_VOLATILE })).disposition).toBe(REG_CREATED_NEW_KEY);
      // A key made again at a deleted key's path is another key: the old handle stays deleted.
      const old = (await s.createKey(hklm, 'Software\\Again')).handle;
      await s.setValue(old, 'v', REG_SZ, sz('1'));
      await s.deleteKey(hklm, 'Software\\Again');
      const again = (await s.createKey(hklm, 'Software\\Again')).handle;
      await s.setValue(again, 'v', REG_SZ, sz('2'));
      expect(await code(s.queryValue(old, 'v'))).toBe(1018);
      expect(await code(s.enumValue(old, 0))).toBe(1018);
      expect((await s.queryValue(again, 'v')).data).toEqual(sz('2'));
      s.close();
      expect(s.openHandles).toBe(0);
    });

    it('QueryInfoKey reports counts and maximum lengths (§3.1.5.16)', async () => {
      const { store } = await f.fresh();
      await store.createKey('HKLM\\Software\\Q\\abc');
      await store.createKey('HKLM\\Software\\Q\\abcdef', { className: 'cls' });
      await store.setValue('HKLM\\Software\\Q', 'name7ch', REG_BINARY, Buffer.alloc(33));
      await store.setValue('HKLM\\Software\\Q', 'n', REG_BINARY, Buffer.alloc(3));
      const s = store.openSession();
      const q = await s.openKey(await s.openPredefined('HKEY_LOCAL_MACHINE'), 'Software\\Q');
      const info = await s.queryInfoKey(q);
      expect(info).toMatchObject({ subKeys: 2, maxSubKeyLen: 6, maxClassLen: 3, values: 2, maxValueNameLen: 7, maxValueLen: 33 });
      expect(info.securityDescriptorSize).toBe((await store.getSecurity('HKLM\\Software\\Q', 0xf)).length);
    });
  });
});
