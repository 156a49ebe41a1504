// Primitive types (C706 §14.2): natural alignment, little-endian; [range] on integers; GUID.
import { guidToBytes, guidToString } from './guid.js';
import { NdrType } from './base.js';
import type { NdrReader, NdrWriter } from './stream.js';


export class Primitive<T, K extends string = string> extends NdrType<T> {
  constructor(
    readonly name: K,
    readonly size: number,
    private readonly rd: (b: Buffer, p: number) => T,
    private readonly wr: (b: Buffer, v: T, p: number) => void,
    private readonly check?: (v: T) => boolean,
  ) {
    super();
  }
  get align(): number {
    return this.size;
  }
  get minSize(): number {
    return this.size;
  }
  read(r: NdrReader): T {
    const s = this.size;
    r.pos += -r.pos & (s - 1);
    if (r.pos + s > r.end) r.need(s);
    const v = this.rd(r.buf, r.pos);
    r.pos += s;
    return v;
  }
  write(w: NdrWriter, v: T): void {
    if (this.check && !this.check(v)) w.fail(`${String(v)} is not a valid ${this.name}`);
    w.align(this.size);
    w.ensure(this.size);
    this.wr(w.buf, v, w.pos);
    w.pos += this.size;
  }
}

// Node's readBigInt64LE builds the result from two halves with several intermediate BigInts; copying
// the 8 bytes into a scratch BigInt64Array allocates just the one (hyper is everywhere in DRSR).
const scratch8 = new Uint8Array(8);
const asI64 = new BigInt64Array(scratch8.buffer);
const asU64 = new BigUint64Array(scratch8.buffer);
function load8(b: Uint8Array, p: number): void {
  scratch8[0] = b[p]!;
  scratch8[1] = b[p + 1]!;
  scratch8[2] = b[p + 2]!;
  scratch8[3] = b[p + 3]!;
  scratch8[4] = b[p + 4]!;
  scratch8[5] = b[p + 5]!;
  scratch8[6] = b[p + 6]!;
  scratch8[7] = b[p + 7]!;
}
export function readI64(b: Uint8Array, p: number): bigint {
  load8(b, p);
  return asI64[0]!;
}
export function readU64(b: Uint8Array, p: number): bigint {
  load8(b, p);
  return asU64[0]!;
}

const int = (lo: number, hi: number) => (v: number) => Number.isInteger(v) && v >= lo && v <= hi;
const big = (lo: bigint, hi: bigint) => (v: bigint) => typeof v === 'bigint' && v >= lo && v <= hi;

export const u8 = new Primitive<number, 'u8'>('u8', 1, (b, p) => b[p]!, (b, v, p) => void (b[p] = v), int(0, 0xff));
export const i8 = new Primitive<number, 'i8'>('i8', 1, (b, p) => b.readInt8(p), (b, v, p) => void b.writeInt8(v, p), int(-0x80, 0x7f));
export const u16 = new Primitive<number, 'u16'>('u16', 2, (b, p) => b.readUInt16LE(p), (b, v, p) => void b.writeUInt16LE(v, p), int(0, 0xffff));
export const i16 = new Primitive<number, 'i16'>('i16', 2, (b, p) => b.readInt16LE(p), (b, v, p) => void b.writeInt16LE(v, p), int(-0x8000, 0x7fff));
export const u32 = new Primitive<number, 'u32'>('u32', 4, (b, p) => b.readUInt32LE(p), (b, v, p) => void b.writeUInt32LE(v, p), int(0, 0xffffffff));
export const i32 = new Primitive<number, 'i32'>('i32', 4, (b, p) => b.readInt32LE(p), (b, v, p) => void b.writeInt32LE(v, p), int(-0x80000000, 0x7fffffff));
export const u64 = new Primitive<bigint, 'u64'>('u64', 8, readU64, (b, v, p) => void b.writeBigUInt64LE(v, p), big(0n, 0xffffffffffffffffn));
export const i64 = new Primitive<bigint, 'i64'>('i64', 8, readI64, (b, v, p) => void b.writeBigInt64LE(v, p), big(-(1n << 63n), (1n << 63n) - 1n));
export const f32 = new Primitive<number, 'f32'>('f32', 4, (b, p) => b.readFloatLE(p), (b, v, p) => void b.writeFloatLE(v, p));
export const f64 = new Primitive<number, 'f64'>('f64', 8, (b, p) => b.readDoubleLE(p), (b, v, p) => void b.writeDoubleLE(v, p));
/** NDR boolean: one octet, 0 = false, anything else true (C706 §14.2.2). */
export const boolean = new Primitive<boolean, 'boolean'>('boolean', 1, (b, p) => b[p] !== 0, (b, v, p) => void (b[p] = v ? 1 : 0), (v) => typeof v === 'boolean');
/** wchar_t: an unsigned short (MS-RPCE §2.2.4.1.1); arrays of it decode to strings. */
export const wchar = new Primitive<number, 'wchar'>('wchar', 2, (b, p) => b.readUInt16LE(p), (b, v, p) => void b.writeUInt16LE(v, p), int(0, 0xffff));
/** char: one octet; [string] arrays of it decode to (latin1) strings, other arrays to Buffers. */
export const char = new Primitive<number, 'char'>('char', 1, (b, p) => b[p]!, (b, v, p) => void (b[p] = v), int(0, 0xff));
/** byte: one octet; arrays of it decode to Buffers. */
export const byte = new Primitive<number, 'byte'>('byte', 1, (b, p) => b[p]!, (b, v, p) => void (b[p] = v), int(0, 0xff));

/** enum: 16 bits on the wire (C706 §14.2.13) — values 0..32767 (MS-RPCE §2.2.4.11). */
export function enum16<E extends number = number>(): Primitive<E, 'enum16'> {
  return new Primitive<E, 'enum16'>('enum16', 2, (b, p) => b.readUInt16LE(p) as E, (b, v, p) => void b.writeUInt16LE(v, p), int(0, 0x7fff) as (v: E) => boolean);
}
/** [v1_enum]: 32 bits on the wire (MS-RPCE §2.2.4.6). */
export function v1_enum<E extends number = number>(): Primitive<E, 'v1_enum'> {
  return new Primitive<E, 'v1_enum'>('v1_enum', 4, (b, p) => b.readInt32LE(p) as E, (b, v, p) => void b.writeInt32LE(v, p), int(-0x80000000, 0x7fffffff) as (v: E) => boolean);
}

// ---------------------------------------------------------------------------------------------
// [range(lo, hi)] on an integer (MS-RPCE §2.2.4.14.1, §3.1.1.5.3.2.2.4).

export class RangeType<T extends number | bigint> extends NdrType<T> {
  constructor(
    readonly inner: NdrType<T>,
    readonly lo: number,
    readonly hi: number,
  ) {
    super();
  }
  get align(): number {
    return this.inner.align;
  }
  get minSize(): number {
    return this.inner.minSize;
  }
  read(r: NdrReader, scope: any, conf: number): T {
    const at = r.pos;
    const v = this.inner.read(r, scope, conf);
    if (v < this.lo || v > this.hi) r.fail('ERR_NDR_RANGE', `${v} not in [${this.lo}, ${this.hi}]`, at);
    return v;
  }
  write(w: NdrWriter, v: T, scope: any, hoisted: boolean): void {
    if (v < this.lo || v > this.hi) w.fail(`${v} not in [${this.lo}, ${this.hi}]`);
    this.inner.write(w, v, scope, hoisted);
  }
}

export function range<T extends number | bigint>(inner: NdrType<T>, lo: number, hi: number): NdrType<T> {
  return new RangeType(inner, lo, hi);
}

// ---------------------------------------------------------------------------------------------
// GUID (MS-DTYP §2.3.4.2) and context handles (C706 App. N, MS-RPCE §2.2.1.1.4).

class GuidType extends NdrType<string> {
  get align(): number {
    return 4;
  }
  get minSize(): number {
    return 16;
  }
  read(r: NdrReader): string {
    r.pos += -r.pos & 3;
    if (r.pos + 16 > r.end) r.need(16);
    const s = guidToString(r.buf, r.pos);
    r.pos += 16;
    return s;
  }
  write(w: NdrWriter, v: string): void {
    if (typeof v !== 'string') w.fail('expected a GUID string');
    w.align(4);
    w.ensure(16);
    guidToBytes(v, w.buf, w.pos);
    w.pos += 16;
  }
}

/** GUID / UUID as 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. */
export const GUID: NdrType<string> = new GuidType();
