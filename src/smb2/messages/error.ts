// MS-SMB2 §2.2.2 ERROR Response.
import { fail, need, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface ErrorResponse {
  errorContextCount: number;
  errorData: Buffer;
}

export function encodeErrorResponse(errorData: Buffer = Buffer.alloc(0)): Buffer {
  // StructureSize 9 counts one byte of ErrorData, present even when ByteCount is 0
  const body = Buffer.alloc(8 + Math.max(1, errorData.length));
  body.writeUInt16LE(9, 0);
  body.writeUInt32LE(errorData.length, 4);
  errorData.copy(body, 8);
  return body;
}

export function decodeErrorResponse(msg: Buffer): ErrorResponse {
  structureSize(msg, 9, 'ERROR response');
  const b = SMB2_HEADER_SIZE;
  const byteCount = msg.readUInt32LE(b + 4);
  if (byteCount > msg.length) fail(b + 4, 'ByteCount within the message', `got ${byteCount}`);
  need(msg, b + 8, byteCount, 'ErrorData');
  return { errorContextCount: msg.readUInt8(b + 2), errorData: msg.subarray(b + 8, b + 8 + byteCount) };
}
