import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatRights, SecurityDescriptor, Sid } from '../../src/security/index.js';
import { UsageError } from '../../src/util/errors.js';
import { formatError } from './helpers.js';

const domainSid = Sid.parse('S-1-5-21-1-2-3');
const readSddl = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8').trim();

// Canonical strings: what toSddl() prints, so parse → format must give them back unchanged.
const CANONICAL = [
  'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)',
  'O:SYG:SYD:P(A;;KR;;;WD)(A;;KA;;;SY)(A;;KA;;;BA)(A;;KR;;;RC)',
  'O:BAG:BAD:P(A;OICI;GRGX;;;BU)(A;OICI;GA;;;BA)(A;OICI;GA;;;SY)(A;OICI;GA;;;CO)S:P(AU;FA;GR;;;WD)',
  'D:AI(A;ID;KA;;;S-1-5-21-718126207-1171771683-1750804747-1001)(A;CIIOID;GA;;;CO)',
  'D:PARAI(D;OICINPIOID;KW;;;AN)(A;;0x1200a9;;;BU)(A;;FA;;;SY)(A;;SDRC;;;S-1-5-80-0)',
  'O:S-1-5-21-9-9-9-500G:S-1-5-21-9-9-9-513D:',
  'D:NO_ACCESS_CONTROL',
  'D:PNO_ACCESS_CONTROLS:',
  'S:(ML;;NW;;;LW)(ML;OICI;NWNR;;;HI)',
  'S:AI(AU;SAFA;KA;;;WD)(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)',
  'D:(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)(OD;;WP;;bf967a86-0de6-11d0-a285-00aa003049e2;AU)',
  'D:(A;;;;;BA)(A;;0x100000;;;WD)(A;;GAGRGWGX;;;S-1-0x123456789ABC-1)',
  'O:LAG:LG',
];

describe('SDDL (MS-DTYP §2.5.1)', () => {
  it.each(CANONICAL)('%s round-trips exactly', (s) => {
    const sd = SecurityDescriptor.fromSddl(s, { domainSid });
    expect(sd.toSddl({ domainSid })).toBe(s);
    // and through binary
    expect(SecurityDescriptor.fromBinary(sd.toBinary()).toSddl({ domainSid })).toBe(s);
  });

  it.each(['msadts-adminsdholder-v30.sddl', 'msadts-adminsdholder-v44.sddl'])('reprints Windows SDDL from MS-ADTS exactly: %s', (name) => {
    const s = readSddl(name);
    expect(SecurityDescriptor.fromSddl(s, { domainSid }).toSddl({ domainSid })).toBe(s);
  });

  it('reads non-canonical spellings to the same descriptor', () => {
    const pairs: [string, string][] = [
      ['D:(A;CIOI;0x000f003f;;;S-1-5-32-544)', 'D:(A;OICI;KA;;;BA)'],
      ['D:(A;;KX;;;BU)', 'D:(A;;KR;;;BU)'],
      ['D:(A;;983103;;;SY)', 'D:(A;;KA;;;SY)'],
      ['D:(A;;0100;;;SY)', 'D:(A;;DT;;;SY)'], // octal (ABNF: "0" 1*%x30-37): 0o100 = 0x40 = DT
      ['d:ai(a;ci;ka;;;ba)', 'D:AI(A;CI;KA;;;BA)'],
      ['S:(AU;SA;KA;;;WD)D:(A;;KA;;;SY)O:SY', 'O:SYD:(A;;KA;;;SY)S:(AU;SA;KA;;;WD)'],
      ['D:(A;;RCSDWDWOCCDCLCSWRPWP;;;BA)', 'D:(A;;KA;;;BA)'],
    ];
    for (const [input, canonical] of pairs) {
      const a = SecurityDescriptor.fromSddl(input);
      expect(a.toSddl()).toBe(canonical);
      expect(a.equals(SecurityDescriptor.fromSddl(canonical))).toBe(true);
    }
  });

  it('prints masks as Windows does: whole-mask alias, else single rights, else hex', () => {
    expect(formatRights(0xf003f)).toBe('KA');
    expect(formatRights(0x20019)).toBe('KR');
    expect(formatRights(0x20006)).toBe('KW');
    expect(formatRights(0x1f01ff)).toBe('FA');
    expect(formatRights(0xf003f, false, { compositeRights: false })).toBe('CCDCLCSWRPWPSDRCWDWO');
    expect(formatRights(0x10000000)).toBe('GA');
    expect(formatRights(0x3)).toBe('CCDC');
    expect(formatRights(0x3, true)).toBe('NWNR');
    expect(formatRights(0x1200a9)).toBe('0x1200a9');
    expect(formatRights(0)).toBe('');
  });

  it('uses domain aliases only with a domain SID', () => {
    const sd = SecurityDescriptor.fromSddl('O:DAG:DU', { domainSid });
    expect(sd.owner!.toString()).toBe('S-1-5-21-1-2-3-512');
    expect(sd.toSddl()).toBe('O:S-1-5-21-1-2-3-512G:S-1-5-21-1-2-3-513');
    expect(formatError(() => SecurityDescriptor.fromSddl('O:DA')).expected).toMatch(/domainSid/);
  });

  it('reports errors with the column where they are', () => {
    const cases: [string, number][] = [
      ['X:BA', 1],
      ['O:BAO:SY', 5], // second O section
      ['O:ZZ', 3],
      ['O:S-1-5-x', 9],
      ['D:(A;;KA;;;BA', 3],
      ['D:(Q;;KA;;;BA)', 4],
      ['D:(A;XX;KA;;;BA)', 6],
      ['D:(A;CIZZ;KA;;;BA)', 8],
      ['D:(A;;KAQQ;;;BA)', 9],
      ['D:(A;;0x1ffffffff;;;BA)', 7],
      ['D:(A;;KA;;;)', 12],
      ['D:(A;;KA;;;BA;x)', 3],
      ['D:(OA;;RP;not-a-guid;;BA)', 11],
      ['D:(A;;RP;ab721a53-1e2f-11d0-9819-00aa0040529b;;BA)', 10],
      ['D:(A;;KA;;;BA)junk', 15],
      ['D:NO_ACCESS_CONTROL(A;;KA;;;BA)', 20],
      ['D:(XA;;FR;;;WD;(Member_of {SID(BA)}))', 4],
    ];
    for (const [s, column] of cases) {
      const e = formatError(() => SecurityDescriptor.fromSddl(s));
      expect({ s, column: e.column, format: e.format }).toEqual({ s, column, format: 'SDDL' });
      expect(e.offset).toBe(column - 1);
    }
  });

  it('refuses to print what SDDL cannot say', () => {
    const sd = SecurityDescriptor.fromSddl('D:(A;;KA;;;SY)');
    (sd.dacl!.aces[0] as { flags: number }).flags = 0x20;
    expect(() => sd.toSddl()).toThrow(UsageError);
  });
});
