import { describe, expect, it } from 'vitest';
import {
  ACCESS_SYSTEM_SECURITY, accessCheck, DELETE, GENERIC_ALL, GENERIC_READ, GENERIC_WRITE, isAdmin, KEY_ALL_ACCESS,
  KEY_CREATE_SUB_KEY, KEY_ENUMERATE_SUB_KEYS, KEY_EXECUTE, KEY_GENERIC_MAPPING, KEY_NOTIFY, KEY_QUERY_VALUE, KEY_READ,
  KEY_SET_VALUE, KEY_WRITE, makeToken, mapGenericAces, mapGenericMask, MAXIMUM_ALLOWED, READ_CONTROL, SecurityDescriptor,
  WellKnownSids, WRITE_DAC, WRITE_OWNER, type Token,
} from '../../src/security/index.js';

const ALICE = 'S-1-5-21-1-2-3-1001';
const BOB = 'S-1-5-21-1-2-3-1002';
const alice = makeToken(ALICE, ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-545']);
const bob = makeToken(BOB, ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-545']);
const admin = makeToken('S-1-5-21-1-2-3-500', ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-544', 'S-1-5-32-545']);
const sd = (sddl: string) => SecurityDescriptor.fromSddl(sddl);
const check = (t: Token, s: string, desired: number, options = {}) => accessCheck(t, sd(s), desired, KEY_GENERIC_MAPPING, options);

describe('registry access rights (MS-RRP §2.2.3)', () => {
  it('have the documented values', () => {
    expect(KEY_READ).toBe(0x20019);
    expect(KEY_WRITE).toBe(0x20006);
    expect(KEY_EXECUTE).toBe(0x20019);
    expect(KEY_ALL_ACCESS).toBe(0xf003f);
    expect(MAXIMUM_ALLOWED).toBe(0x02000000);
    expect(GENERIC_WRITE >>> 0).toBe(0x40000000);
    expect(mapGenericMask(GENERIC_READ | DELETE, KEY_GENERIC_MAPPING)).toBe(KEY_READ | DELETE);
    expect(mapGenericMask(GENERIC_ALL, KEY_GENERIC_MAPPING)).toBe(KEY_ALL_ACCESS);
  });
});

describe('accessCheck (MS-DTYP §2.5.3.2)', () => {
  it('grants what allow ACEs cover, across several ACEs and groups', () => {
    const s = 'O:SYD:(A;;0x1;;;BU)(A;;0x8;;;AU)';
    expect(check(alice, s, KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS)).toEqual({ granted: 0x9, allowed: true });
    expect(check(alice, s, KEY_QUERY_VALUE | KEY_SET_VALUE)).toEqual({ granted: 0, allowed: false });
    expect(check(makeToken(ALICE, ['S-1-5-32-545']), s, KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS).allowed).toBe(false);
  });

  it('a deny ACE before the allow wins; after it, it comes too late', () => {
    expect(check(alice, `O:SYD:(D;;KW;;;${ALICE})(A;;KA;;;BU)`, KEY_SET_VALUE).allowed).toBe(false);
    expect(check(alice, `O:SYD:(D;;KW;;;${ALICE})(A;;KA;;;BU)`, KEY_QUERY_VALUE).allowed).toBe(true); // no overlap with the deny
    expect(check(bob, `O:SYD:(D;;KW;;;${ALICE})(A;;KA;;;BU)`, KEY_SET_VALUE).allowed).toBe(true); // deny is for someone else
    expect(check(alice, `O:SYD:(A;;KA;;;BU)(D;;KW;;;${ALICE})`, KEY_SET_VALUE).allowed).toBe(true);
    // partly granted, then denied for the rest
    expect(check(alice, 'O:SYD:(A;;0x1;;;BU)(D;;0x2;;;WD)(A;;KA;;;WD)', KEY_QUERY_VALUE | KEY_SET_VALUE).allowed).toBe(false);
  });

  it('the owner always gets READ_CONTROL and WRITE_DAC, not more; OWNER RIGHTS replaces that', () => {
    const s = `O:${ALICE}D:`;
    expect(check(alice, s, READ_CONTROL | WRITE_DAC)).toEqual({ granted: READ_CONTROL | WRITE_DAC, allowed: true });
    expect(check(alice, s, WRITE_OWNER).allowed).toBe(false);
    expect(check(alice, s, KEY_QUERY_VALUE).allowed).toBe(false);
    expect(check(bob, s, READ_CONTROL).allowed).toBe(false);
    const ow = `O:${ALICE}D:(A;;KQ;;;OW)`.replace('KQ', '0x20001');
    expect(check(alice, ow, WRITE_DAC).allowed).toBe(false);
    expect(check(alice, ow, READ_CONTROL | KEY_QUERY_VALUE).allowed).toBe(true);
    expect(check(bob, ow, KEY_QUERY_VALUE).allowed).toBe(false);
  });

  it('a NULL DACL allows everything; an empty DACL nothing (but the owner\'s implicit rights)', () => {
    expect(check(bob, `O:${ALICE}D:NO_ACCESS_CONTROL`, KEY_ALL_ACCESS)).toEqual({ granted: KEY_ALL_ACCESS, allowed: true });
    expect(check(bob, `O:${ALICE}`, KEY_WRITE).allowed).toBe(true); // no DACL at all
    expect(check(bob, `O:${ALICE}D:NO_ACCESS_CONTROL`, MAXIMUM_ALLOWED)).toEqual({ granted: KEY_ALL_ACCESS, allowed: true });
    expect(check(bob, `O:${ALICE}D:`, KEY_QUERY_VALUE).allowed).toBe(false);
    expect(check(bob, `O:${ALICE}D:`, MAXIMUM_ALLOWED)).toEqual({ granted: 0, allowed: false });
  });

  it('skips inherit-only ACEs', () => {
    expect(check(alice, 'O:SYD:(A;CIIO;KA;;;BU)', KEY_QUERY_VALUE).allowed).toBe(false);
    expect(check(alice, 'O:SYD:(D;CIIO;KA;;;BU)(A;;KA;;;BU)', KEY_SET_VALUE).allowed).toBe(true);
    expect(check(alice, 'O:SYD:(A;CIID;KA;;;BU)', KEY_QUERY_VALUE).allowed).toBe(true);
  });

  it('maps GENERIC_* in the request, not in ACEs (until the descriptor is mapped)', () => {
    expect(check(alice, 'O:SYD:(A;;KR;;;BU)', GENERIC_READ)).toEqual({ granted: KEY_READ, allowed: true });
    expect(check(alice, 'O:SYD:(A;;KR;;;BU)', GENERIC_WRITE).allowed).toBe(false);
    const generic = sd('O:SYD:(A;;GA;;;BU)(A;CIIO;GA;;;CO)');
    expect(accessCheck(alice, generic, KEY_QUERY_VALUE).allowed).toBe(false);
    generic.dacl = mapGenericAces(generic.dacl!);
    expect(generic.toSddl()).toBe('O:SYD:(A;;KA;;;BU)(A;CIIO;GA;;;CO)');
    expect(accessCheck(alice, generic, KEY_QUERY_VALUE).allowed).toBe(true);
  });

  it('MAXIMUM_ALLOWED returns everything grantable, honouring ACE order', () => {
    expect(check(alice, 'O:SYD:(A;;KR;;;BU)(A;;0x6;;;AU)', MAXIMUM_ALLOWED)).toEqual({ granted: 0x2001f, allowed: true });
    expect(check(alice, 'O:SYD:(D;;0x2;;;WD)(A;;KA;;;BU)', MAXIMUM_ALLOWED)).toEqual({ granted: KEY_ALL_ACCESS & ~0x2, allowed: true });
    expect(check(alice, 'O:SYD:(A;;KA;;;BU)(D;;0x2;;;WD)', MAXIMUM_ALLOWED)).toEqual({ granted: KEY_ALL_ACCESS, allowed: true });
    expect(check(alice, 'O:SYD:(A;;KR;;;BU)', MAXIMUM_ALLOWED | KEY_SET_VALUE).allowed).toBe(false);
    expect(check(alice, 'O:SYD:(A;;KR;;;BU)', MAXIMUM_ALLOWED | KEY_NOTIFY)).toEqual({ granted: KEY_READ, allowed: true });
    // the owner's implicit rights are part of the maximum
    expect(check(alice, `O:${ALICE}D:(A;;0x1;;;BU)`, MAXIMUM_ALLOWED)).toEqual({ granted: 0x1 | READ_CONTROL | WRITE_DAC, allowed: true });
  });

  it('ACCESS_SYSTEM_SECURITY needs SeSecurityPrivilege, whatever the DACL', () => {
    expect(check(admin, 'O:BAD:NO_ACCESS_CONTROL', ACCESS_SYSTEM_SECURITY).allowed).toBe(false);
    expect(check(admin, 'O:BAD:(A;;0x1000000;;;BA)', ACCESS_SYSTEM_SECURITY).allowed).toBe(false);
    const priv = { ...admin, privileges: new Set(['SeSecurityPrivilege']) };
    expect(check(priv, 'O:BAD:', ACCESS_SYSTEM_SECURITY)).toEqual({ granted: ACCESS_SYSTEM_SECURITY, allowed: true });
    expect(check(priv, 'O:SYD:(A;;KR;;;BA)', ACCESS_SYSTEM_SECURITY | KEY_QUERY_VALUE)).toEqual({
      granted: ACCESS_SYSTEM_SECURITY | KEY_QUERY_VALUE,
      allowed: true,
    });
  });

  it('SeTakeOwnershipPrivilege gives WRITE_OWNER', () => {
    const t = makeToken(BOB, ['S-1-1-0'], ['SeTakeOwnershipPrivilege']);
    expect(check(t, `O:${ALICE}D:`, WRITE_OWNER)).toEqual({ granted: WRITE_OWNER, allowed: true });
    expect(check(t, `O:${ALICE}D:`, WRITE_OWNER | WRITE_DAC).allowed).toBe(false);
    expect(check(t, `O:${ALICE}D:(A;;KR;;;WD)`, MAXIMUM_ALLOWED)).toEqual({ granted: KEY_READ, allowed: true }); // only when asked by name
    expect(check(bob, `O:${ALICE}D:`, WRITE_OWNER).allowed).toBe(false);
  });

  it('backup and restore privileges count only with the intent', () => {
    const op = makeToken(BOB, ['S-1-5-32-551'], ['SeBackupPrivilege', 'SeRestorePrivilege']);
    const locked = 'O:SYD:P(A;CI;KA;;;SY)';
    expect(check(op, locked, KEY_READ).allowed).toBe(false);
    expect(check(op, locked, KEY_READ, { backupIntent: true })).toEqual({ granted: KEY_READ, allowed: true });
    expect(check(op, locked, KEY_SET_VALUE, { backupIntent: true }).allowed).toBe(false);
    expect(check(op, locked, KEY_SET_VALUE | KEY_CREATE_SUB_KEY | DELETE | WRITE_DAC, { restoreIntent: true }).allowed).toBe(true);
    expect(check(op, locked, KEY_QUERY_VALUE, { restoreIntent: true }).allowed).toBe(false);
    expect(check(op, locked, ACCESS_SYSTEM_SECURITY | KEY_READ, { backupIntent: true }).allowed).toBe(true);
    expect(check(op, locked, MAXIMUM_ALLOWED, { backupIntent: true, restoreIntent: true }).granted).toBe(
      (KEY_READ | KEY_WRITE | WRITE_DAC | WRITE_OWNER | DELETE) >>> 0,
    );
  });

  it('PRINCIPAL_SELF is replaced when given', () => {
    expect(check(alice, 'O:SYD:(A;;KR;;;PS)', KEY_READ).allowed).toBe(false);
    expect(check(alice, 'O:SYD:(A;;KR;;;PS)', KEY_READ, { principalSelf: alice.user }).allowed).toBe(true);
  });
});

describe('tokens', () => {
  it('isAdmin: Administrators members and SYSTEM', () => {
    expect(isAdmin(admin)).toBe(true);
    expect(isAdmin(alice)).toBe(false);
    expect(isAdmin(makeToken(WellKnownSids.LocalSystem))).toBe(true);
  });
});
