import { describe, expect, it } from 'vitest';
import { berToOid, DEFAULT_SCHEMA_INFO, oidToBer, PrefixTable } from '../../../src/interfaces/drsr/prefix-table.js';

describe('prefix table (MS-DRSR §5.16.4)', () => {
  it('maps the worked examples of §5.16.4 both ways with the standard table', () => {
    const t = PrefixTable.standard();
    const cases: [string, number][] = [
      ['2.5.4.6', 0x00000006],
      ['1.2.840.113556.1.2.1', 0x00020001],
      ['1.2.840.113556.1.4.1', 0x00090001],
      ['1.2.840.113556.1.5.7000.53', 0x00170035],
      ['2.5.5.1', 0x00080001],
    ];
    for (const [oid, attr] of cases) {
      expect(t.makeAttid(oid)).toBe(attr);
      expect(t.oidFromAttid(attr)).toBe(oid);
    }
    expect(t.size).toBe(19);
  });

  it('adds prefixes for unknown OIDs, last arcs of 128+ and 16384+ included', () => {
    const t = PrefixTable.standard();
    for (const oid of ['1.2.840.113556.1.4.2182', '1.3.6.1.4.1.7165.4.1.16384', '1.3.6.1.4.1.7165.4.1.300', '1.2.840.113556.1.4.127']) {
      const a = t.makeAttid(oid);
      expect(t.oidFromAttid(a)).toBe(oid);
    }
    expect(t.makeAttid('1.3.6.1.4.1.7165.4.1.16384') & 0x8000).toBe(0x8000);
  });

  it('takes the schemaInfo entry off a reply table and puts it last in a request table', () => {
    const t = PrefixTable.standard();
    const wire = t.toWire();
    const last = wire.pPrefixEntry!.at(-1)!;
    expect(last.ndx).toBe(0);
    expect(Buffer.from(last.prefix.elements!)).toEqual(DEFAULT_SCHEMA_INFO);
    const back = PrefixTable.fromWire(wire);
    expect(back.schemaInfo).toEqual(DEFAULT_SCHEMA_INFO);
    expect(back.size).toBe(19);
    // without popping it, index 0 would be the schemaInfo bytes, not 2.5.4
    expect(back.oidFromAttid(0x00000003)).toBe('2.5.4.3');
  });

  it('handles non-standard indices and refuses msDS-IntId ATTRTYPs and unknown indices', () => {
    const t = PrefixTable.fromWire({ PrefixCount: 1, pPrefixEntry: [{ ndx: 0x4242, prefix: { length: 2, elements: Buffer.from('5504', 'hex') } }] });
    expect(t.oidFromAttid(0x42420003)).toBe('2.5.4.3');
    expect(t.oidFromAttid(0x00000003)).toBeUndefined();
    expect(t.oidFromAttid(0x80000001)).toBeUndefined();
  });

  it('BER-encodes OIDs (X.690 §8.19)', () => {
    expect(oidToBer('1.2.840.113556.1.4.1').toString('hex')).toBe('2a864886f714010401');
    expect(berToOid(Buffer.from('2a864886f714010401', 'hex'))).toBe('1.2.840.113556.1.4.1');
    expect(berToOid(Buffer.from('2a86', 'hex'))).toBeUndefined();
    expect(() => oidToBer('1.x.3')).toThrow(/bad OID/);
  });
});
