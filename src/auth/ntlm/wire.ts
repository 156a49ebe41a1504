// Shared pieces of the three NTLM messages: header check, payload field descriptors (len, maxLen,
// offset — MS-NLMP §2.2.1), VERSION (§2.2.2.10), and a writer that lays payloads out after the header.
import { AuthMalformedError } from '../errors.js';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const NtLmNegotiate = 1;
export const NtLmChallenge = 2;
export const NtLmAuthenticate = 3;

// MS-NLMP §2.2.2.10
export interface Version {
  ProductMajorVersion: number;
  ProductMinorVersion: number;
  ProductBuild: number;
  NTLMRevisionCurrent: number;
}

/** What we announce: Windows Server 2022 shape (10.0.20348), NTLMSSP_REVISION_W2K3 = 0x0F. */
export const OUR_VERSION: Version = { ProductMajorVersion: 10, ProductMinorVersion: 0, ProductBuild: 20348, NTLMRevisionCurrent: 0x0f };

export function decodeVersion(b: Buffer, off: number): Version {
  return { ProductMajorVersion: b[off]!, ProductMinorVersion: b[off + 1]!, ProductBuild: b.readUInt16LE(off + 2), NTLMRevisionCurrent: b[off + 7]! };
}

export function encodeVersion(v: Version, b: Buffer, off: number): void {
  b[off] = v.ProductMajorVersion;
  b[off + 1] = v.ProductMinorVersion;
  b.writeUInt16LE(v.ProductBuild, off + 2);
  b.fill(0, off + 4, off + 7);
  b[off + 7] = v.NTLMRevisionCurrent;
}

/** Checks "NTLMSSP\0", the message type and the minimum fixed size. */
export function checkHeader(token: string, b: Buffer, type: number, minSize: number): void {
  if (b.length < 12) throw new AuthMalformedError(token, b.length, `message of ${b.length} bytes is shorter than the 12-byte header`);
  if (!b.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) throw new AuthMalformedError(token, 0, 'Signature is not "NTLMSSP\\0"');
  const t = b.readUInt32LE(8);
  if (t !== type) throw new AuthMalformedError(token, 8, `MessageType ${t}, expected ${type}`);
  if (b.length < minSize) throw new AuthMalformedError(token, b.length, `message of ${b.length} bytes is shorter than its fixed part (${minSize})`);
}

/** Reads a (Len, MaxLen, BufferOffset) field at `at` and returns the bytes it points to (a view). */
export function readPayload(token: string, field: string, b: Buffer, at: number): Buffer {
  const len = b.readUInt16LE(at);
  const offset = b.readUInt32LE(at + 4);
  if (len === 0) return b.subarray(0, 0);
  if (offset > b.length || len > b.length - offset) {
    throw new AuthMalformedError(token, at, `${field} (offset ${offset}, length ${len}) lies outside the ${b.length}-byte message`);
  }
  return b.subarray(offset, offset + len);
}

/** Smallest BufferOffset among non-empty payload fields: the fixed header cannot reach past it. */
export function firstPayloadOffset(b: Buffer, fieldOffsets: number[]): number {
  let min = b.length;
  for (const at of fieldOffsets) {
    if (b.readUInt16LE(at) !== 0) min = Math.min(min, b.readUInt32LE(at + 4));
  }
  return min;
}

/** Writes a fixed header of `headerSize` bytes followed by the payloads, filling each field descriptor. */
export function layout(headerSize: number, fields: { at: number; data: Buffer }[]): Buffer {
  let total = headerSize;
  for (const f of fields) total += f.data.length;
  const b = Buffer.alloc(total);
  let p = headerSize;
  for (const f of fields) {
    if (f.data.length > 0xffff) throw new RangeError('NTLM payload field longer than 65535 bytes');
    b.writeUInt16LE(f.data.length, f.at);
    b.writeUInt16LE(f.data.length, f.at + 2);
    b.writeUInt32LE(p, f.at + 4);
    f.data.copy(b, p);
    p += f.data.length;
  }
  return b;
}

export function writeHeader(b: Buffer, type: number): void {
  NTLMSSP_SIGNATURE.copy(b, 0);
  b.writeUInt32LE(type, 8);
}

/** Text fields are UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is in effect, else the OEM code page (we use latin1). */
export function decodeText(data: Buffer, unicode: boolean): string {
  return unicode ? data.toString('utf16le') : data.toString('latin1');
}

export function encodeText(s: string, unicode: boolean): Buffer {
  return Buffer.from(s, unicode ? 'utf16le' : 'latin1');
}
