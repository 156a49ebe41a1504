import { describe, expect, it } from 'vitest';
import { desDecrypt, desEncrypt, expandDesKey } from '../../src/crypto/des.js';

describe('single DES', () => {
  // FIPS 81 appendix B (ECB mode): "Now is the time for all " under key 0123456789abcdef.
  it('FIPS 81 ECB example', () => {
    const key = Buffer.from('0123456789abcdef', 'hex');
    const ct = desEncrypt(key, Buffer.from('Now is the time for all ', 'latin1'));
    expect(ct.toString('hex')).toBe('3fa40e8a984d48156a271787ab8883f9893d51ec4b563b53');
    expect(desDecrypt(key, ct).toString('latin1')).toBe('Now is the time for all ');
  });
  // The worked example in J. Orlin Grabbe's "The DES Algorithm Illustrated" (and many FIPS 46 walkthroughs).
  it('key 133457799bbcdff1, block 0123456789abcdef', () => {
    const ct = desEncrypt(Buffer.from('133457799bbcdff1', 'hex'), Buffer.from('0123456789abcdef', 'hex'));
    expect(ct.toString('hex')).toBe('85e813540f0ab405');
  });
  // NIST SP 800-17 Table A.1 (variable plaintext known answer test), first entries, key 0101010101010101.
  it('NIST SP 800-17 variable-plaintext KAT', () => {
    const key = Buffer.from('0101010101010101', 'hex');
    expect(desEncrypt(key, Buffer.from('8000000000000000', 'hex')).toString('hex')).toBe('95f8a5e5dd31d900');
    expect(desEncrypt(key, Buffer.from('4000000000000000', 'hex')).toString('hex')).toBe('dd7f121ca5015619');
  });
  it('expandDesKey spreads 7 bytes over 8 (MS-NLMP LM hash example: "KGS!@#$%" under the first half of the padded password)', () => {
    // LMOWFv1("Password") = e52cac67419a9a224a3b108f3fa6cb6d (MS-NLMP §4.2.2.1.1).
    const pw = Buffer.alloc(14);
    pw.write('PASSWORD', 'latin1');
    const magic = Buffer.from('KGS!@#$%', 'latin1');
    const lm = Buffer.concat([desEncrypt(expandDesKey(pw.subarray(0, 7)), magic), desEncrypt(expandDesKey(pw.subarray(7)), magic)]);
    expect(lm.toString('hex')).toBe('e52cac67419a9a224a3b108f3fa6cb6d');
  });
  it('rejects a key or block of the wrong size', () => {
    expect(() => desEncrypt(Buffer.alloc(7), Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncrypt(Buffer.alloc(8), Buffer.alloc(9))).toThrow(RangeError);
  });
});
