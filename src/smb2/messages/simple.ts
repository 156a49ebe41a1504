// The bodies that are only StructureSize 4 + Reserved: MS-SMB2 §2.2.7/§2.2.8 LOGOFF,
// §2.2.11/§2.2.12 TREE_DISCONNECT, §2.2.28/§2.2.29 ECHO, §2.2.30 CANCEL (requests and responses).
import { structureSize } from '../bytes.js';

const BODY = Buffer.from([4, 0, 0, 0]);

export function encodeSimple(): Buffer {
  return Buffer.from(BODY);
}

export function decodeSimple(msg: Buffer, what: string): void {
  structureSize(msg, 4, what);
}

export const encodeLogoff = encodeSimple;
export const encodeTreeDisconnect = encodeSimple;
export const encodeEcho = encodeSimple;
export const encodeCancel = encodeSimple;
