// GUID packet representation (MS-DTYP §2.3.4.2) <-> the curly-brace-less string form (§2.3.4.3).
import { NdrError } from './errors.js';

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** 16 bytes at `p` (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4[8]) as 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. */
export function guidToString(b: Uint8Array, p = 0): string {
  return (
    HEX[b[p + 3]!]! + HEX[b[p + 2]!]! + HEX[b[p + 1]!]! + HEX[b[p]!]! + '-' +
    HEX[b[p + 5]!]! + HEX[b[p + 4]!]! + '-' +
    HEX[b[p + 7]!]! + HEX[b[p + 6]!]! + '-' +
    HEX[b[p + 8]!]! + HEX[b[p + 9]!]! + '-' +
    HEX[b[p + 10]!]! + HEX[b[p + 11]!]! + HEX[b[p + 12]!]! + HEX[b[p + 13]!]! + HEX[b[p + 14]!]! + HEX[b[p + 15]!]!
  );
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
