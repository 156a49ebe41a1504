// MS-SMB2 §2.2.21 WRITE Request, §2.2.22 WRITE Response.
import { region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface WriteRequest {
  offset: bigint;
  fileId: Buffer;
  channel: number;
  remainingBytes: number;
  flags: number;
  data: Buffer;
}

export interface WriteResponse {
  count: number;
  remaining: number;
}

export function encodeWriteRequest(r: WriteRequest): Buffer {
  const body = Buffer.alloc(48 + Math.max(1, r.data.length));
  body.writeUInt16LE(49, 0);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 48, 2);
  body.writeUInt32LE(r.data.length, 4);
  body.writeBigUInt64LE(r.offset, 8);
  r.fileId.copy(body, 16, 0, 16);
  body.writeUInt32LE(r.channel >>> 0, 32);
  body.writeUInt32LE(r.remainingBytes >>> 0, 36);
  body.writeUInt32LE(r.flags >>> 0, 44);
  r.data.copy(body, 48);
  return body;
}

export function decodeWriteRequest(msg: Buffer): WriteRequest {
  structureSize(msg, 49, 'WRITE request');
  const b = SMB2_HEADER_SIZE;
  return {
    offset: msg.readBigUInt64LE(b + 8),
    fileId: msg.subarray(b + 16, b + 32),
    channel: msg.readUInt32LE(b + 32),
    remainingBytes: msg.readUInt32LE(b + 36),
    flags: msg.readUInt32LE(b + 44),
    data: region(msg, msg.readUInt16LE(b + 2), msg.readUInt32LE(b + 4), b + 48, 'WRITE data'),
  };
}

export function encodeWriteResponse(r: WriteResponse): Buffer {
  const body = Buffer.alloc(17);
  body.writeUInt16LE(17, 0);
  body.writeUInt32LE(r.count >>> 0, 4);
  body.writeUInt32LE(r.remaining >>> 0, 8);
  return body;
}

export function decodeWriteResponse(msg: Buffer): WriteResponse {
  structureSize(msg, 17, 'WRITE response');
  const b = SMB2_HEADER_SIZE;
  return { count: msg.readUInt32LE(b + 4), remaining: msg.readUInt32LE(b + 8) };
}
