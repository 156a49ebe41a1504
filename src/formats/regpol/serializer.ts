// registry.pol writer (MS-GPREG §2.2.1). Writes exactly the fields it is given, so that a parsed file
// written back is byte-identical, even where the file bends the ABNF (empty value names, odd sizes,
// data over 65535 bytes). Policy on what a new file may contain is the editor's job (file.ts).

import { UsageError } from '../../util/errors.js';
import type { PolInstruction } from './entry.js';
import { POL_HEADER_SIZE, POL_SIGNATURE, POL_VERSION } from './parser.js';

// '[' key NUL ';' name NUL ';' type ';' size ';' data ']' — 24 bytes besides names and data
const FIXED = 24;

function checkName(s: string, what: string): void {
  if (s.indexOf('\0') >= 0) throw new UsageError(`registry.pol ${what} must not contain NUL: ${JSON.stringify(s)}`);
}

/** The bytes of a registry.pol file holding `entries` in order. */
export function serializePol(entries: Iterable<PolInstruction>): Buffer {
  const list = Array.isArray(entries) ? (entries as PolInstruction[]) : Array.from(entries);
  let total = POL_HEADER_SIZE;
  let lastKey: string | undefined;
  for (const e of list) {
    if (e.key !== lastKey) {
      checkName(e.key, 'key');
      if (e.key.length === 0) throw new UsageError('registry.pol key must not be empty');
      lastKey = e.key;
    }
    checkName(e.valueName, 'value name');
    if (!Number.isInteger(e.type) || e.type < 0 || e.type > 0xffffffff) throw new UsageError(`bad registry type ${e.type}`);
    total += FIXED + 2 * e.key.length + 2 * e.valueName.length + e.data.length;
  }
  const buf = Buffer.allocUnsafe(total);
  POL_SIGNATURE.copy(buf, 0);
  buf.writeUInt32LE(POL_VERSION, 4);
  let p = POL_HEADER_SIZE;
  let prevKey: string | undefined;
  let prevKeyAt = 0;
  for (const e of list) {
    buf[p] = 0x5b;
    buf[p + 1] = 0;
    p += 2;
    const keyBytes = 2 * e.key.length;
    if (e.key === prevKey) buf.copy(buf, p, prevKeyAt, prevKeyAt + keyBytes);
    else {
      buf.write(e.key, p, 'utf16le');
      prevKey = e.key;
      prevKeyAt = p;
    }
    p += keyBytes;
    buf.writeUInt32LE(0x003b0000, p); // NUL ';'
    p += 4;
    if (e.valueName.length > 0) p += buf.write(e.valueName, p, 'utf16le');
    buf.writeUInt32LE(0x003b0000, p);
    p += 4;
    buf.writeUInt32LE(e.type >>> 0, p);
    buf.writeUInt16LE(0x3b, p + 4);
    buf.writeUInt32LE(e.data.length, p + 6);
    buf.writeUInt16LE(0x3b, p + 10);
    p += 12;
    p += e.data.copy(buf, p);
    buf[p] = 0x5d;
    buf[p + 1] = 0;
    p += 2;
  }
  return buf;
}
