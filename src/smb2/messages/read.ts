// MS-SMB2 §2.2.19 READ Request, §2.2.20 READ Response.
import { region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface ReadRequest {
  padding: number;
  flags: number;
  length: number;
  offset: bigint;
  fileId: Buffer;
  minimumCount: number;
  channel: number;
  remainingBytes: number;
}

export interface ReadResponse {
  data: Buffer;
  dataRemaining: number;
}

export function encodeReadRequest(r: ReadRequest): Buffer {
  const body = Buffer.alloc(49);
  body.writeUInt16LE(49, 0);
  body.writeUInt8(r.padding, 2);
  body.writeUInt8(r.flags, 3);
  body.writeUInt32LE(r.length >>> 0, 4);
  body.writeBigUInt64LE(r.offset, 8);
  r.fileId.copy(body, 16, 0, 16);
  body.writeUInt32LE(r.minimumCount >>> 0, 32);
  body.writeUInt32LE(r.channel >>> 0, 36);
  body.writeUInt32LE(r.remainingBytes >>> 0, 40);
  return body;
}

export function decodeReadRequest(msg: Buffer): ReadRequest {
  structureSize(msg, 49, 'READ request');
  const b = SMB2_HEADER_SIZE;
  return {
    padding: msg.readUInt8(b + 2),
    flags: msg.readUInt8(b + 3),
    length: msg.readUInt32LE(b + 4),
    offset: msg.readBigUInt64LE(b + 8),
    fileId: msg.subarray(b + 16, b + 32),
    minimumCount: msg.readUInt32LE(b + 32),
    channel: msg.readUInt32LE(b + 36),
    remainingBytes: msg.readUInt32LE(b + 40),
  };
}

/** The 16-byte fixed part of a READ response; the data follows it (at header offset 80). */
export function encodeReadResponseHead(dataLength: number, dataRemaining = 0): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(17, 0);
  body.writeUInt8(SMB2_HEADER_SIZE + 16, 2);
  body.writeUInt32LE(dataLength >>> 0, 4);
  body.writeUInt32LE(dataRemaining >>> 0, 8);
  return body;
}

export function encodeReadResponse(r: ReadResponse): Buffer {
  const head = encodeReadResponseHead(r.data.length, r.dataRemaining);
  return Buffer.concat([head, r.data.length ? r.data : Buffer.alloc(1)]);
}

export function decodeReadResponse(msg: Buffer): ReadResponse {
  structureSize(msg, 17, 'READ response');
  const b = SMB2_HEADER_SIZE;
  return {
    data: region(msg, msg.readUInt8(b + 2), msg.readUInt32LE(b + 4), b + 16, 'READ data'),
    dataRemaining: msg.readUInt32LE(b + 8),
  };
}
