import { describe, expect, it } from 'vitest';
import { aesCmac, cmacSubkeys } from '../../src/crypto/cmac.js';

// RFC 4493 §4.
const K = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
const M = Buffer.from(
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
  'hex',
);

describe('AES-CMAC (RFC 4493)', () => {
  it('subkeys', () => {
    const { k1, k2 } = cmacSubkeys(K);
    expect(k1.toString('hex')).toBe('fbeed618357133667c85e08f7236a8de');
    expect(k2.toString('hex')).toBe('f7ddac306ae266ccf90bc11ee46d513b');
  });
  it('example 1: empty message', () => {
    expect(aesCmac(K, Buffer.alloc(0)).toString('hex')).toBe('bb1d6929e95937287fa37d129b756746');
  });
  it('example 2: 16 bytes', () => {
    expect(aesCmac(K, M.subarray(0, 16)).toString('hex')).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });
  it('example 3: 40 bytes', () => {
    expect(aesCmac(K, M.subarray(0, 40)).toString('hex')).toBe('dfa66747de9ae63030ca32611497c827');
  });
  it('example 4: 64 bytes', () => {
    expect(aesCmac(K, M).toString('hex')).toBe('51f0bebf7e3b9d92fc49741779363cfe');
  });
});
