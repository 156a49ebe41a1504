import { describe, expect, it } from 'vitest';
import { decodeOid, DerReader, encodeOid, MAX_DEPTH, tlv } from '../../../src/auth/spnego/der.js';
import { malformed } from '../malformed.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DER', () => {
  it('encodes and decodes OIDs (NTLMSSP, SPNEGO, Kerberos)', () => {
    expect(encodeOid('1.3.6.1.4.1.311.2.2.10').toString('hex')).toBe('060a2b06010401823702020a');
    expect(encodeOid('1.3.6.1.5.5.2').toString('hex')).toBe('06062b0601050502');
    expect(encodeOid('1.2.840.113554.1.2.2').toString('hex')).toBe('06092a864886f712010202');
    for (const oid of ['1.3.6.1.4.1.311.2.2.10', '1.2.840.48018.1.2.2', '2.999.3']) {
      const r = new DerReader(encodeOid(oid), 't');
      expect(decodeOid(r.read(0x06), 't')).toBe(oid);
    }
  });
  it('uses short and long length forms', () => {
    expect(tlv(0x04, Buffer.alloc(0x7f)).subarray(0, 2).toString('hex')).toBe('047f');
    expect(tlv(0x04, Buffer.alloc(0x80)).subarray(0, 3).toString('hex')).toBe('048180');
    expect(tlv(0x04, Buffer.alloc(0x1234)).subarray(0, 4).toString('hex')).toBe('04821234');
    const r = new DerReader(tlv(0x04, Buffer.alloc(300, 1)), 't');
    expect(r.read(0x04).value.length).toBe(300);
    expect(r.done).toBe(true);
  });
  it('refuses a length past the end, with the offset of the length', () => {
    const e = malformed(() => new DerReader(hex('3005 0401 00'), 'tok').read());
    expect(e.offset).toBe(1);
    expect(e.token).toBe('tok');
    expect(malformed(() => new DerReader(hex('30 84 ffffffff 00'), 't').read()).message).toMatch(/past the end/);
    expect(malformed(() => new DerReader(hex('30 82 01'), 't').read()).message).toMatch(/length truncated/);
    expect(malformed(() => new DerReader(hex('30'), 't').read()).message).toMatch(/truncated/);
  });
  it('refuses indefinite lengths, over-long length fields and multi-byte tags', () => {
    expect(malformed(() => new DerReader(hex('3080 0000'), 't').read()).message).toMatch(/indefinite/);
    expect(malformed(() => new DerReader(hex('3085 0000000001 00'), 't').read()).message).toMatch(/length of 5 bytes/);
    expect(malformed(() => new DerReader(hex('1f8101 00'), 't').read()).message).toMatch(/multi-byte/);
  });
  it('refuses nesting deeper than MAX_DEPTH', () => {
    let b: Buffer = Buffer.alloc(0);
    for (let i = 0; i < MAX_DEPTH + 4; i++) b = tlv(0x30, b);
    let r = new DerReader(b, 't');
    const e = malformed(() => {
      for (;;) r = r.enter(r.read(0x30));
    });
    expect(e.message).toMatch(/nesting/);
  });
  it('refuses bad OIDs', () => {
    expect(malformed(() => decodeOid(new DerReader(hex('0600'), 't').read(), 't')).message).toMatch(/OID of 0 bytes/);
    expect(malformed(() => decodeOid(new DerReader(hex('06022b86'), 't').read(), 't')).message).toMatch(/inside an arc/);
    expect(malformed(() => decodeOid(new DerReader(hex('060aff ffffffffffffffff7f'), 't').read(), 't')).message).toMatch(/too large/);
  });
});
