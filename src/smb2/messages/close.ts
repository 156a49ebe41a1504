// MS-SMB2 §2.2.15 CLOSE Request, §2.2.16 CLOSE Response.
import { structureSize } from '../bytes.js';
import { readFileTimes, writeFileTimes, type FileTimes } from './file-times.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface CloseRequest {
  flags: number;
  fileId: Buffer;
}

export interface CloseResponse extends FileTimes {
  flags: number;
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
  writeFileTimes(body, 8, r);
  return body;
}

export function decodeCloseResponse(msg: Buffer): CloseResponse {
  structureSize(msg, 60, 'CLOSE response');
  const b = SMB2_HEADER_SIZE;
  return { flags: msg.readUInt16LE(b + 2), ...readFileTimes(msg, b + 8) };
}
