// MS-SMB2 §2.2.5 SESSION_SETUP Request, §2.2.6 SESSION_SETUP Response.
import { region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface SessionSetupRequest {
  flags: number;
  securityMode: number;
  capabilities: number;
  previousSessionId: bigint;
  securityBuffer: Buffer;
}

export interface SessionSetupResponse {
  sessionFlags: number;
  securityBuffer: Buffer;
}

export function encodeSessionSetupRequest(r: SessionSetupRequest): Buffer {
  const body = Buffer.alloc(24 + Math.max(1, r.securityBuffer.length));
  body.writeUInt16LE(25, 0);
  body.writeUInt8(r.flags, 2);
  body.writeUInt8(r.securityMode, 3);
  body.writeUInt32LE(r.capabilities >>> 0, 4);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 24, 12);
  body.writeUInt16LE(r.securityBuffer.length, 14);
  body.writeBigUInt64LE(r.previousSessionId, 16);
  r.securityBuffer.copy(body, 24);
  return body;
}

export function decodeSessionSetupRequest(msg: Buffer): SessionSetupRequest {
  structureSize(msg, 25, 'SESSION_SETUP request');
  const b = SMB2_HEADER_SIZE;
  return {
    flags: msg.readUInt8(b + 2),
    securityMode: msg.readUInt8(b + 3),
    capabilities: msg.readUInt32LE(b + 4),
    previousSessionId: msg.readBigUInt64LE(b + 16),
    securityBuffer: region(msg, msg.readUInt16LE(b + 12), msg.readUInt16LE(b + 14), b + 24, 'SESSION_SETUP security buffer'),
  };
}

export function encodeSessionSetupResponse(r: SessionSetupResponse): Buffer {
  const body = Buffer.alloc(8 + Math.max(1, r.securityBuffer.length));
  body.writeUInt16LE(9, 0);
  body.writeUInt16LE(r.sessionFlags, 2);
  body.writeUInt16LE(r.securityBuffer.length ? SMB2_HEADER_SIZE + 8 : 0, 4);
  body.writeUInt16LE(r.securityBuffer.length, 6);
  r.securityBuffer.copy(body, 8);
  return body;
}

export function decodeSessionSetupResponse(msg: Buffer): SessionSetupResponse {
  structureSize(msg, 9, 'SESSION_SETUP response');
  const b = SMB2_HEADER_SIZE;
  return {
    sessionFlags: msg.readUInt16LE(b + 2),
    securityBuffer: region(msg, msg.readUInt16LE(b + 4), msg.readUInt16LE(b + 6), b + 8, 'SESSION_SETUP security buffer'),
  };
}
