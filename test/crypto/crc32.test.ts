import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/crypto/crc32.js';

describe('crc32', () => {
  it('check value of "123456789" is 0xCBF43926 (CRC-32/ISO-HDLC catalogue)', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
  it('empty input is 0; continuing over pieces equals one pass', () => {
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32(data.subarray(10), crc32(data.subarray(0, 10)))).toBe(0x414fa339);
  });
});
