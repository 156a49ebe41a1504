// .reg text parser: "Windows Registry Editor Version 5.00" and "REGEDIT4" files → a list of
// operations in file order. Applying them (to a tree or a store) is someone else's job.

import { FormatError } from '../../util/errors.js';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ } from '../value.js';
import { decodeAnsi, decodeRegBytes, type RegEncoding } from './decode.js';
import { REG4_HEADER, REG5_HEADER } from './writer.js';

export const FORMAT = '.reg';

export type RegOp =
  /** `[path]`: the key exists (created when missing); later values go to it. */
  | { kind: 'key'; path: string; line: number }
  /** `[-path]`: the key and everything below it are deleted. */
  | { kind: 'deleteKey'; path: string; line: number }
  | { kind: 'value'; path: string; name: string; type: number; data: Buffer; line: number }
  /** `"name"=-` */
  | { kind: 'deleteValue'; path: string; name: string; line: number };

export interface RegFile {
  version: 4 | 5;
  encoding: RegEncoding;
  ops: RegOp[];
}

// MS docs, "How to add, modify, or delete registry subkeys and values by using a .reg file"
const HEX_BYTE = /^[0-9a-fA-F]{1,2}$/;

class Lines {
  private readonly lines: string[];
  private readonly starts: number[];
  index = 0;
  /** `byteOffset(n)`: where character n of the text starts in the input bytes. */
  constructor(
    private readonly text_: string,
    private readonly byteOffset: (chars: number) => number,
  ) {
    const text = text_;
    this.lines = [];
    this.starts = [];
    const re = /\r\n|\n|\r/g;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      this.lines.push(text.slice(last, m.index));
      this.starts.push(last);
      last = m.index + m[0].length;
    }
    this.lines.push(text.slice(last));
    this.starts.push(last);
  }
  get done(): boolean {
    return this.index >= this.lines.length;
  }
  get text(): string {
    return this.lines[this.index]!;
  }
  /** 1-based number of the current line. */
  get number(): number {
    return this.index + 1;
  }
  /** The error at `column` (0-based) of the current line; its offset is the line's first byte. */
  error(column: number, expected: string, detail?: string): FormatError {
    const offset = this.byteOffset(this.starts[this.index] ?? this.text_.length);
    return new FormatError(FORMAT, offset, expected, detail, { line: this.index + 1, column: column + 1 });
  }
}

function found(s: string, at: number): string {
  const rest = s.slice(at);
  if (rest === '') return 'end of line';
  return JSON.stringify(rest.length > 20 ? rest.slice(0, 20) + '…' : rest);
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

/** Only blanks or a `;` comment may follow a value or key on its line. */
function expectEnd(lines: Lines, s: string, i: number): void {
  i = skipSpace(s, i);
  if (i < s.length && s[i] !== ';') throw lines.error(i, 'end of line', found(s, i));
}

/** A quoted string starting at s[i] === '"': its text (with \\ and \" unescaped) and the index after it. */
function quoted(lines: Lines, s: string, i: number): { text: string; end: number } {
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= s.length) throw lines.error(j, 'a closing quote');
    const c = s[j]!;
    if (c === '"') return { text: out, end: j + 1 };
    if (c === '\\' && (s[j + 1] === '\\' || s[j + 1] === '"')) {
      out += s[j + 1];
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
}

/** Comma-separated hex bytes from s[i], following trailing-backslash continuation lines. */
function hexList(lines: Lines, i: number): number[] {
  const bytes: number[] = [];
  let s = lines.text;
  for (;;) {
    i = skipSpace(s, i);
    if (i >= s.length || s[i] === ';') return bytes;
    if (s[i] === '\\') {
      expectEnd(lines, s, i + 1);
      lines.index++;
      if (lines.done) throw lines.error(0, 'a continuation line after the trailing backslash');
      s = lines.text;
      i = 0;
      continue;
    }
    let j = i;
    while (j < s.length && /[0-9a-fA-F]/.test(s[j]!)) j++;
    const tok = s.slice(i, j);
    if (!HEX_BYTE.test(tok)) throw lines.error(i, 'a hex byte (00 to ff)', found(s, i));
    bytes.push(parseInt(tok, 16));
    j = skipSpace(s, j);
    if (j < s.length && s[j] === ',') j++;
    else if (j < s.length && s[j] !== '\\' && s[j] !== ';') throw lines.error(j, "',' between hex bytes", found(s, j));
    i = j;
  }
}

function utf16z(s: string): Buffer {
  return Buffer.from(s + '\0', 'utf16le');
}

/** The data part of `name=...` at s[i]: type and bytes, or undefined for `-` (delete). */
function valueData(lines: Lines, i: number, version: 4 | 5): { type: number; data: Buffer } | undefined {
  const s = lines.text;
  if (s[i] === '-') {
    expectEnd(lines, s, i + 1);
    return undefined;
  }
  if (s[i] === '"') {
    const q = quoted(lines, s, i);
    expectEnd(lines, s, q.end);
    return { type: REG_SZ, data: utf16z(q.text) };
  }
  const lower = s.slice(i, i + 16).toLowerCase();
  if (lower.startsWith('dword:')) {
    const m = /^[0-9a-fA-F]{1,8}/.exec(s.slice(i + 6));
    if (!m) throw lines.error(i + 6, 'dword: followed by 1 to 8 hex digits', found(s, i + 6));
    expectEnd(lines, s, i + 6 + m[0].length);
    const data = Buffer.alloc(4);
    data.writeUInt32LE(parseInt(m[0], 16) >>> 0, 0);
    return { type: REG_DWORD, data };
  }
  let type: number;
  let at: number;
  if (lower.startsWith('hex:')) {
    type = REG_BINARY;
    at = i + 4;
  } else {
    const m = /^hex\(([0-9a-fA-F]{1,8})\):/i.exec(s.slice(i, i + 16));
    if (!m) throw lines.error(i, 'a value: "string", dword:, hex:, hex(N): or -', found(s, i));
    type = parseInt(m[1]!, 16) >>> 0;
    at = i + m[0].length;
  }
  let data = Buffer.from(hexList(lines, at));
  // REGEDIT4 keeps expandable and multi strings as ANSI bytes; the registry holds UTF-16LE
  if (version === 4 && (type === REG_EXPAND_SZ || type === REG_MULTI_SZ)) data = Buffer.from(decodeAnsi(data), 'utf16le');
  return { type, data };
}

/** Parses a .reg file (bytes in any of the encodings regedit and Samba write, or text). */
export function parseReg(input: Buffer | string): RegFile {
  let text: string;
  let encoding: RegEncoding;
  let byteOffset: (chars: number) => number;
  if (typeof input === 'string') {
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    encoding = 'utf16le';
    byteOffset = (n) => n;
  } else {
    const d = decodeRegBytes(input);
    text = d.text;
    encoding = d.encoding;
    if (d.encoding === 'utf16le') byteOffset = (n) => d.bomLength + 2 * n;
    else if (d.encoding === 'latin1') byteOffset = (n) => n;
    else byteOffset = (n) => d.bomLength + Buffer.byteLength(text.slice(0, n), 'utf8');
  }
  const lines = new Lines(text, byteOffset);
  while (!lines.done && lines.text.trim() === '') lines.index++;
  if (lines.done) {
    lines.index = 0;
    throw lines.error(0, `'${REG5_HEADER}' or '${REG4_HEADER}'`, 'an empty file');
  }
  const head = lines.text.trim();
  const version = head === REG5_HEADER ? 5 : head === REG4_HEADER ? 4 : 0;
  if (version === 0) throw lines.error(0, `'${REG5_HEADER}' or '${REG4_HEADER}'`, found(lines.text, 0));
  lines.index++;
  const ops: RegOp[] = [];
  let current: string | undefined; // key that values go to; undefined after [-key]
  for (; !lines.done; lines.index++) {
    const s = lines.text;
    const i = skipSpace(s, 0);
    if (i >= s.length || s[i] === ';') continue;
    const line = lines.number;
    if (s[i] === '[') {
      const close = s.lastIndexOf(']');
      if (close < 0) throw lines.error(s.length, "']' closing the key name");
      expectEnd(lines, s, close + 1);
      const remove = s[i + 1] === '-';
      const path = s.slice(i + (remove ? 2 : 1), close);
      if (path === '' || path.startsWith('\\')) throw lines.error(i + 1, 'a key path', found(s, i + 1));
      if (remove) {
        ops.push({ kind: 'deleteKey', path, line });
        current = undefined;
      } else {
        ops.push({ kind: 'key', path, line });
        current = path;
      }
      continue;
    }
    if (s[i] !== '"' && s[i] !== '@') throw lines.error(i, 'a [key], a "value"=, @= or a ; comment', found(s, i));
    let name: string;
    let j: number;
    if (s[i] === '@') {
      name = '';
      j = i + 1;
    } else {
      const q = quoted(lines, s, i);
      name = q.text;
      j = q.end;
    }
    j = skipSpace(s, j);
    if (s[j] !== '=') throw lines.error(j, "'=' after the value name", found(s, j));
    j = skipSpace(s, j + 1);
    if (current === undefined) throw lines.error(i, 'a [key] line before its values');
    const d = valueData(lines, j, version);
    if (d) ops.push({ kind: 'value', path: current, name, type: d.type, data: d.data, line });
    else ops.push({ kind: 'deleteValue', path: current, name, line });
  }
  return { version, encoding, ops };
}
