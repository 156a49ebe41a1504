// MS-SMB2 §2.2.9 TREE_CONNECT Request, §2.2.10 TREE_CONNECT Response.
import { region, structureSize, utf16 } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface TreeConnectRequest {
  flags: number;
  /** UNC path, e.g. `\\server\IPC$`. */
  path: string;
}

export interface TreeConnectResponse {
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
}

export function encodeTreeConnectRequest(r: TreeConnectRequest): Buffer {
  const path = Buffer.from(r.path, 'utf16le');
  const body = Buffer.alloc(8 + Math.max(1, path.length));
  body.writeUInt16LE(9, 0);
  body.writeUInt16LE(r.flags, 2);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 8, 4);
  body.writeUInt16LE(path.length, 6);
  path.copy(body, 8);
  return body;
}

export function decodeTreeConnectRequest(msg: Buffer): TreeConnectRequest {
  structureSize(msg, 9, 'TREE_CONNECT request');
  const b = SMB2_HEADER_SIZE;
  const offset = msg.readUInt16LE(b + 4);
  const raw = region(msg, offset, msg.readUInt16LE(b + 6), b + 8, 'TREE_CONNECT path');
  return { flags: msg.readUInt16LE(b + 2), path: utf16(raw, 'TREE_CONNECT path', offset) };
}

export function encodeTreeConnectResponse(r: TreeConnectResponse): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt16LE(16, 0);
  body.writeUInt8(r.shareType, 2);
  body.writeUInt32LE(r.shareFlags >>> 0, 4);
  body.writeUInt32LE(r.capabilities >>> 0, 8);
  body.writeUInt32LE(r.maximalAccess >>> 0, 12);
  return body;
}

export function decodeTreeConnectResponse(msg: Buffer): TreeConnectResponse {
  structureSize(msg, 16, 'TREE_CONNECT response');
  const b = SMB2_HEADER_SIZE;
  return {
    shareType: msg.readUInt8(b + 2),
    shareFlags: msg.readUInt32LE(b + 4),
    capabilities: msg.readUInt32LE(b + 8),
    maximalAccess: msg.readUInt32LE(b + 12),
  };
}
