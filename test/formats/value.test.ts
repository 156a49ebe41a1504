import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, parseRegType, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_MULTI_SZ, REG_QWORD, REG_SZ, regTypeName } from '../../src/formats/value.js';

describe('registry value codec', () => {
  it('writes strings as Windows does', () => {
    expect(encodeValue(REG_SZ, 'ab').toString('hex')).toBe('610062000000');
    expect(encodeValue(REG_MULTI_SZ, ['a', 'b']).toString('hex')).toBe('61000000620000000000');
    expect(encodeValue(REG_MULTI_SZ, []).toString('hex')).toBe('0000');
  });
  it('writes numbers in their byte order', () => {
    expect(encodeValue(REG_DWORD, 0x12345678).toString('hex')).toBe('78563412');
    expect(encodeValue(REG_DWORD_BIG_ENDIAN, 0x12345678).toString('hex')).toBe('12345678');
    expect(encodeValue(REG_DWORD, -1).toString('hex')).toBe('ffffffff');
    expect(encodeValue(REG_QWORD, 0xfffffffffffffffen).toString('hex')).toBe('feffffffffffffff');
  });
  it('decodes by type and keeps odd sizes as bytes', () => {
    expect(decodeValue(REG_SZ, Buffer.from('hi\0', 'utf16le'))).toBe('hi');
    expect(decodeValue(REG_SZ, Buffer.from('6800690000', 'hex'))).toBe('hi');
    expect(decodeValue(REG_MULTI_SZ, Buffer.from('a\0\0b\0\0', 'utf16le'))).toEqual(['a', '', 'b']);
    expect(decodeValue(REG_DWORD, Buffer.from('010203', 'hex'))).toEqual(Buffer.from('010203', 'hex'));
    expect(decodeValue(REG_QWORD, Buffer.from('feffffffffffffff', 'hex'))).toBe(0xfffffffffffffffen);
  });
  it('names and parses types', () => {
    expect(regTypeName(7)).toBe('REG_MULTI_SZ');
    expect(regTypeName(0x20)).toBe('REG_UNKNOWN');
    expect(parseRegType('reg_qword')).toBe(11);
    expect(parseRegType('MultiString')).toBe(7);
    expect(parseRegType('0x20')).toBe(32);
    expect(() => parseRegType('REG_BOGUS')).toThrow(/unknown registry type/);
  });
});
