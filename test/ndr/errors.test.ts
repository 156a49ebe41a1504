// Bad input: every failure is a typed NdrError with a stable code and fault 0x6F7 (MS-RPCE §3.1.3.5.2).
import { describe, expect, it } from 'vitest';
import {
  conformantArray, full, ndrDecode, ndrEncode, NdrError, operation, range, string, struct, u16, u32, u8, unique, wchar, type NdrType,
} from '../../src/ndr/index.js';
import { RPC_UNICODE_STRING } from '../../src/ndr/dtyp.js';
import { BaseRegQueryValue, DRS_MSG_GETCHGREQ_V8, IDL_DRSGetNCChanges, ept_map, twr_t } from './idl.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function fails(f: () => unknown, code: string): NdrError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NdrError);
    const err = e as NdrError;
    expect(err.code).toBe(code);
    expect(err.faultStatus).toBe(0x6f7);
    return err;
  }
  throw new Error(`expected ${code}, decoded fine`);
}
const bad = <T>(t: NdrType<T>, bytes: string, code: string) => fails(() => ndrDecode(t, hex(bytes)), code);

describe('decode refuses bad stubs with a typed error', () => {
  it('truncated data', () => {
    bad(u32, '010203', 'ERR_NDR_SHORT');
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 05000000 00000000', 'ERR_NDR_SHORT');
    // an array cut short fails on its count, before its elements are read
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 05000000 00000000 04000000 6100 6200 6300', 'ERR_NDR_COUNT');
  });
  it('a count of 2^31 elements in a 100-byte stub is refused before any allocation', () => {
    const stub = Buffer.alloc(100);
    stub.writeUInt32LE(0x80000000, 0);
    fails(() => ndrDecode(conformantArray(u32), stub), 'ERR_NDR_COUNT');
    fails(() => ndrDecode(conformantArray(u8), stub), 'ERR_NDR_COUNT');
    const err = fails(() => ndrDecode(conformantArray(struct({ a: u32, b: u32 })), stub), 'ERR_NDR_COUNT');
    expect(err.offset).toBe(4);
  });
  it('a varying actual_count larger than the bytes left', () => {
    bad(string(wchar), 'ffffff7f 00000000 ffffff7f 6100', 'ERR_NDR_COUNT');
  });
  it('[range] on integers and on conformance', () => {
    bad(twr_t, 'd1070000 d1070000', 'ERR_NDR_RANGE'); // tower_length 2001 > 2000
    const req = ept_map.encodeRequest({ obj: null, map_tower: null, entry_handle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, max_towers: 4 });
    req.writeUInt32LE(501, req.length - 4);
    fails(() => ept_map.decodeRequest(req), 'ERR_NDR_RANGE');
    bad(conformantArray(u8, { range: [1, 4] }), '05000000 0102030405', 'ERR_NDR_RANGE');
  });
  it('max_count that disagrees with size_is', () => {
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 06000000 00000000 04000000 6100 6200 6300 6400', 'ERR_NDR_CONFORMANCE');
    bad(twr_t, '02000000 03000000 010203', 'ERR_NDR_CONFORMANCE');
  });
  it('varying offset, actual_count beyond max_count, or against length_is', () => {
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 05000000 01000000 04000000 6100 6200 6300 6400', 'ERR_NDR_VARIANCE');
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 05000000 00000000 06000000 6100 6200 6300 6400 6500 6600', 'ERR_NDR_VARIANCE');
    bad(RPC_UNICODE_STRING, '0800 0a00 00000200 05000000 00000000 03000000 6100 6200 6300', 'ERR_NDR_VARIANCE');
  });
  it('a correlation with a parameter that comes later is checked at the end', () => {
    const v = { hKey: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000001' }, lpValueName: { Length: 2, MaximumLength: 2, Buffer: 'a' }, lpType: null, lpData: Buffer.from('abcd'), lpcbData: 4, lpcbLen: 4 };
    const stub = BaseRegQueryValue.encodeRequest(v);
    expect(BaseRegQueryValue.decodeRequest(stub).lpData).toEqual(Buffer.from('abcd'));
    stub.writeUInt32LE(5, stub.length - 8 - 4); // *lpcbData = 5 while max_count is 4
    fails(() => BaseRegQueryValue.decodeRequest(stub), 'ERR_NDR_CONFORMANCE');
  });
  it('a null embedded [ref] pointer', () => {
    const v8 = minimalV8();
    const bytes = ndrEncode(DRS_MSG_GETCHGREQ_V8, v8);
    bytes.writeUInt32LE(0, 32); // pNC referent id
    fails(() => ndrDecode(DRS_MSG_GETCHGREQ_V8, bytes), 'ERR_NDR_NULL_REF');
  });
  it('a full pointer id that aliases pointees of two types', () => {
    const S = struct({ a: full(u32), b: full(struct({ x: u16 })) });
    bad(S, '00000200 00000200 01000000', 'ERR_NDR_REFERENT');
  });
  it('repeated unique referent ids are accepted (Samba wraps its ids, impacket draws them at random)', () => {
    const S = struct({ a: unique(u32), b: unique(u32) });
    expect(ndrDecode(S, hex('00000200 00000200 01000000 02000000'))).toEqual({ a: 1, b: 2 });
  });
  it('a discriminant with no arm, or not equal to its switch_is', () => {
    const stub = IDL_DRSGetNCChanges.encodeRequest({ hDrs: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000001' }, dwInVersion: 8, pmsgIn: { tag: 8, V8: minimalV8() } });
    const noArm = Buffer.from(stub);
    noArm.writeUInt32LE(9, 20); // dwInVersion
    noArm.writeUInt32LE(9, 24); // union discriminant
    fails(() => IDL_DRSGetNCChanges.decodeRequest(noArm), 'ERR_NDR_UNION');
    const mismatch = Buffer.from(stub);
    mismatch.writeUInt32LE(7, 20);
    fails(() => IDL_DRSGetNCChanges.decodeRequest(mismatch), 'ERR_NDR_UNION');
  });
  it('a [string] without its terminator', () => {
    bad(string(wchar), '02000000 00000000 02000000 6100 6200', 'ERR_NDR_STRING');
    bad(string(wchar), '00000000 00000000 00000000', 'ERR_NDR_STRING');
  });
  it('a top-level array whose size_is names nothing in scope decodes, unchecked', () => {
    expect(ndrDecode(conformantArray(u8, { size: 'n' }), hex('02000000 0102'))).toEqual(Buffer.from([1, 2]));
  });
  it('bytes after the last parameter, unless allowed', () => {
    bad(u32, '01000000 00', 'ERR_NDR_TRAILING');
    expect(ndrDecode(u32, hex('01000000 00'), { allowTrailing: true })).toBe(1);
  });
});

describe('encode refuses values that do not fit', () => {
  it('wrong sizes, out-of-range integers, missing arms', () => {
    expect(() => ndrEncode(u8, 256)).toThrow(NdrError);
    expect(() => ndrEncode(range(u32, 1, 2), 3)).toThrow(NdrError);
    expect(() => ndrEncode(RPC_UNICODE_STRING, { Length: 4, MaximumLength: 4, Buffer: 'abc' })).toThrow(/Length \/ 2 = 2/);
    expect(() => ndrEncode(twr_t, { tower_length: 3, tower_octet_string: Buffer.alloc(2) })).toThrow(NdrError);
    const Op = operation(0, { in: { x: u32 }, out: {} });
    expect(() => Op.encodeRequest({ x: -1 })).toThrow(NdrError);
  });
});

export function minimalV8() {
  return {
    uuidDsaObjDest: '00000000-0000-0000-0000-000000000000',
    uuidInvocIdSrc: '00000000-0000-0000-0000-000000000000',
    pNC: { structLen: 60, SidLen: 0, Guid: '00000000-0000-0000-0000-000000000000', Sid: { Data: Buffer.alloc(28) }, NameLen: 0, StringName: '\0' },
    usnvecFrom: { usnHighObjUpdate: 0n, usnReserved: 0n, usnHighPropUpdate: 0n },
    pUpToDateVecDest: null,
    ulFlags: 0, cMaxObjects: 0, cMaxBytes: 0, ulExtendedOp: 0, liFsmoInfo: 0n,
    pPartialAttrSet: null, pPartialAttrSetEx: null,
    PrefixTableDest: { PrefixCount: 0, pPrefixEntry: null },
  };
}
