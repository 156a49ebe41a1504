// MS-SMB2 §2.2.3 NEGOTIATE Request, §2.2.4 NEGOTIATE Response, §2.2.3.1 negotiate contexts.
import { align8, fail, need, region, structureSize } from '../bytes.js';
import {
  SMB2_ENCRYPTION_CAPABILITIES,
  SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
  SMB2_SIGNING_CAPABILITIES,
} from '../constants.js';
import { SMB2_HEADER_SIZE } from './header.js';

/** §2.2.3.1 SMB2 NEGOTIATE_CONTEXT (Data kept raw; the helpers below read the known ones). */
export interface NegotiateContext {
  contextType: number;
  data: Buffer;
}

export interface NegotiateRequest {
  securityMode: number;
  capabilities: number;
  clientGuid: Buffer;
  dialects: number[];
  /** Present when the dialects include 0x0311. */
  negotiateContexts: NegotiateContext[];
}

export interface NegotiateResponse {
  securityMode: number;
  dialectRevision: number;
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  systemTime: bigint;
  serverStartTime: bigint;
  securityBuffer: Buffer;
  negotiateContexts: NegotiateContext[];
}

const MAX_DIALECTS = 64;
const MAX_CONTEXTS = 32;

// Contexts start 8-aligned (relative to the header) and follow each other 8-aligned.
function contextsLength(list: NegotiateContext[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n = (i === 0 ? n : align8(n)) + 8 + list[i]!.data.length;
  return n;
}

function writeContexts(list: NegotiateContext[], out: Buffer, start: number): void {
  let p = start;
  for (let i = 0; i < list.length; i++) {
    if (i > 0) p = align8(p);
    const c = list[i]!;
    out.writeUInt16LE(c.contextType, p);
    out.writeUInt16LE(c.data.length, p + 2);
    out.writeUInt32LE(0, p + 4);
    c.data.copy(out, p + 8);
    p += 8 + c.data.length;
  }
}

function readContexts(msg: Buffer, offset: number, count: number, minOffset: number): NegotiateContext[] {
  if (count === 0) return [];
  if (count > MAX_CONTEXTS) fail(offset, `NegotiateContextCount ≤ ${MAX_CONTEXTS}`, `got ${count}`);
  if (offset < minOffset || offset % 8 !== 0) fail(offset, `NegotiateContextOffset ≥ ${minOffset}, 8-aligned`, `got ${offset}`);
  const list: NegotiateContext[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (i > 0) p = align8(p);
    need(msg, p, 8, 'NEGOTIATE_CONTEXT header');
    const contextType = msg.readUInt16LE(p);
    const len = msg.readUInt16LE(p + 2);
    need(msg, p + 8, len, 'NEGOTIATE_CONTEXT Data');
    list.push({ contextType, data: msg.subarray(p + 8, p + 8 + len) });
    p += 8 + len;
  }
  return list;
}

export function encodeNegotiateRequest(r: NegotiateRequest): Buffer {
  const fixed = 36;
  const dialectsEnd = fixed + 2 * r.dialects.length;
  const ctxStart = r.negotiateContexts.length ? align8(SMB2_HEADER_SIZE + dialectsEnd) - SMB2_HEADER_SIZE : dialectsEnd;
  const body = Buffer.alloc(ctxStart + contextsLength(r.negotiateContexts));
  body.writeUInt16LE(36, 0);
  body.writeUInt16LE(r.dialects.length, 2);
  body.writeUInt16LE(r.securityMode, 4);
  body.writeUInt32LE(r.capabilities >>> 0, 8);
  r.clientGuid.copy(body, 12, 0, 16);
  if (r.negotiateContexts.length) {
    body.writeUInt32LE(SMB2_HEADER_SIZE + ctxStart, 28);
    body.writeUInt16LE(r.negotiateContexts.length, 32);
  }
  r.dialects.forEach((d, i) => body.writeUInt16LE(d, fixed + 2 * i));
  writeContexts(r.negotiateContexts, body, ctxStart);
  return body;
}

export function decodeNegotiateRequest(msg: Buffer): NegotiateRequest {
  structureSize(msg, 36, 'NEGOTIATE request');
  const b = SMB2_HEADER_SIZE;
  const count = msg.readUInt16LE(b + 2);
  if (count === 0 || count > MAX_DIALECTS) fail(b + 2, `DialectCount 1..${MAX_DIALECTS}`, `got ${count}`);
  need(msg, b + 36, 2 * count, 'Dialects');
  const dialects: number[] = [];
  for (let i = 0; i < count; i++) dialects.push(msg.readUInt16LE(b + 36 + 2 * i));
  const negotiateContexts = dialects.includes(0x0311)
    ? readContexts(msg, msg.readUInt32LE(b + 28), msg.readUInt16LE(b + 32), b + 36 + 2 * count)
    : [];
  return {
    securityMode: msg.readUInt16LE(b + 4),
    capabilities: msg.readUInt32LE(b + 8),
    clientGuid: msg.subarray(b + 12, b + 28),
    dialects,
    negotiateContexts,
  };
}

export function encodeNegotiateResponse(r: NegotiateResponse): Buffer {
  const fixed = 64;
  const bufEnd = fixed + r.securityBuffer.length;
  const ctxStart = r.negotiateContexts.length ? align8(SMB2_HEADER_SIZE + bufEnd) - SMB2_HEADER_SIZE : bufEnd;
  // StructureSize 65 counts one byte of Buffer, so the body is never shorter than that
  const body = Buffer.alloc(Math.max(fixed + 1, ctxStart + contextsLength(r.negotiateContexts)));
  body.writeUInt16LE(65, 0);
  body.writeUInt16LE(r.securityMode, 2);
  body.writeUInt16LE(r.dialectRevision, 4);
  body.writeUInt16LE(r.negotiateContexts.length, 6);
  r.serverGuid.copy(body, 8, 0, 16);
  body.writeUInt32LE(r.capabilities >>> 0, 24);
  body.writeUInt32LE(r.maxTransactSize, 28);
  body.writeUInt32LE(r.maxReadSize, 32);
  body.writeUInt32LE(r.maxWriteSize, 36);
  body.writeBigUInt64LE(r.systemTime, 40);
  body.writeBigUInt64LE(r.serverStartTime, 48);
  body.writeUInt16LE(r.securityBuffer.length ? SMB2_HEADER_SIZE + fixed : 0, 56);
  body.writeUInt16LE(r.securityBuffer.length, 58);
  body.writeUInt32LE(r.negotiateContexts.length ? SMB2_HEADER_SIZE + ctxStart : 0, 60);
  r.securityBuffer.copy(body, fixed);
  writeContexts(r.negotiateContexts, body, ctxStart);
  return body;
}

export function decodeNegotiateResponse(msg: Buffer): NegotiateResponse {
  structureSize(msg, 65, 'NEGOTIATE response');
  const b = SMB2_HEADER_SIZE;
  const dialectRevision = msg.readUInt16LE(b + 4);
  const securityBuffer = region(msg, msg.readUInt16LE(b + 56), msg.readUInt16LE(b + 58), b + 64, 'NEGOTIATE security buffer');
  const negotiateContexts = dialectRevision === 0x0311
    ? readContexts(msg, msg.readUInt32LE(b + 60), msg.readUInt16LE(b + 6), b + 64)
    : [];
  return {
    securityMode: msg.readUInt16LE(b + 2),
    dialectRevision,
    serverGuid: msg.subarray(b + 8, b + 24),
    capabilities: msg.readUInt32LE(b + 24),
    maxTransactSize: msg.readUInt32LE(b + 28),
    maxReadSize: msg.readUInt32LE(b + 32),
    maxWriteSize: msg.readUInt32LE(b + 36),
    systemTime: msg.readBigUInt64LE(b + 40),
    serverStartTime: msg.readBigUInt64LE(b + 48),
    securityBuffer,
    negotiateContexts,
  };
}

// §2.2.3.1.1 SMB2_PREAUTH_INTEGRITY_CAPABILITIES
export interface PreauthIntegrityCapabilities {
  hashAlgorithms: number[];
  salt: Buffer;
}
export function encodePreauthIntegrity(c: PreauthIntegrityCapabilities): NegotiateContext {
  const data = Buffer.alloc(4 + 2 * c.hashAlgorithms.length + c.salt.length);
  data.writeUInt16LE(c.hashAlgorithms.length, 0);
  data.writeUInt16LE(c.salt.length, 2);
  c.hashAlgorithms.forEach((h, i) => data.writeUInt16LE(h, 4 + 2 * i));
  c.salt.copy(data, 4 + 2 * c.hashAlgorithms.length);
  return { contextType: SMB2_PREAUTH_INTEGRITY_CAPABILITIES, data };
}
export function decodePreauthIntegrity(data: Buffer): PreauthIntegrityCapabilities {
  need(data, 0, 4, 'PREAUTH_INTEGRITY_CAPABILITIES');
  const count = data.readUInt16LE(0);
  const saltLength = data.readUInt16LE(2);
  if (count === 0) fail(0, 'HashAlgorithmCount > 0');
  need(data, 4, 2 * count + saltLength, 'HashAlgorithms and Salt');
  const hashAlgorithms: number[] = [];
  for (let i = 0; i < count; i++) hashAlgorithms.push(data.readUInt16LE(4 + 2 * i));
  return { hashAlgorithms, salt: data.subarray(4 + 2 * count, 4 + 2 * count + saltLength) };
}

// §2.2.3.1.2 SMB2_ENCRYPTION_CAPABILITIES and §2.2.3.1.7 SMB2_SIGNING_CAPABILITIES share a shape:
// a 16-bit count and that many 16-bit ids.
function encodeIdList(contextType: number, ids: number[]): NegotiateContext {
  const data = Buffer.alloc(2 + 2 * ids.length);
  data.writeUInt16LE(ids.length, 0);
  ids.forEach((id, i) => data.writeUInt16LE(id, 2 + 2 * i));
  return { contextType, data };
}
function decodeIdList(data: Buffer, what: string): number[] {
  need(data, 0, 2, what);
  const count = data.readUInt16LE(0);
  if (count === 0) fail(0, `${what}: count > 0`);
  need(data, 2, 2 * count, what);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(data.readUInt16LE(2 + 2 * i));
  return ids;
}
export const encodeEncryptionCapabilities = (ciphers: number[]) => encodeIdList(SMB2_ENCRYPTION_CAPABILITIES, ciphers);
export const decodeEncryptionCapabilities = (data: Buffer) => decodeIdList(data, 'ENCRYPTION_CAPABILITIES');
export const encodeSigningCapabilities = (algorithms: number[]) => encodeIdList(SMB2_SIGNING_CAPABILITIES, algorithms);
export const decodeSigningCapabilities = (data: Buffer) => decodeIdList(data, 'SIGNING_CAPABILITIES');
