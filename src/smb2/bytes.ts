// Bounds-checked reading helpers for the SMB2 codecs: every length and offset taken from the wire is
// checked against the bytes actually present before anything is sliced or allocated.
import { FormatError } from '../util/errors.js';

export const FORMAT = 'SMB2';

export function fail(offset: number, expected: string, detail?: string): never {
  throw new FormatError(FORMAT, offset, expected, detail);
}

/** Throws unless buf[offset, offset+length) lies inside buf. */
export function need(buf: Buffer, offset: number, length: number, what: string): void {
  if (offset < 0 || length < 0 || offset + length > buf.length) {
    fail(offset, what, `${length} bytes at offset ${offset}, message has ${buf.length}`);
  }
}

/**
 * The variable part named by an (offset, length) pair whose offset counts from the start of the SMB2
 * header (msg[0]). A zero length gives an empty buffer whatever the offset (clients often send 0).
 * `minOffset` is where the fixed part of the body ends: data may not overlap it.
 */
export function region(msg: Buffer, offset: number, length: number, minOffset: number, what: string): Buffer {
  if (length === 0) return msg.subarray(0, 0);
  if (offset < minOffset) fail(offset, `${what} offset ≥ ${minOffset}`, `got ${offset}`);
  need(msg, offset, length, what);
  return msg.subarray(offset, offset + length);
}

/** Checks the StructureSize of a body starting at msg[64]. */
export function structureSize(msg: Buffer, expected: number, what: string): void {
  // the variable part may be absent when its length is 0, so only the fixed part (size & ~1) is required
  need(msg, 64, expected & ~1, `${what} body of ${expected & ~1} bytes`);
  const got = msg.readUInt16LE(64);
  if (got !== expected) fail(64, `${what} StructureSize ${expected}`, `got ${got}`);
}

export function utf16(buf: Buffer, what: string, offset = 0): string {
  if (buf.length % 2 !== 0) fail(offset, `${what}: an even number of bytes (UTF-16LE)`, `got ${buf.length}`);
  return buf.toString('utf16le');
}

export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** FILETIME (MS-DTYP §2.3.3) of a JS time. */
export function fileTime(ms: number): bigint {
  return BigInt(Math.round(ms)) * 10000n + 116444736000000000n;
}
