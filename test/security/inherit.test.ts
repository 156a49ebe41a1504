import { describe, expect, it } from 'vitest';
import {
  accessCheck, createChildDescriptor, defaultDescriptorFor, KEY_QUERY_VALUE, KEY_SET_VALUE, makeToken, SecurityDescriptor,
  type Token,
} from '../../src/security/index.js';

const ALICE = 'S-1-5-21-1-2-3-1001';
const alice = makeToken(ALICE, ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-545']);
const bob = makeToken('S-1-5-21-1-2-3-1002', ['S-1-1-0', 'S-1-5-11', 'S-1-5-32-545']);
const admin = makeToken('S-1-5-21-1-2-3-500', ['S-1-1-0', 'S-1-5-32-544']);
const SOFTWARE = 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)';
const sd = (s: string) => SecurityDescriptor.fromSddl(s);
const child = (parent: string, token: Token, explicit?: string, isContainer = true) =>
  createChildDescriptor(sd(parent), explicit === undefined ? undefined : sd(explicit), token, isContainer).toSddl();

describe('createChildDescriptor (MS-DTYP §2.5.3.4)', () => {
  it('a key under HKLM\\SOFTWARE: CREATOR OWNER becomes the creator, the rest is inherited as is', () => {
    expect(child(SOFTWARE, alice)).toBe(
      `O:${ALICE}G:${ALICE}D:AI(A;ID;KA;;;${ALICE})(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)`,
    );
  });

  it('an administrator\'s keys are owned by Administrators', () => {
    expect(child(SOFTWARE, admin)).toMatch(/^O:BAG:S-1-5-21-1-2-3-500D:AI\(A;ID;KA;;;BA\)\(A;CIIOID;KA;;;CO\)/);
  });

  it('grandchildren inherit again, but not the effective-only copies', () => {
    const c = createChildDescriptor(sd(SOFTWARE), undefined, alice);
    const g = createChildDescriptor(c, undefined, bob).toSddl();
    expect(g).toContain('(A;ID;KA;;;S-1-5-21-1-2-3-1002)');
    expect(g).not.toContain(ALICE);
  });

  it('follows the flag table of §2.5.3.4.4 for containers and leaves', () => {
    const table: [string, string, string][] = [
      // parent ACE flags, child container, child leaf
      ['', '', ''],
      ['IO', '', ''],
      ['OI', '(A;OIIOID;KR;;;BU)', '(A;ID;KR;;;BU)'],
      ['OINP', '', '(A;ID;KR;;;BU)'],
      ['CI', '(A;CIID;KR;;;BU)', ''],
      ['CINP', '(A;ID;KR;;;BU)', ''],
      ['OICI', '(A;OICIID;KR;;;BU)', '(A;ID;KR;;;BU)'],
      ['OICINP', '(A;ID;KR;;;BU)', '(A;ID;KR;;;BU)'],
      ['CIIO', '(A;CIID;KR;;;BU)', ''],
    ];
    for (const [flags, container, leaf] of table) {
      const parent = `O:SYG:SYD:(A;${flags};KR;;;BU)`;
      const dacl = (s: string) => s.replace(/^.*D:(AI)?/, '').replace(/\(A;;KA;;;.*$/, '');
      expect({ flags, got: dacl(child(parent, admin, undefined, true)) }).toEqual({ flags, got: container });
      expect({ flags, got: dacl(child(parent, admin, undefined, false)) }).toEqual({ flags, got: leaf });
    }
  });

  it('splits an ACE whose generic rights must be mapped: effective mapped, inheritable kept generic', () => {
    expect(child('O:SYG:SYD:(A;CI;GR;;;BU)', alice)).toBe(`O:${ALICE}G:${ALICE}D:AI(A;ID;KR;;;BU)(A;CIIOID;GR;;;BU)`);
    expect(child('O:SYG:SYD:(A;CI;GA;;;CG)', alice)).toBe(`O:${ALICE}G:${ALICE}D:AI(A;ID;KA;;;${ALICE})(A;CIIOID;GA;;;CG)`);
  });

  it('a protected explicit DACL takes nothing from the parent', () => {
    expect(child(SOFTWARE, alice, 'D:P(A;;KA;;;SY)(A;ID;KR;;;WD)')).toBe(`O:${ALICE}G:${ALICE}D:P(A;;KA;;;SY)(A;;KR;;;WD)`);
  });

  it('an explicit DACL comes first, then the inherited ACEs; its old inherited ACEs are dropped', () => {
    expect(child('O:SYG:SYD:(A;CI;KR;;;BU)', alice, 'O:SYD:(A;;KA;;;WD)(A;ID;KA;;;AN)')).toBe('O:SYG:' + ALICE + 'D:AI(A;;KA;;;WD)(A;CIID;KR;;;BU)');
  });

  it('with nothing to inherit and nothing given, uses the token default DACL', () => {
    expect(child('O:SYG:SYD:(A;;KA;;;SY)', alice)).toBe(`O:${ALICE}G:${ALICE}D:(A;;KA;;;${ALICE})(A;;KA;;;SY)`);
    expect(createChildDescriptor(undefined, undefined, admin).toSddl()).toBe('O:BAG:S-1-5-21-1-2-3-500D:(A;;KA;;;BA)(A;;KA;;;SY)');
  });

  it('inherits audit ACEs into the SACL with their audit flags', () => {
    expect(child('O:SYG:SYD:(A;CI;KA;;;SY)S:(AU;CISA;KW;;;WD)(AU;FA;KA;;;WD)', admin)).toBe(
      'O:BAG:S-1-5-21-1-2-3-500D:AI(A;CIID;KA;;;SY)S:AI(AU;CIIDSA;KW;;;WD)',
    );
  });

  it('the result works with accessCheck: the creator may write, others only read', () => {
    const parent = defaultDescriptorFor('HKLM\\SOFTWARE')!;
    const key = createChildDescriptor(parent, undefined, alice);
    expect(accessCheck(alice, key, KEY_SET_VALUE).allowed).toBe(true);
    expect(accessCheck(bob, key, KEY_SET_VALUE).allowed).toBe(false);
    expect(accessCheck(bob, key, KEY_QUERY_VALUE).allowed).toBe(true);
    expect(accessCheck(admin, key, KEY_SET_VALUE).allowed).toBe(true);
  });
});
