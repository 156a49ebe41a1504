// MS-SMB2 §2.2.15 CLOSE Request, §2.2.16 CLOSE Response.
import { structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface CloseRequest {
  flags: number;
  fileId: Buffer;
}

export interface CloseResponse {
  flags: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  changeTime: bigint;
  allocationSize: bigint;
  endOfFile: bigint;
  fileAttributes: number;
}

export function encodeCloseRequest(r: CloseRequest): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt16LE(24, 0);
  body.writeUInt16LE(r.flags, 2);
  r.fileId.copy(body, 8, 0, 16);
  return body;
}

export function decodeCloseRequest(msg: Buffer): CloseRequest {
  structureSize(msg, 24, 'CLOSE request');
  const b = SMB2_HEADER_SIZE;
  return { flags: msg.readUInt16LE(b + 2), fileId: msg.subarray(b + 8, b + 24) };
}

export function encodeCloseResponse(r: CloseResponse): Buffer {
  const body = Buffer.alloc(60);
  body.writeUInt16LE(60, 0);
  body.writeUInt16LE(r.flags, 2);
  body.writeBigUInt64LE(r.creationTime, 8);
  body.writeBigUInt64LE(r.lastAccessTime, 16);
  body.writeBigUInt64LE(r.lastWriteTime, 24);
  body.writeBigUInt64LE(r.changeTime, 32);
  body.writeBigUInt64LE(r.allocationSize, 40);
  body.writeBigUInt64LE(r.endOfFile, 48);
  body.writeUInt32LE(r.fileAttributes >>> 0, 56);
  return body;
}

export function decodeCloseResponse(msg: Buffer): CloseResponse {
  structureSize(msg, 60, 'CLOSE response');
  const b = SMB2_HEADER_SIZE;
  return {
    flags: msg.readUInt16LE(b + 2),
    creationTime: msg.readBigUInt64LE(b + 8),
    lastAccessTime: msg.readBigUInt64LE(b + 16),
    lastWriteTime: msg.readBigUInt64LE(b + 24),
    changeTime: msg.readBigUInt64LE(b + 32),
    allocationSize: msg.readBigUInt64LE(b + 40),
    endOfFile: msg.readBigUInt64LE(b + 48),
    fileAttributes: msg.readUInt32LE(b + 56),
  };
}
