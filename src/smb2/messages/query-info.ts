// MS-SMB2 §2.2.37 QUERY_INFO Request, §2.2.38 QUERY_INFO Response, and the MS-FSCC §2.4 pipe/file
// information structures a pipe server answers with.
import { need, region, structureSize } from '../bytes.js';
import { SMB2_HEADER_SIZE } from './header.js';

export interface QueryInfoRequest {
  infoType: number;
  fileInfoClass: number;
  outputBufferLength: number;
  input: Buffer;
  additionalInformation: number;
  flags: number;
  fileId: Buffer;
}

export function encodeQueryInfoRequest(r: QueryInfoRequest): Buffer {
  const body = Buffer.alloc(40 + Math.max(1, r.input.length));
  body.writeUInt16LE(41, 0);
  body.writeUInt8(r.infoType, 2);
  body.writeUInt8(r.fileInfoClass, 3);
  body.writeUInt32LE(r.outputBufferLength >>> 0, 4);
  body.writeUInt16LE(r.input.length ? SMB2_HEADER_SIZE + 40 : 0, 8);
  body.writeUInt32LE(r.input.length, 12);
  body.writeUInt32LE(r.additionalInformation >>> 0, 16);
  body.writeUInt32LE(r.flags >>> 0, 20);
  r.fileId.copy(body, 24, 0, 16);
  r.input.copy(body, 40);
  return body;
}

export function decodeQueryInfoRequest(msg: Buffer): QueryInfoRequest {
  structureSize(msg, 41, 'QUERY_INFO request');
  const b = SMB2_HEADER_SIZE;
  return {
    infoType: msg.readUInt8(b + 2),
    fileInfoClass: msg.readUInt8(b + 3),
    outputBufferLength: msg.readUInt32LE(b + 4),
    input: region(msg, msg.readUInt16LE(b + 8), msg.readUInt32LE(b + 12), b + 40, 'QUERY_INFO input'),
    additionalInformation: msg.readUInt32LE(b + 16),
    flags: msg.readUInt32LE(b + 20),
    fileId: msg.subarray(b + 24, b + 40),
  };
}

export function encodeQueryInfoResponse(output: Buffer): Buffer {
  const body = Buffer.alloc(8 + Math.max(1, output.length));
  body.writeUInt16LE(9, 0);
  body.writeUInt16LE(SMB2_HEADER_SIZE + 8, 2);
  body.writeUInt32LE(output.length, 4);
  output.copy(body, 8);
  return body;
}

export function decodeQueryInfoResponse(msg: Buffer): Buffer {
  structureSize(msg, 9, 'QUERY_INFO response');
  const b = SMB2_HEADER_SIZE;
  return region(msg, msg.readUInt16LE(b + 2), msg.readUInt32LE(b + 4), b + 8, 'QUERY_INFO output');
}

// MS-FSCC §2.4.37 FilePipeInformation
export interface FilePipeInformation {
  readMode: number;
  completionMode: number;
}
export function encodeFilePipeInformation(i: FilePipeInformation): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32LE(i.readMode, 0);
  out.writeUInt32LE(i.completionMode, 4);
  return out;
}
export function decodeFilePipeInformation(buf: Buffer): FilePipeInformation {
  need(buf, 0, 8, 'FilePipeInformation');
  return { readMode: buf.readUInt32LE(0), completionMode: buf.readUInt32LE(4) };
}

// MS-FSCC §2.4.38 FilePipeLocalInformation
export interface FilePipeLocalInformation {
  namedPipeType: number;
  namedPipeConfiguration: number;
  maximumInstances: number;
  currentInstances: number;
  inboundQuota: number;
  readDataAvailable: number;
  outboundQuota: number;
  writeQuotaAvailable: number;
  namedPipeState: number;
  namedPipeEnd: number;
}
const PIPE_LOCAL_FIELDS = [
  'namedPipeType', 'namedPipeConfiguration', 'maximumInstances', 'currentInstances', 'inboundQuota',
  'readDataAvailable', 'outboundQuota', 'writeQuotaAvailable', 'namedPipeState', 'namedPipeEnd',
] as const;
export function encodeFilePipeLocalInformation(i: FilePipeLocalInformation): Buffer {
  const out = Buffer.alloc(40);
  PIPE_LOCAL_FIELDS.forEach((f, k) => out.writeUInt32LE(i[f] >>> 0, 4 * k));
  return out;
}
export function decodeFilePipeLocalInformation(buf: Buffer): FilePipeLocalInformation {
  need(buf, 0, 40, 'FilePipeLocalInformation');
  const o = {} as FilePipeLocalInformation;
  PIPE_LOCAL_FIELDS.forEach((f, k) => (o[f] = buf.readUInt32LE(4 * k)));
  return o;
}

// MS-FSCC §2.4.47 FileStandardInformation
export interface FileStandardInformation {
  allocationSize: bigint;
  endOfFile: bigint;
  numberOfLinks: number;
  deletePending: boolean;
  directory: boolean;
}
export function encodeFileStandardInformation(i: FileStandardInformation): Buffer {
  const out = Buffer.alloc(24);
  out.writeBigUInt64LE(i.allocationSize, 0);
  out.writeBigUInt64LE(i.endOfFile, 8);
  out.writeUInt32LE(i.numberOfLinks, 16);
  out.writeUInt8(i.deletePending ? 1 : 0, 20);
  out.writeUInt8(i.directory ? 1 : 0, 21);
  return out;
}
export function decodeFileStandardInformation(buf: Buffer): FileStandardInformation {
  need(buf, 0, 24, 'FileStandardInformation');
  return {
    allocationSize: buf.readBigUInt64LE(0),
    endOfFile: buf.readBigUInt64LE(8),
    numberOfLinks: buf.readUInt32LE(16),
    deletePending: buf.readUInt8(20) !== 0,
    directory: buf.readUInt8(21) !== 0,
  };
}
