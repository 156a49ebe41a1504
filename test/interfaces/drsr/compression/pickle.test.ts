// The decompressed stream's type serialization headers (MS-RPCE §2.2.6, §2.2.7) and the algorithm
// dispatch of decompressDrsBlob (MS-DRSR §4.1.10.2.18, §4.1.10.6.19).
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeCompressedCtr, decompressDrsBlob, decompressGetChgReplyV2, decompressGetChgReplyV7, DRS_COMP_ALG_MSZIP, DRS_COMP_ALG_NONE,
  DRS_COMP_ALG_UNUSED, DRS_COMP_ALG_WIN2K3, pickleBody,
} from '../../../../src/interfaces/drsr/compression/index.js';
import { DRS_MSG_GETCHGREPLY_V1, DRS_MSG_GETCHGREPLY_V9 } from '../../../../src/interfaces/drsr/types.js';
import { guidToBytes, ndrEncode } from '../../../../src/ndr/index.js';
import { err } from './expect-error.js';

function v1(body: Buffer, endianness = 0x10): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt8(1, 0);
  h.writeUInt8(endianness, 1);
  h.writeUInt16LE(8, 2);
  h.writeUInt32LE(0xcccccccc, 4);
  h.writeUInt32LE(body.length, 8);
  return Buffer.concat([h, body]);
}

function v2(body: Buffer, syntax = '8a885d04-1ceb-11c9-9fe8-08002b104860'): Buffer {
  const h = Buffer.alloc(0x40 + 16, 0xcc);
  h.writeUInt8(2, 0);
  h.writeUInt8(0x10, 1);
  h.writeUInt16LE(0x40, 2);
  h.set(guidToBytes(syntax), 24);
  h.writeUInt32LE(2, 40);
  h.fill(0, 0x40);
  h.writeUInt32LE(body.length, 0x40);
  return Buffer.concat([h, body]);
}

/** A mszip blob of one block. */
function mszip(data: Buffer): Buffer {
  const d = Buffer.concat([Buffer.from('CK'), deflateRawSync(data)]);
  const h = Buffer.alloc(8);
  h.writeUInt32LE(data.length, 0);
  h.writeUInt32LE(d.length, 4);
  return Buffer.concat([h, d]);
}

const NULL = '00000000-0000-0000-0000-000000000000';
const zero = { usnHighObjUpdate: 0n, usnReserved: 0n, usnHighPropUpdate: 0n };
const reply = {
  uuidDsaObjSrc: 'c1b4a6e4-8f2d-4d1e-9a6c-0123456789ab', uuidInvocIdSrc: NULL, pNC: null, usnvecFrom: zero, usnvecTo: { ...zero, usnHighObjUpdate: 4242n },
  PrefixTableSrc: { PrefixCount: 0, pPrefixEntry: null }, ulExtendedRet: 0, cNumObjects: 0, cNumBytes: 0, pObjects: null, fMoreData: 1,
};

describe('pickleBody', () => {
  it('strips version 1 headers and returns the object buffer', () => {
    const body = Buffer.from('0123456789abcdef');
    expect(pickleBody(v1(body)).equals(body)).toBe(true);
  });
  it('strips version 2 headers (NDR transfer syntax)', () => {
    const body = Buffer.alloc(32, 7);
    expect(pickleBody(v2(body)).equals(body)).toBe(true);
  });
  it('rejects what our decoders cannot read: big-endian, NDR64, other versions, bad header lengths', () => {
    expect(err(() => pickleBody(v1(Buffer.alloc(8), 0x00)))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_PICKLE', offset: 1 });
    expect(err(() => pickleBody(v2(Buffer.alloc(16), '71710533-beba-4937-8319-b5dbef9ccc36'))).detail).toBe('NDR64 is not supported');
    const v3 = v1(Buffer.alloc(8));
    v3[0] = 3;
    expect(err(() => pickleBody(v3)).offset).toBe(0);
    const badLen = v1(Buffer.alloc(8));
    badLen.writeUInt16LE(16, 2);
    expect(err(() => pickleBody(badLen)).offset).toBe(2);
  });
  it('rejects an ObjectBufferLength past the end, bytes after the object, a stream shorter than its headers', () => {
    const long = v1(Buffer.alloc(8));
    long.writeUInt32LE(9, 8);
    expect(err(() => pickleBody(long))).toMatchObject({ offset: 8 });
    expect(err(() => pickleBody(Buffer.concat([v1(Buffer.alloc(8)), Buffer.alloc(8)]))).offset).toBe(24);
    expect(err(() => pickleBody(Buffer.alloc(10))).offset).toBe(0);
    expect(err(() => pickleBody(v2(Buffer.alloc(0)).subarray(0, 70))).offset).toBe(0);
  });
});

describe('decompressDrsBlob / decodeCompressedCtr', () => {
  const pickle = v1(Buffer.alloc(24, 0x41));

  it('MSZIP and NONE give the pickle; an unknown or UNUSED algorithm is an error', () => {
    expect(decompressDrsBlob(DRS_COMP_ALG_MSZIP, mszip(pickle), pickle.length).equals(pickle)).toBe(true);
    expect(decompressDrsBlob(DRS_COMP_ALG_NONE, pickle, pickle.length).equals(pickle)).toBe(true);
    expect(err(() => decompressDrsBlob(DRS_COMP_ALG_NONE, pickle, pickle.length + 1)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
    expect(err(() => decompressDrsBlob(DRS_COMP_ALG_UNUSED, mszip(pickle), pickle.length)).code).toBe('ERR_DRS_COMPRESSION_ALGORITHM');
    expect(err(() => decompressDrsBlob(9, mszip(pickle), pickle.length)).code).toBe('ERR_DRS_COMPRESSION_ALGORITHM');
  });

  it('equal compressed and uncompressed sizes mean "sent uncompressed" (§4.1.10.6.19)', () => {
    expect(decompressDrsBlob(DRS_COMP_ALG_WIN2K3, pickle, pickle.length).equals(pickle)).toBe(true);
    expect(decompressDrsBlob(DRS_COMP_ALG_MSZIP, pickle, pickle.length).equals(pickle)).toBe(true);
  });

  it('decodeCompressedCtr returns the NDR body that the types.ts decoders read', () => {
    expect(decodeCompressedCtr(DRS_COMP_ALG_MSZIP, mszip(pickle), pickle.length).equals(Buffer.alloc(24, 0x41))).toBe(true);
  });
});

describe('decompressGetChgReplyV7 / V2', () => {
  const blob = (alg: number, data: Buffer) => ({ cbUncompressedSize: data.length, cbCompressedSize: 0, pbCompressedData: alg === DRS_COMP_ALG_MSZIP ? mszip(data) : data });
  const fix = (b: ReturnType<typeof blob>) => ({ ...b, cbCompressedSize: b.pbCompressedData.length });

  it('a V7 carrying a V9 reply, and a V2 carrying a V1', () => {
    const r9 = { ...reply, pUpToDateVecSrc: null, cNumNcSizeObjects: 0, cNumNcSizeValues: 0, cNumValues: 0, rgValues: null, dwDRSError: 0 };
    const p9 = v1(pad8(ndrEncode(DRS_MSG_GETCHGREPLY_V9, r9)));
    const out = decompressGetChgReplyV7({ dwCompressedVersion: 9, CompressionAlg: DRS_COMP_ALG_MSZIP, CompressedAny: fix(blob(DRS_COMP_ALG_MSZIP, p9)) });
    expect(out.version).toBe(9);
    expect(out.reply).toEqual(r9);
    const r1 = { ...reply, pUpToDateVecSrcV1: null };
    const p1 = v1(pad8(ndrEncode(DRS_MSG_GETCHGREPLY_V1, r1)));
    expect(decompressGetChgReplyV2({ CompressedV1: fix(blob(DRS_COMP_ALG_MSZIP, p1)) })).toEqual(r1);
  });

  it('rejects a dwCompressedVersion other than 6 or 9, and a cbCompressedSize that is not the data length', () => {
    const p = v1(Buffer.alloc(8));
    expect(err(() => decompressGetChgReplyV7({ dwCompressedVersion: 1, CompressionAlg: DRS_COMP_ALG_MSZIP, CompressedAny: fix(blob(DRS_COMP_ALG_MSZIP, p)) })).code).toBe('ERR_DRS_COMPRESSION_PICKLE');
    const b = fix(blob(DRS_COMP_ALG_MSZIP, p));
    expect(err(() => decompressGetChgReplyV7({ dwCompressedVersion: 6, CompressionAlg: DRS_COMP_ALG_MSZIP, CompressedAny: { ...b, cbCompressedSize: b.cbCompressedSize + 1 } })).code).toBe('ERR_DRS_COMPRESSION_SIZE');
  });
});

function pad8(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
}
