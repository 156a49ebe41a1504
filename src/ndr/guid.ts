// GUID packet representation (MS-DTYP §2.3.4.2) <-> the curly-brace-less string form (§2.3.4.3).
import { NdrError } from './errors.js';

// Hex digits written into one scratch buffer and decoded once: a flat string, where `+` on 20
// pieces would build a rope of 20 cons-strings per GUID (garbage the DRSR reply decode notices).
const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const scratch = Buffer.from('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'latin1');
// where each of the 16 packet bytes goes in the string (Data1..3 little-endian, Data4 as is)
const SLOT = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];

/** 16 bytes at `p` (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4[8]) as 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. */
export function guidToString(b: Uint8Array, p = 0): string {
  for (let i = 0; i < 16; i++) {
    const v = b[p + i]!;
    const at = SLOT[i]!;
    scratch[at] = DIGITS[v >> 4]!;
    scratch[at + 1] = DIGITS[v & 15]!;
  }
  return scratch.toString('latin1', 0, 36);
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** Write the GUID string `s` as its 16-byte packet form into `b` at `p`. */
export function guidToBytes(s: string, b: Uint8Array = Buffer.alloc(16), p = 0): Uint8Array {
  const m = GUID_RE.exec(s);
  if (!m) throw new NdrError('ERR_NDR_ENCODE', -1, `not a GUID: '${s}'`);
  const d1 = parseInt(m[1]!, 16);
  const d2 = parseInt(m[2]!, 16);
  const d3 = parseInt(m[3]!, 16);
  b[p] = d1 & 0xff;
  b[p + 1] = (d1 >>> 8) & 0xff;
  b[p + 2] = (d1 >>> 16) & 0xff;
  b[p + 3] = d1 >>> 24;
  b[p + 4] = d2 & 0xff;
  b[p + 5] = d2 >>> 8;
  b[p + 6] = d3 & 0xff;
  b[p + 7] = d3 >>> 8;
  const rest = m[4]! + m[5]!;
  for (let i = 0; i < 8; i++) b[p + 8 + i] = parseInt(rest.substr(i * 2, 2), 16);
  return b;
}

export const NULL_GUID = '00000000-0000-0000-0000-000000000000';
