// MS-SMB2 §2.2.39 SET_INFO Request, §2.2.40 SET_INFO Response.
import { region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface SetInfoRequest {
  infoType: number;
  fileInfoClass: number;
  buffer: Buffer;
  additionalInformation: number;
  fileId: Buffer;
}

export function encodeSetInfoRequest(r: SetInfoRequest): Buffer {
  const body = Buffer.alloc(32 + Math.max(1, r.buffer.length));
  body.writeUInt16LE(33, 0);
  body.writeUInt8(r.infoType, 2);
  body.writeUInt8(r.fileInfoClass, 3);
  body.writeUInt32LE(r.buffer.length, 4);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 32, 8);
  body.writeUInt32LE(r.additionalInformation >>> 0, 12);
  r.fileId.copy(body, 16, 0, 16);
  r.buffer.copy(body, 32);
  return body;
}

export function decodeSetInfoRequest(msg: Buffer): SetInfoRequest {
  structureSize(msg, 33, 'SET_INFO request');
  const b = SMB2_HEADER_SIZE;
  return {
    infoType: msg.readUInt8(b + 2),
    fileInfoClass: msg.readUInt8(b + 3),
    buffer: region(msg, msg.readUInt16LE(b + 8), msg.readUInt32LE(b + 4), b + 32, 'SET_INFO buffer'),
    additionalInformation: msg.readUInt32LE(b + 12),
    fileId: msg.subarray(b + 16, b + 32),
  };
}

export function encodeSetInfoResponse(): Buffer {
  return Buffer.from([2, 0]);
}

export function decodeSetInfoResponse(msg: Buffer): void {
  structureSize(msg, 2, 'SET_INFO response');
}
