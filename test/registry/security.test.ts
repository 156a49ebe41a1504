// The store with Windows' security (src/security): default descriptors of the predefined keys,
// inheritance into new keys, access checks at open, Get/SetKeySecurity (MS-RRP §3.1.1.10, §3.1.5.7,
// §3.1.5.13, §3.1.5.15, §3.1.5.21; MS-DTYP §2.5.3.2).

import { describe, expect, it } from 'vitest';
import { REG_SZ, encodeValue } from '../../src/formats/value.js';
import { KEY_ALL_ACCESS, KEY_CREATE_SUB_KEY, KEY_READ, KEY_SET_VALUE, REG_OPTION_BACKUP_RESTORE, RegistryStore, Win32Error } from '../../src/registry/index.js';
import { SecurityDescriptor, REGISTRY_DEFAULT_SDDL } from '../../src/security/index.js';
import { token } from './helpers.js';

async function code(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Win32Error) return err.status;
    throw err;
  }
  return 'no error';
}

const USERS = 'S-1-5-32-545';
const ADMINS = 'S-1-5-32-544';
const alice = token('S-1-5-21-11-22-33-1001', [USERS, 'S-1-1-0', 'S-1-5-11']);
const admin = token('S-1-5-21-11-22-33-500', [ADMINS, USERS, 'S-1-1-0', 'S-1-5-11']);
const sddl = (b: Buffer) => SecurityDescriptor.fromBinary(b).toSddl();

describe('store security (Windows model)', () => {
  it('predefined keys carry Windows\' default descriptors; new keys inherit from the parent', async () => {
    const store = await RegistryStore.open();
    expect(sddl(await store.getSecurity('HKLM\\SOFTWARE', 0xf))).toBe(SecurityDescriptor.fromSddl(REGISTRY_DEFAULT_SDDL['HKEY_LOCAL_MACHINE\\SOFTWARE']!).toSddl());
    await store.createKey('HKLM\\SOFTWARE\\Vendor');
    const child = sddl(await store.getSecurity('HKLM\\SOFTWARE\\Vendor', 0x4));
    // Inherited ACEs (ID): Users read, Administrators and SYSTEM full control.
    expect(child).toMatch(/\(A;CIID;KR;;;BU\)/);
    expect(child).toMatch(/\(A;CIID;KA;;;BA\)/);
    // A user hive gets the profile descriptor: the user has full control of HKCU.
    await store.createKey(`HKU\\${alice.user}\\Software`);
    const s = store.openSession(alice);
    const hkcu = await s.openPredefined('HKEY_CURRENT_USER', KEY_ALL_ACCESS);
    await s.setValue((await s.createKey(hkcu, 'Software\\Mine')).handle, 'v', REG_SZ, encodeValue(REG_SZ, 'x'));
    expect(await store.getValue(`HKU\\${alice.user}\\Software\\Mine`, 'v')).toBeDefined();
  });

  it('Users read HKLM\\SOFTWARE but cannot write or create there; Administrators can', async () => {
    const store = await RegistryStore.open();
    await store.setValue('HKLM\\SOFTWARE\\App', 'v', REG_SZ, encodeValue(REG_SZ, 'x'));
    const u = store.openSession(alice);
    const hklm = await u.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
    const app = await u.openKey(hklm, 'SOFTWARE\\App', { sam: KEY_READ });
    expect((await u.queryValue(app, 'v')).type).toBe(REG_SZ);
    expect(await code(u.openKey(hklm, 'SOFTWARE\\App', { sam: KEY_SET_VALUE }))).toBe(5);
    expect(await code(u.createKey(hklm, 'SOFTWARE\\App\\Sub'))).toBe(5);
    expect(await code(u.openKey(hklm, 'SAM', { sam: KEY_READ }))).toBe(5);
    const a = store.openSession(admin);
    const ah = await a.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS);
    const made = await a.createKey(ah, 'SOFTWARE\\App\\Sub', { sam: KEY_ALL_ACCESS });
    await a.setValue(made.handle, 'w', REG_SZ, encodeValue(REG_SZ, 'y'));
    // The admin's new key: CREATOR OWNER's inheritable ACE became a full-control ACE for the owner.
    const sd = SecurityDescriptor.fromBinary(await store.getSecurity('HKLM\\SOFTWARE\\App\\Sub', 0x5));
    expect(sd.owner?.toString()).toMatch(/^S-1-5-(32-544|21-11-22-33-500)$/);
  });

  it('Get/SetKeySecurity apply the parts SECURITY_INFORMATION selects, with the rights they need', async () => {
    const store = await RegistryStore.open();
    await store.createKey('HKLM\\SOFTWARE\\Sec');
    const a = store.openSession(admin);
    const h = await a.openKey(await a.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS), 'SOFTWARE\\Sec', { sam: KEY_ALL_ACCESS });
    expect(sddl(await a.getKeySecurity(h, 0x1))).toMatch(/^O:[^DG]+$/); // owner only
    // SACL needs ACCESS_SYSTEM_SECURITY on the handle.
    expect(await code(a.getKeySecurity(h, 0x8))).toBe(5);
    const ro = await a.openKey(await a.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS), 'SOFTWARE\\Sec', { sam: KEY_READ });
    // Deny Users everything on this key: alice can no longer open it (nor the admin, also a User:
    // deny ACEs come first); handles opened before keep their access (§3.1.1.9).
    const deny = SecurityDescriptor.fromSddl('D:P(D;;KA;;;BU)(A;;KA;;;BA)');
    await a.setKeySecurity(h, 0x4, deny.toBinary());
    const u = store.openSession(alice);
    expect(await code(u.openKey(await u.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ), 'SOFTWARE\\Sec', { sam: KEY_READ }))).toBe(5);
    expect(sddl(await store.getSecurity('HKLM\\SOFTWARE\\Sec', 0x4))).toBe('D:P(D;;KA;;;BU)(A;;KA;;;BA)');
    expect(await code(a.openKey(await a.openPredefined('HKEY_LOCAL_MACHINE', KEY_ALL_ACCESS), 'SOFTWARE\\Sec', { sam: KEY_READ }))).toBe(5);
    expect((await a.queryInfoKey(ro)).subKeys).toBe(0);
    // A handle without WRITE_DAC cannot change the DACL; garbage is ERROR_INVALID_PARAMETER.
    expect(await code(a.setKeySecurity(ro, 0x4, deny.toBinary()))).toBe(5);
    expect(await code(a.setKeySecurity(h, 0x4, Buffer.from([9, 9, 9])))).toBe(87);
  });

  it('REG_OPTION_BACKUP_RESTORE: SeBackupPrivilege reads what the DACL denies (§3.1.5.15)', async () => {
    const store = await RegistryStore.open();
    await store.setValue('HKLM\\SAM\\Domains', 'v', REG_SZ, encodeValue(REG_SZ, 'secret'));
    const op = token('S-1-5-21-11-22-33-1200', [USERS, 'S-1-1-0'], ['SeBackupPrivilege']);
    const s = store.openSession(op);
    const hklm = await s.openPredefined('HKEY_LOCAL_MACHINE', KEY_READ);
    expect(await code(s.openKey(hklm, 'SAM\\Domains', { sam: KEY_READ }))).toBe(5);
    const b = await s.openKey(hklm, 'SAM\\Domains', { options: REG_OPTION_BACKUP_RESTORE, sam: KEY_READ });
    expect((await s.queryValue(b, 'v')).data).toEqual(encodeValue(REG_SZ, 'secret'));
    expect(b.granted & KEY_CREATE_SUB_KEY).toBe(0);
  });
});
