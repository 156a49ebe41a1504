// registry.pol reader (MS-GPREG §2.2.1). The file is a UTF-16LE text of instructions with binary
// islands (Type, Size, Data): names are read up to their NUL, Data is skipped by Size and never scanned
// for delimiters. Entries reference the input buffer (no copy of the data).

import { FormatError } from '../../util/errors.js';
import { PolEntry } from './entry.js';

export const POL_FORMAT = 'registry.pol';
export const POL_SIGNATURE = Buffer.from('PReg', 'latin1');
export const POL_VERSION = 1;
export const POL_HEADER_SIZE = 8;

const LBRACKET = 0x5b;
const SEMICOLON = 0x3b;
const RBRACKET = 0x5d;

export interface PolParseOptions {
  /** Skip a bad instruction (resuming at the next "][") and report it, instead of throwing. */
  lenient?: boolean;
}

export interface PolParseResult {
  version: number;
  entries: PolEntry[];
  /** Lenient mode only: every problem found, in file order. Empty when the file is valid. */
  problems: FormatError[];
}

/** Checks the 8-byte header; throws FormatError. */
export function checkHeader(buf: Buffer): void {
  if (buf.length < POL_HEADER_SIZE) {
    throw new FormatError(POL_FORMAT, 0, "an 8-byte header: 'PReg' and version 1", `the file has only ${buf.length} bytes`);
  }
  if (buf.compare(POL_SIGNATURE, 0, 4, 0, 4) !== 0) {
    throw new FormatError(POL_FORMAT, 0, "signature 'PReg' (50 52 65 67)", `found ${buf.subarray(0, 4).toString('hex')}`);
  }
  const version = buf.readUInt32LE(4);
  if (version !== POL_VERSION) {
    throw new FormatError(POL_FORMAT, 4, 'version 1 (01 00 00 00)', `found ${version}`);
  }
}

/**
 * Recently seen keys. Instructions come in runs that share a key, often interleaved with a few other
 * keys, so a match against a handful of recent keys saves scanning and decoding the key again.
 */
export class KeyCache {
  private readonly bytes: Buffer[] = [];
  private readonly strings: string[] = [];
  private next = 0;
  /** The key string of the last successful lookup. */
  found = '';

  /** End offset of a cached key that sits at `start` (followed by its NUL), or -1; sets `found`. */
  lookup(buf: Buffer, start: number, end: number): number {
    for (let i = 0; i < this.bytes.length; i++) {
      const b = this.bytes[i]!;
      const e = start + b.length;
      if (e + 1 < end && buf[e] === 0 && buf[e + 1] === 0 && b.compare(buf, start, e) === 0) {
        this.found = this.strings[i]!;
        return e;
      }
    }
    return -1;
  }

  add(buf: Buffer, start: number, end: number): string {
    const str = buf.toString('utf16le', start, end);
    this.bytes[this.next] = Buffer.from(buf.subarray(start, end));
    this.strings[this.next] = str;
    this.next = (this.next + 1) % 8;
    return str;
  }
}

/** Where the scanner left the fields of the last instruction it read. */
export interface InstructionFields {
  key: string;
  keys: KeyCache;
  keyStart: number;
  keyEnd: number;
  nameStart: number;
  nameEnd: number;
  type: number;
  dataStart: number;
  dataEnd: number;
  /** When scanInstruction returns -1: the buffer length it needs to go on, or 0 if not yet known. */
  need: number;
}

export function newFields(): InstructionFields {
  return { key: '', keys: new KeyCache(), keyStart: 0, keyEnd: 0, nameStart: 0, nameEnd: 0, type: 0, dataStart: 0, dataEnd: 0, need: 0 };
}

// Offset of the UTF-16 NUL that ends a string starting at `from`, or -1 if `end` comes first.
function findNul(buf: Buffer, from: number, end: number): number {
  for (let i = from; i + 1 < end; i += 2) {
    if (buf[i] === 0 && buf[i + 1] === 0) return i;
  }
  return -1;
}

function expectChar(buf: Buffer, at: number, code: number, what: string): void {
  if (buf[at] !== code || buf[at + 1] !== 0) {
    throw new FormatError(POL_FORMAT, at, what, `found ${buf.subarray(at, at + 2).toString('hex')}`);
  }
}

function truncated(at: number, what: string, end: number): FormatError {
  return new FormatError(POL_FORMAT, at, what, `the file ends at offset ${end}`);
}

/**
 * Reads the instruction that starts at `start`, filling `f`. Returns the offset after its ']', or -1
 * when the bytes end before the instruction does (and `final` is false; with `final` that is an error).
 */
export function scanInstruction(buf: Buffer, start: number, end: number, f: InstructionFields, final: boolean): number {
  f.need = 0;
  if (start + 2 > end) {
    if (final) throw truncated(start, "'[' (5B 00) starting an instruction", end);
    return -1;
  }
  expectChar(buf, start, LBRACKET, "'[' (5B 00) starting an instruction");
  const keyStart = start + 2;
  let key: string;
  let keyEnd = f.keys.lookup(buf, keyStart, end);
  if (keyEnd >= 0) key = f.keys.found;
  else {
    keyEnd = findNul(buf, keyStart, end);
    if (keyEnd < 0) return incompleteString(keyStart, end, final, 'key path');
    if (keyEnd === keyStart) throw new FormatError(POL_FORMAT, keyStart, 'a non-empty key path', 'the key is empty');
    key = f.keys.add(buf, keyStart, keyEnd);
  }
  let p = keyEnd + 2;
  if (p + 2 > end) return incomplete(p, end, final, "';' (3B 00) after the key path");
  expectChar(buf, p, SEMICOLON, "';' (3B 00) after the key path");
  const nameStart = p + 2;
  const nameEnd = findNul(buf, nameStart, end);
  if (nameEnd < 0) return incompleteString(nameStart, end, final, 'value name');
  p = nameEnd + 2;
  if (p + 14 > end) {
    // ';' type(4) ';' size(4) ';' do not all fit: name the first piece that is missing
    if (!final) return -1;
    if (p + 2 > end) throw truncated(p, "';' (3B 00) after the value name", end);
    expectChar(buf, p, SEMICOLON, "';' (3B 00) after the value name");
    if (p + 6 > end) throw truncated(p + 2, 'a 32-bit type', end);
    if (p + 8 > end) throw truncated(p + 6, "';' (3B 00) after the type", end);
    expectChar(buf, p + 6, SEMICOLON, "';' (3B 00) after the type");
    if (p + 12 > end) throw truncated(p + 8, 'a 32-bit size', end);
    throw truncated(p + 12, "';' (3B 00) after the size", end);
  }
  expectChar(buf, p, SEMICOLON, "';' (3B 00) after the value name");
  const type = buf.readUInt32LE(p + 2);
  expectChar(buf, p + 6, SEMICOLON, "';' (3B 00) after the type");
  const size = buf.readUInt32LE(p + 8);
  expectChar(buf, p + 12, SEMICOLON, "';' (3B 00) after the size");
  const dataStart = p + 14;
  const dataEnd = dataStart + size;
  if (dataEnd + 2 > end) {
    if (!final) {
      f.need = dataEnd + 2;
      return -1;
    }
    throw new FormatError(POL_FORMAT, p + 8, `${size} bytes of data and ']' (5D 00)`, `the size runs past the end of the file: ${end - dataStart} bytes remain`);
  }
  expectChar(buf, dataEnd, RBRACKET, "']' (5D 00) after the data");
  f.key = key;
  f.keyStart = keyStart;
  f.keyEnd = keyEnd;
  f.nameStart = nameStart;
  f.nameEnd = nameEnd;
  f.type = type;
  f.dataStart = dataStart;
  f.dataEnd = dataEnd;
  return dataEnd + 2;
}

function incomplete(at: number, end: number, final: boolean, what: string): number {
  if (final) throw truncated(at, what, end);
  return -1;
}

function incompleteString(at: number, end: number, final: boolean, what: string): number {
  if (!final) return -1;
  if ((end - at) % 2 === 1) {
    throw new FormatError(POL_FORMAT, at, `a UTF-16LE ${what} ending in 00 00`, `an odd number of bytes (${end - at}) remain`);
  }
  throw truncated(at, `a UTF-16LE ${what} ending in 00 00`, end);
}

/** The entry for the instruction `f` describes; names are decoded here, data stays a view of `buf`. */
export function entryAt(buf: Buffer, f: InstructionFields, offset: number): PolEntry {
  return new PolEntry(f.key, f.nameEnd === f.nameStart ? '' : buf.toString('utf16le', f.nameStart, f.nameEnd), f.type, buf.subarray(f.dataStart, f.dataEnd), offset);
}

const RESYNC = Buffer.from([RBRACKET, 0, LBRACKET, 0]);

/**
 * Iterates the entries of a whole file held in memory. Strict by default: the first problem throws a
 * FormatError. With `lenient`, problems are pushed to `problems` and reading resumes at the next
 * instruction boundary.
 */
export function* iteratePol(buf: Buffer, options: PolParseOptions = {}, problems: FormatError[] = []): Generator<PolEntry, void, undefined> {
  const lenient = options.lenient === true;
  let pos = POL_HEADER_SIZE;
  try {
    checkHeader(buf);
  } catch (err) {
    if (!lenient || !(err instanceof FormatError)) throw err;
    problems.push(err);
    if (buf.length < POL_HEADER_SIZE) return;
  }
  const end = buf.length;
  const f = newFields();
  while (pos < end) {
    let next: number;
    try {
      next = scanInstruction(buf, pos, end, f, true);
    } catch (err) {
      if (!lenient || !(err instanceof FormatError)) throw err;
      problems.push(err);
      const at = buf.indexOf(RESYNC, pos);
      if (at < 0) return;
      pos = at + 2;
      continue;
    }
    yield entryAt(buf, f, pos);
    pos = next;
  }
}

/** Parses a whole file held in memory. */
export function parsePol(buf: Buffer, options: PolParseOptions = {}): PolParseResult {
  const problems: FormatError[] = [];
  const entries = Array.from(iteratePol(buf, options, problems));
  return { version: buf.length >= 8 ? buf.readUInt32LE(4) : POL_VERSION, entries, problems };
}
