import { describe, expect, it } from 'vitest';
import {
  accessCheck, canonicalKeyPath, defaultDescriptorFor, KEY_ALL_ACCESS, KEY_QUERY_VALUE, KEY_READ, KEY_SET_VALUE, makeToken,
  READ_CONTROL, REGISTRY_DEFAULT_SDDL, SecurityDescriptor, Sid, WRITE_DAC,
} from '../../src/security/index.js';

const user = makeToken('S-1-5-21-1-2-3-1001', ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-545']);
const admin = makeToken('S-1-5-21-1-2-3-500', ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-544', 'S-1-5-32-545']);
const system = makeToken('S-1-5-18', ['S-1-5-32-544', 'S-1-1-0']);

describe('default descriptors of the predefined keys', () => {
  it('are canonical SDDL (parse and reprint unchanged)', () => {
    for (const [path, sddl] of Object.entries(REGISTRY_DEFAULT_SDDL)) {
      expect({ path, sddl: SecurityDescriptor.fromSddl(sddl).toSddl() }).toEqual({ path, sddl });
    }
  });

  it('are found by any spelling of the path', () => {
    expect(canonicalKeyPath('hklm\\Software\\')).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE');
    expect(defaultDescriptorFor('HKLM\\SOFTWARE')!.toSddl()).toBe(REGISTRY_DEFAULT_SDDL['HKEY_LOCAL_MACHINE\\SOFTWARE']);
    expect(defaultDescriptorFor('HKEY_LOCAL_MACHINE\\software')).toBeDefined();
    expect(defaultDescriptorFor('HKLM\\SOFTWARE\\Microsoft')).toBeUndefined();
    for (const p of ['HKLM', 'HKLM\\SYSTEM', 'HKU', 'HKCR', 'HKCC', 'HKU\\.DEFAULT']) expect(defaultDescriptorFor(p)).toBeDefined();
  });

  it('give Users read and Administrators/SYSTEM full control of HKLM\\SOFTWARE', () => {
    const sd = defaultDescriptorFor('HKLM\\SOFTWARE')!;
    expect(accessCheck(user, sd, KEY_READ).allowed).toBe(true);
    expect(accessCheck(user, sd, KEY_SET_VALUE).allowed).toBe(false);
    expect(accessCheck(admin, sd, KEY_ALL_ACCESS).allowed).toBe(true);
    expect(accessCheck(system, sd, KEY_ALL_ACCESS).allowed).toBe(true);
  });

  it('keep HKLM\\SAM away from Administrators except READ_CONTROL/WRITE_DAC', () => {
    const sd = defaultDescriptorFor('HKLM\\SAM')!;
    expect(accessCheck(admin, sd, KEY_QUERY_VALUE).allowed).toBe(false);
    expect(accessCheck(admin, sd, READ_CONTROL | WRITE_DAC).allowed).toBe(true);
    expect(accessCheck(system, sd, KEY_QUERY_VALUE).allowed).toBe(true);
  });

  it('give a user full control of HKU\\<own sid> and nothing of another\'s', () => {
    const own = defaultDescriptorFor('HKU\\S-1-5-21-1-2-3-1001')!;
    expect(accessCheck(user, own, KEY_ALL_ACCESS).allowed).toBe(true);
    const other = defaultDescriptorFor('HKEY_USERS\\S-1-5-21-1-2-3-1002')!;
    expect(accessCheck(user, other, KEY_QUERY_VALUE).allowed).toBe(false);
    const hkcu = defaultDescriptorFor('HKCU', { currentUser: Sid.parse('S-1-5-21-1-2-3-1001') })!;
    expect(hkcu.equals(own)).toBe(true);
    expect(defaultDescriptorFor('HKU\\S-1-5-21-1-2-3-1001_Classes')).toBeUndefined();
  });
});
