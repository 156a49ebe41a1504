// The packed form of a key's values: how a snapshot stores them and how the loaded tree keeps them in
// memory (one off-heap slab, read in place: memory.ts). Per value: name (vstr), type (vu32), then the
// data as vu32 `length * 2 + narrow` and the bytes. Text values (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ)
// whose UTF-16 units are all below 0x100 — nearly every registry string — are stored `narrow`, one
// byte per unit, which halves the largest part of a registry; reads widen them again.

import { BinReader, BinWriter } from './codec.js';
import { FormatError } from '../util/errors.js';
import type { ValueRecord } from './backend.js';

const REG_SZ = 1;
const REG_EXPAND_SZ = 2;
const REG_MULTI_SZ = 7;

function isText(type: number): boolean {
  return type === REG_SZ || type === REG_EXPAND_SZ || type === REG_MULTI_SZ;
}

/** A value as the memory tree keeps it once written: the data as a one-byte (latin1) string, which
 * costs a fraction of a Buffer object per value; `data` gives a fresh Buffer with the exact bytes. */
export class StoredValue implements ValueRecord {
  constructor(
    readonly name: string,
    readonly type: number,
    readonly raw: string,
  ) {}
  get data(): Buffer {
    return Buffer.from(this.raw, 'latin1');
  }
  static of(v: ValueRecord): StoredValue {
    return v instanceof StoredValue ? v : new StoredValue(v.name, v.type, v.data.toString('latin1'));
  }
}

/** True when every high byte of the little-endian UTF-16 in `raw` (latin1 bytes) is zero. */
function narrowable(raw: string): boolean {
  if (raw.length & 1) return false;
  for (let i = 1; i < raw.length; i += 2) if (raw.charCodeAt(i) !== 0) return false;
  return true;
}

function packData(w: BinWriter, type: number, raw: string): void {
  if (isText(type) && raw.length > 0 && narrowable(raw)) {
    w.vu32(raw.length * 2 + 1);
    w.room(raw.length / 2);
    const buf = w.buf;
    let at = w.pos;
    for (let i = 0; i < raw.length; i += 2) buf[at++] = raw.charCodeAt(i);
    w.pos = at;
  } else {
    w.vu32(raw.length * 2);
    w.latin1(raw);
  }
}

/** Encodes values in the packed form. */
export function packValues(w: BinWriter, vals: readonly ValueRecord[]): void {
  for (const v of vals) {
    w.vstr(v.name);
    w.vu32(v.type);
    packData(w, v.type, v instanceof StoredValue ? v.raw : v.data.toString('latin1'));
  }
}

/** Widens narrow text (one byte a UTF-16 unit) to UTF-16LE. */
function widen(low: Buffer): Buffer {
  // From Node's shared pool: one allocation per 8 KiB of results, not one per value (many small
  // allocations freed later leave the process's memory fragmented).
  const out = Buffer.allocUnsafe(low.length * 2);
  for (let i = 0, j = 0; i < low.length; i++, j += 2) {
    out[j] = low[i]!;
    out[j + 1] = 0;
  }
  return out;
}

/** Reads one packed value's data tag and bytes (still narrow when the tag says so). */
function readTagged(r: BinReader): { narrow: boolean; bytes: Buffer } {
  const tag = r.vu32();
  const n = Math.floor(tag / 2);
  if ((tag & 1) === 0) return { narrow: false, bytes: r.take(n, 'bytes of data') };
  if (n & 1) throw new FormatError(r.format, r.pos, 'an even length for narrow text', `${n} bytes`);
  return { narrow: true, bytes: r.take(n / 2, 'bytes of narrow text') };
}

function readData(r: BinReader): Buffer {
  const d = readTagged(r);
  return d.narrow ? widen(d.bytes) : d.bytes;
}

/** A value read from packed form: data as stored is a view of the packed bytes (no copy); narrow
 * text is widened when `data` is asked for, so that listing a key's values allocates no data. */
export class PackedValue implements ValueRecord {
  constructor(
    readonly name: string,
    readonly type: number,
    private readonly bytes: Buffer,
    private readonly narrow: boolean,
  ) {}
  get data(): Buffer {
    return this.narrow ? widen(this.bytes) : this.bytes;
  }
}

/** The next packed value (see PackedValue). */
export function readPackedValue(r: BinReader): ValueRecord {
  const name = r.vstr();
  const type = r.vu32();
  const d = readTagged(r);
  return new PackedValue(name, type, d.bytes, d.narrow);
}

/** The next packed value as a mutable record holding its own copy of the data. */
export function readStoredValue(r: BinReader): StoredValue {
  const name = r.vstr();
  const type = r.vu32();
  return new StoredValue(name, type, readData(r).toString('latin1'));
}

/** Skips to the next value and returns the name of the one passed over. */
export function skipPackedValue(r: BinReader): string {
  const name = r.vstr();
  r.vu32();
  const tag = r.vu32();
  r.take(tag & 1 ? Math.floor(tag / 4) : Math.floor(tag / 2), 'bytes of data');
  return name;
}

/** Values written by an older snapshot version, re-encoded in the current form. Version 2 framed
 * each value with u32s (name length, type, data length); version 3 with vu32s, nothing narrow. */
export function repackValues(blob: Buffer, nvals: number, version: 2 | 3, format: string): Buffer {
  const r = new BinReader(blob, format);
  const w = new BinWriter(blob.length + 16);
  for (let i = 0; i < nvals; i++) {
    w.vstr(version === 2 ? r.str() : r.vstr());
    const type = version === 2 ? r.u32() : r.vu32();
    w.vu32(type);
    packData(w, type, (version === 2 ? r.bytes() : r.vbytes()).toString('latin1'));
  }
  if (r.left !== 0) throw new FormatError(format, r.pos, 'values that fill their block');
  return w.result();
}
