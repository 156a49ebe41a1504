// MS-SMB2 §2.2.13 CREATE Request, §2.2.14 CREATE Response, §2.2.14.1 SMB2_FILEID.
// Create contexts (§2.2.13.2) are kept as raw bytes after a bounds check: a pipe server ignores them.
import { region, structureSize, utf16 } from '../bytes.js';
import { readFileTimes, writeFileTimes, type FileTimes } from './file-times.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface CreateRequest {
  securityFlags: number;
  requestedOplockLevel: number;
  impersonationLevel: number;
  smbCreateFlags: bigint;
  desiredAccess: number;
  fileAttributes: number;
  shareAccess: number;
  createDisposition: number;
  createOptions: number;
  /** Relative to the share root, no leading backslash; for a pipe just its name, e.g. `winreg`. */
  name: string;
  createContexts: Buffer;
}

export interface CreateResponse extends FileTimes {
  oplockLevel: number;
  flags: number;
  createAction: number;
  /** §2.2.14.1: Persistent (8 bytes) then Volatile (8 bytes). */
  fileId: Buffer;
  createContexts: Buffer;
}

export function encodeCreateRequest(r: CreateRequest): Buffer {
  const name = Buffer.from(r.name, 'utf16le');
  const ctxStart = r.createContexts.length ? (56 + name.length + 7) & ~7 : 0;
  const body = Buffer.alloc(Math.max(56 + Math.max(1, name.length), ctxStart + r.createContexts.length));
  body.writeUInt16LE(57, 0);
  body.writeUInt8(r.securityFlags, 2);
  body.writeUInt8(r.requestedOplockLevel, 3);
  body.writeUInt32LE(r.impersonationLevel, 4);
  body.writeBigUInt64LE(r.smbCreateFlags, 8);
  body.writeUInt32LE(r.desiredAccess >>> 0, 24);
  body.writeUInt32LE(r.fileAttributes >>> 0, 28);
  body.writeUInt32LE(r.shareAccess >>> 0, 32);
  body.writeUInt32LE(r.createDisposition >>> 0, 36);
  body.writeUInt32LE(r.createOptions >>> 0, 40);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 56, 44);
  body.writeUInt16LE(name.length, 46);
  body.writeUInt32LE(r.createContexts.length ? SMB2_HEADER_SIZE + ctxStart : 0, 48);
  body.writeUInt32LE(r.createContexts.length, 52);
  name.copy(body, 56);
  r.createContexts.copy(body, ctxStart);
  return body;
}

export function decodeCreateRequest(msg: Buffer): CreateRequest {
  structureSize(msg, 57, 'CREATE request');
  const b = SMB2_HEADER_SIZE;
  const nameOffset = msg.readUInt16LE(b + 44);
  const rawName = region(msg, nameOffset, msg.readUInt16LE(b + 46), b + 56, 'CREATE name');
  return {
    securityFlags: msg.readUInt8(b + 2),
    requestedOplockLevel: msg.readUInt8(b + 3),
    impersonationLevel: msg.readUInt32LE(b + 4),
    smbCreateFlags: msg.readBigUInt64LE(b + 8),
    desiredAccess: msg.readUInt32LE(b + 24),
    fileAttributes: msg.readUInt32LE(b + 28),
    shareAccess: msg.readUInt32LE(b + 32),
    createDisposition: msg.readUInt32LE(b + 36),
    createOptions: msg.readUInt32LE(b + 40),
    name: utf16(rawName, 'CREATE name', nameOffset),
    createContexts: region(msg, msg.readUInt32LE(b + 48), msg.readUInt32LE(b + 52), b + 56, 'CREATE contexts'),
  };
}

export function encodeCreateResponse(r: CreateResponse): Buffer {
  const body = Buffer.alloc(88 + Math.max(1, r.createContexts.length));
  body.writeUInt16LE(89, 0);
  body.writeUInt8(r.oplockLevel, 2);
  body.writeUInt8(r.flags, 3);
  body.writeUInt32LE(r.createAction >>> 0, 4);
  writeFileTimes(body, 8, r);
  r.fileId.copy(body, 64, 0, 16);
  body.writeUInt32LE(r.createContexts.length ? SMB2_HEADER_SIZE + 88 : 0, 80);
  body.writeUInt32LE(r.createContexts.length, 84);
  r.createContexts.copy(body, 88);
  return body;
}

export function decodeCreateResponse(msg: Buffer): CreateResponse {
  structureSize(msg, 89, 'CREATE response');
  const b = SMB2_HEADER_SIZE;
  return {
    oplockLevel: msg.readUInt8(b + 2),
    flags: msg.readUInt8(b + 3),
    createAction: msg.readUInt32LE(b + 4),
    ...readFileTimes(msg, b + 8),
    fileId: msg.subarray(b + 64, b + 80),
    createContexts: region(msg, msg.readUInt32LE(b + 80), msg.readUInt32LE(b + 84), b + 88, 'CREATE contexts'),
  };
}
