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

// hex digit values by char code (-1: not a hex digit)
const HEXVAL = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEXVAL['0123456789abcdef'.charCodeAt(i)] = i;
  HEXVAL['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Write the GUID string `s` (with or without braces) as its 16-byte packet form into `b` at `p`. */
export function guidToBytes(s: string, b: Uint8Array = Buffer.alloc(16), p = 0): Uint8Array {
  const o = s.length === 38 && s.charCodeAt(0) === 0x7b && s.charCodeAt(37) === 0x7d ? 1 : 0;
  if (s.length !== 36 + 2 * o || s.charCodeAt(o + 8) !== 0x2d || s.charCodeAt(o + 13) !== 0x2d || s.charCodeAt(o + 18) !== 0x2d || s.charCodeAt(o + 23) !== 0x2d) {
    throw new NdrError('ERR_NDR_ENCODE', -1, `not a GUID: '${s}'`);
  }
  for (let i = 0; i < 16; i++) {
    const at = o + SLOT[i]!;
    const hi = HEXVAL[s.charCodeAt(at)] ?? -1;
    const lo = HEXVAL[s.charCodeAt(at + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new NdrError('ERR_NDR_ENCODE', -1, `not a GUID: '${s}'`);
    b[p + i] = (hi << 4) | lo;
  }
  return b;
}

export const NULL_GUID = '00000000-0000-0000-0000-000000000000';
