// .reg text writer in regedit's layout ("Windows Registry Editor Version 5.00" and REGEDIT4): quoted
// strings, dword:, and hex:/hex(N): lists wrapped with a trailing backslash once a line reaches 77
// characters, continuation lines indented by two spaces, CRLF line ends.

import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ } from '../value.js';
import { encodeAnsi } from './decode.js';

export const REG5_HEADER = 'Windows Registry Editor Version 5.00';
export const REG4_HEADER = 'REGEDIT4';
export const CRLF = '\r\n';

// regedit breaks a hex list after the comma that brings the line to this many characters
const HEX_WRAP = 77;

export function escapeRegString(s: string): string {
  return s.replace(/[\\"]/g, (c) => '\\' + c);
}

/** `@` for the default value (empty name), else the quoted, escaped name. */
export function formatValueName(name: string): string {
  return name === '' ? '@' : `"${escapeRegString(name)}"`;
}

// A REG_SZ that regedit shows as "text": whole UTF-16 units, one terminating NUL and no other NUL.
function plainString(data: Buffer): string | undefined {
  if (data.length === 0) return '';
  if (data.length % 2 !== 0 || data[data.length - 1] !== 0 || data[data.length - 2] !== 0) return undefined;
  const s = data.toString('utf16le', 0, data.length - 2);
  return s.includes('\0') ? undefined : s;
}

/** `hex:` or `hex(N):` followed by the bytes, wrapped as regedit wraps them; `used` is the width
 * already taken on the first line (the name and '='). */
export function formatHex(type: number, data: Buffer, used: number, newline: string = CRLF): string {
  const prefix = type === REG_BINARY ? 'hex:' : `hex(${type.toString(16)}):`;
  if (data.length === 0) return prefix;
  // built as bytes: hex lists are most of a big export, and per-byte strings are slow
  const out = Buffer.allocUnsafe(data.length * 3 + (Math.ceil(data.length / 25) + 1) * (3 + newline.length));
  let p = 0;
  let width = used + prefix.length;
  const last = data.length - 1;
  for (let i = 0; i <= last; i++) {
    const x = data[i]!;
    out[p++] = HEX_DIGITS[x >> 4]!;
    out[p++] = HEX_DIGITS[x & 15]!;
    if (i === last) break;
    out[p++] = 0x2c; // ','
    width += 3;
    if (width >= HEX_WRAP) {
      out[p++] = 0x5c; // '\'
      for (let j = 0; j < newline.length; j++) out[p++] = newline.charCodeAt(j);
      out[p++] = 0x20;
      out[p++] = 0x20;
      width = 2;
    }
  }
  return prefix + out.toString('latin1', 0, p);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * One value line (possibly continued over several lines), without the final CRLF.
 * REGEDIT4 (`version` 4) stores text as ANSI, so strings other than REG_SZ become hex there too.
 */
export function formatValue(name: string, type: number, data: Buffer, version: 4 | 5 = 5): string {
  const lhs = formatValueName(name) + '=';
  if (type === REG_SZ) {
    const s = plainString(data);
    if (s !== undefined) return `${lhs}"${escapeRegString(s)}"`;
  }
  if (type === REG_DWORD && data.length === 4) {
    return `${lhs}dword:${data.readUInt32LE(0).toString(16).padStart(8, '0')}`;
  }
  let bytes = data;
  if (version === 4 && (type === REG_EXPAND_SZ || type === REG_MULTI_SZ)) {
    // REGEDIT4 writes these strings in the ANSI code page (windows-1252 here)
    bytes = encodeAnsi(data.toString('utf16le', 0, data.length & ~1));
  }
  return lhs + formatHex(type, bytes, lhs.length);
}

/** `"name"=-`: delete the value. */
export function formatValueDeletion(name: string): string {
  return `${formatValueName(name)}=-`;
}

/** `[path]` or `[-path]`. */
export function formatKey(path: string, remove = false): string {
  return `[${remove ? '-' : ''}${path}]`;
}

/** A whole .reg file's bytes: UTF-16LE with BOM for version 5, ANSI (windows-1252) for REGEDIT4. */
export function encodeRegFile(text: string, version: 4 | 5 = 5): Buffer {
  if (version === 4) return encodeAnsi(text);
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
