// SMB1 SMB_COM_NEGOTIATE (MS-CIFS §2.2.4.52.1; not in our spec folder) as far as an SMB2 server must
// read it to answer a multi-protocol negotiate with an SMB2 NEGOTIATE response (MS-SMB2 §3.3.5.3).
import { fail, need } from '../bytes.js';

export const SMB1_PROTOCOL_ID = 0x424d53ff; // 0xFF 'S' 'M' 'B' read little-endian
export const SMB_COM_NEGOTIATE = 0x72;
const SMB1_HEADER_SIZE = 32;
const MAX_DIALECT_STRINGS = 64;

export interface Smb1NegotiateRequest {
  /** Dialect strings in the client's order, e.g. ['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']. */
  dialects: string[];
}

export function isSmb1(frame: Buffer): boolean {
  return frame.length >= 4 && frame.readUInt32LE(0) === SMB1_PROTOCOL_ID;
}

export function decodeSmb1Negotiate(frame: Buffer): Smb1NegotiateRequest {
  need(frame, 0, SMB1_HEADER_SIZE + 3, 'SMB1 header, WordCount and ByteCount');
  if (frame.readUInt32LE(0) !== SMB1_PROTOCOL_ID) fail(0, 'ProtocolId 0xFF "SMB"');
  if (frame[4] !== SMB_COM_NEGOTIATE) fail(4, 'Command SMB_COM_NEGOTIATE (0x72)', `got 0x${frame[4]!.toString(16)}`);
  const wordCount = frame[SMB1_HEADER_SIZE]!;
  if (wordCount !== 0) fail(SMB1_HEADER_SIZE, 'WordCount 0', `got ${wordCount}`);
  const byteCount = frame.readUInt16LE(SMB1_HEADER_SIZE + 1);
  const start = SMB1_HEADER_SIZE + 3;
  need(frame, start, byteCount, 'SMB1 negotiate Bytes');
  const dialects: string[] = [];
  let p = start;
  const end = start + byteCount;
  while (p < end) {
    if (frame[p] !== 0x02) fail(p, 'BufferFormat 0x02 before a dialect string', `got 0x${frame[p]!.toString(16)}`);
    const nul = frame.indexOf(0, p + 1);
    if (nul < 0 || nul >= end) fail(p, 'a NUL-terminated dialect string');
    dialects.push(frame.toString('latin1', p + 1, nul));
    if (dialects.length > MAX_DIALECT_STRINGS) fail(p, `at most ${MAX_DIALECT_STRINGS} dialect strings`);
    p = nul + 1;
  }
  return { dialects };
}

export function encodeSmb1Negotiate(r: Smb1NegotiateRequest): Buffer {
  const bytes = Buffer.concat(r.dialects.map((d) => Buffer.concat([Buffer.from([0x02]), Buffer.from(d, 'latin1'), Buffer.from([0])])));
  const out = Buffer.alloc(SMB1_HEADER_SIZE + 3 + bytes.length);
  out.writeUInt32LE(SMB1_PROTOCOL_ID, 0);
  out[4] = SMB_COM_NEGOTIATE;
  out[9] = 0x18; // Flags: case-insensitive paths, canonicalized
  out.writeUInt16LE(0xc853, 10); // Flags2: unicode, NT status, extended security, long names
  out.writeUInt16LE(bytes.length, SMB1_HEADER_SIZE + 1);
  bytes.copy(out, SMB1_HEADER_SIZE + 3);
  return out;
}
