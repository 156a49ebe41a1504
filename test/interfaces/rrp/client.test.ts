// The client's wire shapes that do not need a server: names as Windows sends them, returned names read
// defensively, typed values, predefined key paths.
import { describe, expect, it } from 'vitest';
import { nameOf, rrpString, splitRegistryPath, toTypedData, mapLimit } from '../../../src/interfaces/rrp/client.js';
import * as T from '../../../src/interfaces/rrp/types.js';

describe('RRP client wire shapes', () => {
  it('sends names NUL-terminated with Length counting the terminator (§2.2.4, §4.3)', () => {
    expect(rrpString('SYSTEM')).toEqual({ Length: 14, MaximumLength: 14, Buffer: 'SYSTEM\0' });
    // the default value / "this key": a lone terminator, never a NULL buffer
    expect(rrpString('')).toEqual({ Length: 2, MaximumLength: 2, Buffer: '\0' });
    expect(() => rrpString('x'.repeat(40000))).toThrow(/longer than/);
  });
  it('encodes a QueryValue request as the IDL has it: lpcbData the capacity, lpcbLen 0, no data bytes', () => {
    const req = { hKey: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000001' }, lpValueName: rrpString('Ab'), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 512, lpcbLen: 0 };
    const stub = T.BaseRegQueryValue.encodeRequest(req);
    const back = T.BaseRegQueryValue.decodeRequest(stub);
    expect(back.lpcbData).toBe(512);
    expect(back.lpcbLen).toBe(0);
    expect(back.lpData?.length).toBe(0);
    // the conformant array's max_count is the capacity, its actual_count 0
    const tail = stub.subarray(stub.length - 32);
    expect(tail.includes(Buffer.from([0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(true);
  });
  it('reads returned names with or without a terminator', () => {
    expect(nameOf({ Length: 16, MaximumLength: 520, Buffer: 'Classes\0' })).toBe('Classes');
    expect(nameOf({ Length: 14, MaximumLength: 520, Buffer: 'Classes' })).toBe('Classes');
    expect(nameOf({ Length: 0, MaximumLength: 0, Buffer: null })).toBe('');
  });
  it('types JS values as Windows stores them', () => {
    expect(toTypedData('hi')).toEqual({ type: 1, data: Buffer.from('hi\0', 'utf16le') });
    expect(toTypedData(42)).toEqual({ type: 4, data: Buffer.from([42, 0, 0, 0]) });
    expect(toTypedData(5n).type).toBe(11);
    expect(toTypedData(['a', 'b']).data).toEqual(Buffer.from('a\0b\0\0', 'utf16le'));
    expect(toTypedData(Buffer.from([1, 2]))).toEqual({ type: 3, data: Buffer.from([1, 2]) });
    expect(toTypedData({ type: 2, value: '%PATH%' })).toEqual({ type: 2, data: Buffer.from('%PATH%\0', 'utf16le') });
  });
  it('splits predefined keys', () => {
    expect(splitRegistryPath('HKLM\\Software\\X')).toEqual({ hive: 'HKLM', opnum: 2, subkey: 'Software\\X' });
    expect(splitRegistryPath('HKEY_USERS')).toEqual({ hive: 'HKU', opnum: 4, subkey: '' });
    expect(splitRegistryPath('hkcc\\a\\')).toEqual({ hive: 'HKCC', opnum: 27, subkey: 'a' });
    expect(() => splitRegistryPath('HKXX\\a')).toThrow(/unknown root key/);
  });
  it('mapLimit keeps at most `limit` calls in flight and the order of results', async () => {
    let inFlight = 0;
    let peak = 0;
    const r = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((res) => setTimeout(res, x));
      inFlight--;
      return x * 10;
    });
    expect(r).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
