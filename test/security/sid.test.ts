import { describe, expect, it } from 'vitest';
import { aliasForSid, Sid, sidFromAlias, WellKnownSids } from '../../src/security/index.js';
import { formatError } from './helpers.js';

describe('Sid', () => {
  it('parses and prints the string form (MS-DTYP §2.4.2.1)', () => {
    for (const s of ['S-1-5-32-544', 'S-1-1-0', 'S-1-5', 'S-1-5-21-1330137634-1750626333-945493308-512', 'S-1-15-2-1', 'S-1-0x123456789ABC-7']) {
      expect(Sid.parse(s).toString()).toBe(s);
    }
    expect(Sid.parse('s-1-5-18').toString()).toBe('S-1-5-18');
    expect(Sid.parse('S-1-0x000000000005-18').toString()).toBe('S-1-5-18');
  });

  it('encodes the packet form (MS-DTYP §2.4.2.2): authority big-endian, sub-authorities little-endian', () => {
    const b = Sid.parse('S-1-5-32-544').toBinary();
    expect(b.toString('hex')).toBe('01020000000000052000000020020000');
    const back = Sid.fromBinary(Buffer.concat([Buffer.from([0xee]), b]), 1);
    expect(back.toString()).toBe('S-1-5-32-544');
    expect(back.byteLength).toBe(16);
    const big = Sid.parse('S-1-0x123456789ABC-1');
    expect(big.toBinary().subarray(2, 8).toString('hex')).toBe('123456789abc');
    expect(Sid.fromBinary(big.toBinary()).equals(big)).toBe(true);
  });

  it('compares by value', () => {
    expect(Sid.parse('S-1-5-32-544').equals(WellKnownSids.Administrators)).toBe(true);
    expect(Sid.parse('S-1-5-32-545').equals(WellKnownSids.Administrators)).toBe(false);
    expect(Sid.parse('S-1-5-32').equals(Sid.parse('S-1-5-32-0'))).toBe(false);
  });

  it('rejects bad strings with the column of the problem', () => {
    expect(formatError(() => Sid.parse('X-1-5')).column).toBe(1);
    const e = formatError(() => Sid.parse('S-1-5-32-99999999999'));
    expect(e.column).toBe(10);
    expect(e.offset).toBe(9);
    expect(formatError(() => Sid.parse('S-1-5--3')).column).toBe(7);
    expect(formatError(() => Sid.parse('S-1-' + '1-'.repeat(16) + '1')).format).toBe('SID');
  });

  it('rejects bad binary with the offset of the problem', () => {
    expect(formatError(() => Sid.fromBinary(Buffer.from('0102000000', 'hex'))).offset).toBe(0);
    expect(formatError(() => Sid.fromBinary(Buffer.from('0202000000000005', 'hex'))).expected).toMatch(/revision 1/);
    expect(formatError(() => Sid.fromBinary(Buffer.from('0110000000000005', 'hex'))).offset).toBe(1);
    const short = Buffer.from('010200000000000520000000', 'hex'); // claims 2 sub-authorities, has 1
    expect(formatError(() => Sid.fromBinary(short)).offset).toBe(8);
  });

  it('has the well-known SIDs and their SDDL aliases', () => {
    const cases: [string, Sid, string][] = [
      ['BA', WellKnownSids.Administrators, 'S-1-5-32-544'],
      ['SY', WellKnownSids.LocalSystem, 'S-1-5-18'],
      ['BU', WellKnownSids.Users, 'S-1-5-32-545'],
      ['WD', WellKnownSids.Everyone, 'S-1-1-0'],
      ['CO', WellKnownSids.CreatorOwner, 'S-1-3-0'],
      ['AU', WellKnownSids.AuthenticatedUsers, 'S-1-5-11'],
      ['RC', WellKnownSids.RestrictedCode, 'S-1-5-12'],
      ['AC', WellKnownSids.ApplicationPackages, 'S-1-15-2-1'],
    ];
    for (const [alias, sid, text] of cases) {
      expect(sid.toString()).toBe(text);
      expect(sidFromAlias(alias)!.equals(sid)).toBe(true);
      expect(aliasForSid(sid)).toBe(alias);
    }
    const domain = Sid.parse('S-1-5-21-1-2-3');
    expect(sidFromAlias('DA')).toBeUndefined();
    expect(sidFromAlias('DA', domain)!.toString()).toBe('S-1-5-21-1-2-3-512');
    expect(aliasForSid(Sid.parse('S-1-5-21-1-2-3-500'), domain)).toBe('LA');
    expect(aliasForSid(Sid.parse('S-1-5-21-1-2-4-500'), domain)).toBeUndefined();
  });
});
