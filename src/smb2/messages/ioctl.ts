// MS-SMB2 §2.2.31 IOCTL Request, §2.2.32 IOCTL Response, §2.2.31.4 / §2.2.32.6 VALIDATE_NEGOTIATE_INFO.
import { fail, need, region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface IoctlRequest {
  ctlCode: number;
  fileId: Buffer;
  input: Buffer;
  maxInputResponse: number;
  maxOutputResponse: number;
  flags: number;
}

export interface IoctlResponse {
  ctlCode: number;
  fileId: Buffer;
  input: Buffer;
  output: Buffer;
  flags: number;
}

export function encodeIoctlRequest(r: IoctlRequest): Buffer {
  const body = Buffer.alloc(56 + Math.max(1, r.input.length));
  body.writeUInt16LE(57, 0);
  body.writeUInt32LE(r.ctlCode >>> 0, 4);
  r.fileId.copy(body, 8, 0, 16);
  body.writeUInt32LE(r.input.length ? SMB2_HEADER_SIZE + 56 : 0, 24);
  body.writeUInt32LE(r.input.length, 28);
  body.writeUInt32LE(r.maxInputResponse >>> 0, 32);
  body.writeUInt32LE(0, 36);
  body.writeUInt32LE(0, 40);
  body.writeUInt32LE(r.maxOutputResponse >>> 0, 44);
  body.writeUInt32LE(r.flags >>> 0, 48);
  r.input.copy(body, 56);
  return body;
}

export function decodeIoctlRequest(msg: Buffer): IoctlRequest {
  structureSize(msg, 57, 'IOCTL request');
  const b = SMB2_HEADER_SIZE;
  return {
    ctlCode: msg.readUInt32LE(b + 4),
    fileId: msg.subarray(b + 8, b + 24),
    input: region(msg, msg.readUInt32LE(b + 24), msg.readUInt32LE(b + 28), b + 56, 'IOCTL input'),
    maxInputResponse: msg.readUInt32LE(b + 32),
    maxOutputResponse: msg.readUInt32LE(b + 44),
    flags: msg.readUInt32LE(b + 48),
  };
}

/** The output buffer goes right after the 48-byte fixed part (offset 112, already 8-aligned). */
export function encodeIoctlResponse(r: IoctlResponse): Buffer {
  const inputAt = 48;
  const outputAt = r.input.length ? (inputAt + r.input.length + 7) & ~7 : inputAt;
  const body = Buffer.alloc(Math.max(49, outputAt + r.output.length));
  body.writeUInt16LE(49, 0);
  body.writeUInt32LE(r.ctlCode >>> 0, 4);
  r.fileId.copy(body, 8, 0, 16);
  body.writeUInt32LE(SMB2_HEADER_SIZE + inputAt, 24);
  body.writeUInt32LE(r.input.length, 28);
  body.writeUInt32LE(SMB2_HEADER_SIZE + outputAt, 32);
  body.writeUInt32LE(r.output.length, 36);
  body.writeUInt32LE(r.flags >>> 0, 40);
  r.input.copy(body, inputAt);
  r.output.copy(body, outputAt);
  return body;
}

export function decodeIoctlResponse(msg: Buffer): IoctlResponse {
  structureSize(msg, 49, 'IOCTL response');
  const b = SMB2_HEADER_SIZE;
  return {
    ctlCode: msg.readUInt32LE(b + 4),
    fileId: msg.subarray(b + 8, b + 24),
    input: region(msg, msg.readUInt32LE(b + 24), msg.readUInt32LE(b + 28), b + 48, 'IOCTL input'),
    output: region(msg, msg.readUInt32LE(b + 32), msg.readUInt32LE(b + 36), b + 48, 'IOCTL output'),
    flags: msg.readUInt32LE(b + 40),
  };
}

// §2.2.31.4 VALIDATE_NEGOTIATE_INFO Request
export interface ValidateNegotiateInfoRequest {
  capabilities: number;
  guid: Buffer;
  securityMode: number;
  dialects: number[];
}

export function encodeValidateNegotiateInfoRequest(r: ValidateNegotiateInfoRequest): Buffer {
  const out = Buffer.alloc(24 + 2 * r.dialects.length);
  out.writeUInt32LE(r.capabilities >>> 0, 0);
  r.guid.copy(out, 4, 0, 16);
  out.writeUInt16LE(r.securityMode, 20);
  out.writeUInt16LE(r.dialects.length, 22);
  r.dialects.forEach((d, i) => out.writeUInt16LE(d, 24 + 2 * i));
  return out;
}

export function decodeValidateNegotiateInfoRequest(buf: Buffer): ValidateNegotiateInfoRequest {
  need(buf, 0, 24, 'VALIDATE_NEGOTIATE_INFO request');
  const count = buf.readUInt16LE(22);
  if (count === 0 || count > 64) fail(22, 'DialectCount 1..64', `got ${count}`);
  need(buf, 24, 2 * count, 'VALIDATE_NEGOTIATE_INFO Dialects');
  const dialects: number[] = [];
  for (let i = 0; i < count; i++) dialects.push(buf.readUInt16LE(24 + 2 * i));
  return { capabilities: buf.readUInt32LE(0), guid: buf.subarray(4, 20), securityMode: buf.readUInt16LE(20), dialects };
}

// §2.2.32.6 VALIDATE_NEGOTIATE_INFO Response
export interface ValidateNegotiateInfoResponse {
  capabilities: number;
  guid: Buffer;
  securityMode: number;
  dialect: number;
}

export function encodeValidateNegotiateInfoResponse(r: ValidateNegotiateInfoResponse): Buffer {
  const out = Buffer.alloc(24);
  out.writeUInt32LE(r.capabilities >>> 0, 0);
  r.guid.copy(out, 4, 0, 16);
  out.writeUInt16LE(r.securityMode, 20);
  out.writeUInt16LE(r.dialect, 22);
  return out;
}

export function decodeValidateNegotiateInfoResponse(buf: Buffer): ValidateNegotiateInfoResponse {
  need(buf, 0, 24, 'VALIDATE_NEGOTIATE_INFO response');
  return { capabilities: buf.readUInt32LE(0), guid: buf.subarray(4, 20), securityMode: buf.readUInt16LE(20), dialect: buf.readUInt16LE(22) };
}
