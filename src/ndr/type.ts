// The NDR 2.0 type descriptions (C706 ch. 14 with the MS-RPCE §2.2.4 extensions). Each description
// object is built once and carries its own read/write code; building a struct precomputes its
// alignment, minimum size and whether a conformant array sits at its end (hoisted max_count).
//
// Decoded values: integers are numbers (hyper: bigint), arrays of bytes are Buffer slices of the
// stub, arrays of wchar_t are strings, GUIDs are strings, pointers are their pointee or null,
// unions are { tag, <arm name>: value }.
import { NdrError } from './errors.js';
import { compileExpr, type CompiledExpr } from './expr.js';
import { guidToBytes, guidToString } from './guid.js';
import type { NdrReader, NdrWriter } from './stream.js';

export abstract class NdrType<T> {
  /** Phantom: the TypeScript type of a decoded value. */
  declare readonly _value: T;
  /** Alignment of the inline representation (1, 2, 4 or 8). */
  abstract get align(): number;
  /** The fewest bytes the inline representation can take (bounds array counts before allocating). */
  abstract get minSize(): number;
  /** Ends with a conformant array, whose max_count is hoisted to the front of the outermost struct. */
  get conformant(): boolean {
    return false;
  }
  /** Read the inline part; `conf` is a hoisted max_count already read by the enclosing struct, or -1. */
  abstract read(r: NdrReader, scope: any, conf: number): T;
  /** Write the inline part; `hoisted` when the enclosing struct already wrote the max_count. */
  abstract write(w: NdrWriter, v: T, scope: any, hoisted: boolean): void;
  /** Read into holder[key]; pointers override this to fill the slot once the pointee is read. */
  readInto(r: NdrReader, holder: any, key: string | number, scope: any): void {
    holder[key] = this.read(r, scope, -1);
  }
  /** The max_count that writing `v` hoists (conformant types only). */
  confCount(_v: T, _scope: any, _w: NdrWriter): number {
    throw new NdrError('ERR_NDR_ENCODE', -1, 'not a conformant type');
  }
}

/** The decoded TypeScript type of a description. */
export type Infer<X> = X extends NdrType<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Primitives (C706 §14.2): natural alignment, little-endian.

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
// Structures (C706 §14.3.6): aligned to their most-aligned member; a trailing conformant array's
// max_count comes first (§14.3.7.1).

type Fields = Record<string, NdrType<any>>;
export type StructValue<F extends Fields> = { -readonly [K in keyof F]: Infer<F[K]> };

export class StructType<T> extends NdrType<T> {
  readonly names: string[];
  readonly types: NdrType<unknown>[];
  private _align = 0;
  private _min = -1;
  private readonly _conf: boolean;
  constructor(fields: Fields) {
    super();
    this.names = Object.keys(fields);
    this.types = Object.values(fields);
    if (this.names.length === 0) throw new NdrError('ERR_NDR_ENCODE', -1, 'a struct needs at least one member');
    this._conf = this.types[this.types.length - 1]!.conformant;
  }
  get align(): number {
    if (this._align === 0) {
      // the hoisted max_count aligns itself (to 4) before the struct; it is not the struct's alignment
      let a = 1;
      for (const t of this.types) a = Math.max(a, t.align);
      this._align = a;
    }
    return this._align;
  }
  get minSize(): number {
    if (this._min < 0) {
      let n = this._conf ? 4 : 0;
      for (const t of this.types) n += t.minSize;
      this._min = n;
    }
    return this._min;
  }
  override get conformant(): boolean {
    return this._conf;
  }
  read(r: NdrReader, scope: any, conf: number): T {
    // compiled on first use (all member types are defined by then, even lazy ones)
    this.read = STRUCT_CODEGEN ? compileStructRead<T>(this) : this.readLoop;
    return this.read(r, scope, conf);
  }
  /** The interpreted reader (HIVEWIRE_NDR_CODEGEN=0), kept to measure against the generated one. */
  private readLoop(r: NdrReader, _scope: any, conf: number): T {
    if (this._conf && conf < 0) conf = r.u32();
    r.align(this.align);
    const o: any = {};
    const names = this.names;
    const types = this.types;
    const last = types.length - 1;
    for (let i = 0; i < last; i++) types[i]!.readInto(r, o, names[i]!, o);
    if (this._conf) o[names[last]!] = types[last]!.read(r, o, conf);
    else types[last]!.readInto(r, o, names[last]!, o);
    return o as T;
  }
  write(w: NdrWriter, v: T, _scope: any, hoisted: boolean): void {
    const o = v as any;
    if (o === null || typeof o !== 'object') w.fail(`expected an object, got ${String(o)}`);
    if (this._conf && !hoisted) w.u32(this.confCount(v, v, w));
    w.align(this.align);
    const names = this.names;
    const types = this.types;
    const last = types.length - 1;
    for (let i = 0; i <= last; i++) types[i]!.write(w, o[names[i]!], o, i === last && this._conf);
  }
  override confCount(v: T, _scope: any, w: NdrWriter): number {
    const last = this.types.length - 1;
    return this.types[last]!.confCount((v as any)[this.names[last]!], v, w);
  }
}

// Struct readers are generated as JS source once per struct (new Function): members are read inline
// into an object literal with the struct's own property names, so V8 sees one object shape per
// struct and monomorphic stores — measured ~2x faster than the interpreted loop on a DRSR reply.
const STRUCT_CODEGEN = process.env['HIVEWIRE_NDR_CODEGEN'] !== '0';

// Reads of primitives at a local cursor `p` in buffer `b` (little-endian, already bounds-checked).
const INLINE: Record<string, string> = {
  u8: 'b[p]', char: 'b[p]', byte: 'b[p]', i8: '(b[p] << 24 >> 24)', boolean: 'b[p] !== 0',
  u16: '(b[p] | b[p + 1] << 8)', wchar: '(b[p] | b[p + 1] << 8)', enum16: '(b[p] | b[p + 1] << 8)',
  i16: '((b[p] | b[p + 1] << 8) << 16 >> 16)',
  u32: '((b[p] | b[p + 1] << 8 | b[p + 2] << 16) + b[p + 3] * 0x1000000)',
  i32: '(b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24)', v1_enum: '(b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24)',
  f32: 'b.readFloatLE(p)', u64: 'U64(b, p)', i64: 'I64(b, p)', f64: 'b.readDoubleLE(p)',
};

function compileStructRead<T>(st: StructType<T>): (r: NdrReader, scope: any, conf: number) => T {
  const names = st.names;
  const types = st.types;
  const last = types.length - 1;
  // The cursor lives in a local `p` between calls into other types; `r.pos` is written back before
  // any call (and before any error, so that the error's offset is right) and read again after.
  const lines: string[] = [];
  if (st.conformant) lines.push('if (conf < 0) conf = r.u32();');
  lines.push('const b = r.buf, e = r.end;');
  lines.push(`let p = r.pos;`);
  if (st.align > 1) lines.push(`p += -p & ${st.align - 1};`);
  lines.push(`const o = {${names.map((n) => `${JSON.stringify(n)}: undefined`).join(', ')}};`);
  const fixed = (size: number) =>
    `${size > 1 ? `p += -p & ${size - 1}; ` : ''}if (p + ${size} > e) { r.pos = p; r.need(${size}); } `;
  types.forEach((t, i) => {
    const name = JSON.stringify(names[i]);
    const key = `o[${name}]`;
    if (i === last && st.conformant) {
      lines.push(`r.pos = p; ${key} = T[${i}].read(r, o, conf); p = r.pos;`);
    } else if (t instanceof Primitive && INLINE[t.name]) {
      lines.push(`${fixed(t.size)}${key} = ${INLINE[t.name]}; p += ${t.size};`);
    } else if (t instanceof RangeType && t.inner instanceof Primitive && INLINE[t.inner.name]) {
      lines.push(
        `{ ${fixed(t.inner.size)}const v = ${INLINE[t.inner.name]}; ` +
          `if (v < ${t.lo} || v > ${t.hi}) { r.pos = p; r.fail('ERR_NDR_RANGE', v + ' not in [${t.lo}, ${t.hi}]', p); } ${key} = v; p += ${t.inner.size}; }`,
      );
    } else if (t instanceof PointerType && t.kind !== 'full') {
      // the referent id in place; the pointee queued (C706 §14.3.12.3)
      lines.push(
        `{ ${fixed(4)}const id = ${INLINE['u32']}; ${key} = null; ` +
          (t.kind === 'ref' ? `if (id === 0) { r.pos = p; r.fail('ERR_NDR_NULL_REF', undefined, p); } ` : 'if (id !== 0) ') +
          `r.defer(T[${i}].target, o, ${name}, o, 0); p += 4; }`,
      );
    } else if (t === GUID) {
      lines.push(`${fixed(4).replace('p + 4 >', 'p + 16 >').replace('need(4)', 'need(16)')}${key} = G(b, p); p += 16;`);
    } else if (t instanceof PointerType || t instanceof LazyType) {
      lines.push(`r.pos = p; T[${i}].readInto(r, o, ${name}, o); p = r.pos;`);
    } else {
      lines.push(`r.pos = p; ${key} = T[${i}].read(r, o, -1); p = r.pos;`);
    }
  });
  lines.push('r.pos = p;');
  lines.push('return o;');
  const src = `return function readStruct(r, scope, conf) {\n  ${lines.join('\n  ')}\n};`;
  return new Function('T', 'G', 'I64', 'U64', src)(types, guidToString, readI64, readU64);
}

export function struct<F extends Fields>(fields: F): StructType<StructValue<F>> {
  return new StructType(fields);
}

/** A type defined later, for recursive structures (`struct REPLENTINFLIST *pNextEntInf`). */
class LazyType<T> extends NdrType<T> {
  private t: NdrType<T> | undefined;
  constructor(private readonly thunk: () => NdrType<T>) {
    super();
  }
  get target(): NdrType<T> {
    return (this.t ??= this.thunk());
  }
  get align(): number {
    return this.target.align;
  }
  get minSize(): number {
    return this.target.minSize;
  }
  override get conformant(): boolean {
    return this.target.conformant;
  }
  read(r: NdrReader, scope: any, conf: number): T {
    return this.target.read(r, scope, conf);
  }
  write(w: NdrWriter, v: T, scope: any, hoisted: boolean): void {
    this.target.write(w, v, scope, hoisted);
  }
  override readInto(r: NdrReader, holder: any, key: string | number, scope: any): void {
    this.target.readInto(r, holder, key, scope);
  }
  override confCount(v: T, scope: any, w: NdrWriter): number {
    return this.target.confCount(v, scope, w);
  }
}

export function lazy<T>(thunk: () => NdrType<T>): NdrType<T> {
  return new LazyType(thunk);
}

// ---------------------------------------------------------------------------------------------
// Pointers (C706 §14.3.10–§14.3.12). Embedded: the referent id in place, the pointee deferred to
// after the enclosing construct. At the top level of an operation a [ref] pointer has no wire form
// (operation() strips it) and a unique/full pointer's pointee follows its id directly.

export type PointerKind = 'ref' | 'unique' | 'full';

export class PointerType<T, V> extends NdrType<V> {
  constructor(
    readonly kind: PointerKind,
    readonly target: NdrType<T>,
  ) {
    super();
  }
  get align(): number {
    return 4;
  }
  get minSize(): number {
    return 4;
  }
  read(): V {
    throw new Error('internal: a pointer is read with readInto');
  }
  override readInto(r: NdrReader, holder: any, key: string | number, scope: any): void {
    const at = r.pos;
    const id = r.u32();
    holder[key] = null;
    if (id === 0) {
      if (this.kind === 'ref') r.fail('ERR_NDR_NULL_REF', undefined, at);
      return;
    }
    if (this.kind === 'full') {
      const rec = r.fullReferent(id, this.target, at);
      if (!rec.queued) {
        rec.queued = true;
        r.defer(this.target, holder, key, scope, id);
      } else if (rec.done) holder[key] = rec.value;
      else rec.waiters.push([holder, key]);
      return;
    }
    r.defer(this.target, holder, key, scope, 0);
  }
  write(w: NdrWriter, v: V, scope: any): void {
    if (v === null || v === undefined) {
      if (this.kind === 'ref') w.fail('null [ref] pointer');
      w.u32(0);
      return;
    }
    if (this.kind === 'full') {
      const [id, seen] = w.fullId(v);
      w.u32(id);
      if (!seen) w.pending.push({ t: this.target, v, scope });
      return;
    }
    w.u32(this.kind === 'ref' && w.embeddedRefId !== undefined ? w.embeddedRefId : w.newId());
    w.pending.push({ t: this.target, v, scope });
  }
}

/** [ref] pointer: never null. */
export function ref<T>(target: NdrType<T>): PointerType<T, T> {
  return new PointerType<T, T>('ref', target);
}
/** [unique] pointer (the default, MS-RPCE §2.2.4.9): null or a pointee no other pointer shares. */
export function unique<T>(target: NdrType<T>): PointerType<T, T | null> {
  return new PointerType<T, T | null>('unique', target);
}
/** [ptr] full pointer: pointers with the same referent id are the same object. */
export function full<T>(target: NdrType<T>): PointerType<T, T | null> {
  return new PointerType<T, T | null>('full', target);
}

// ---------------------------------------------------------------------------------------------
// Arrays and strings (C706 §14.3.3–§14.3.5, MS-RPCE §3.1.1.5.3.2.1 correlation checks).

type ArrayMode = 'fixed' | 'conformant' | 'varying' | 'cv';
/** How the elements of an array decode: Buffer (bytes), string (wchar_t / [string] char) or array. */
type ElemKind = 'bytes' | 'utf16' | 'latin1' | 'items';

export interface ArrayOptions {
  /** size_is: expression for max_count (conformant), e.g. 'MaximumLength / 2'. */
  size?: string;
  /** length_is: expression for actual_count (varying), e.g. 'Length / 2' or '*pcbLen'. */
  length?: string;
  /** [range(lo, hi)] on the max_count (conformant) or, for strings, the length with terminator. */
  range?: readonly [number, number];
}

class ArrayType<V> extends NdrType<V> {
  private readonly sizeExpr: CompiledExpr | undefined;
  private readonly lengthExpr: CompiledExpr | undefined;
  private readonly kind: ElemKind;
  private readonly esize: number;
  constructor(
    readonly mode: ArrayMode,
    readonly elem: NdrType<unknown>,
    readonly fixedCount: number,
    readonly isString: boolean,
    readonly opts: ArrayOptions,
  ) {
    super();
    this.sizeExpr = opts.size !== undefined ? compileExpr(opts.size) : undefined;
    this.lengthExpr = opts.length !== undefined ? compileExpr(opts.length) : undefined;
    if (elem === wchar) this.kind = 'utf16';
    else if (elem === u8 || elem === byte || (elem === char && !isString)) this.kind = 'bytes';
    else if (elem === char) this.kind = 'latin1';
    else this.kind = 'items';
    this.esize = this.kind === 'utf16' ? 2 : this.kind === 'items' ? 0 : 1;
    if (isString && this.kind === 'items') throw new NdrError('ERR_NDR_ENCODE', -1, '[string] needs char or wchar elements');
  }
  get align(): number {
    // a conformant array's max_count is hoisted out of the struct; varying counts are inline
    return this.mode === 'fixed' || this.mode === 'conformant' ? this.elem.align : Math.max(4, this.elem.align);
  }
  get minSize(): number {
    switch (this.mode) {
      case 'fixed':
        return this.fixedCount * this.elem.minSize;
      case 'conformant':
        return 0; // hoisted when inside a struct; counted by the struct
      case 'varying':
        return 8;
      case 'cv':
        return 8;
    }
  }
  override get conformant(): boolean {
    return this.mode === 'conformant' || this.mode === 'cv';
  }

  read(r: NdrReader, scope: any, conf: number): V {
    const at = r.pos;
    let max = this.fixedCount;
    if (this.mode === 'conformant' || this.mode === 'cv') {
      max = conf >= 0 ? conf : r.u32();
      if (this.opts.range && !this.isString) {
        const [lo, hi] = this.opts.range;
        if (max < lo || max > hi) r.fail('ERR_NDR_RANGE', `max_count ${max} not in [${lo}, ${hi}]`, at);
      }
      if (this.sizeExpr) this.correlate(r, this.sizeExpr, max, scope, 'ERR_NDR_CONFORMANCE', 'max_count', at);
    }
    let actual = max;
    if (this.mode === 'varying' || this.mode === 'cv') {
      const offset = r.u32();
      actual = r.u32();
      // no first_is in our IDLs: the offset must be 0 (MS-RPCE §3.1.1.5.3.2.1.7)
      if (offset !== 0) r.fail('ERR_NDR_VARIANCE', `offset ${offset}`, at);
      if (actual > max) r.fail('ERR_NDR_VARIANCE', `actual_count ${actual} > max_count ${max}`, at);
      if (this.lengthExpr) this.correlate(r, this.lengthExpr, actual, scope, 'ERR_NDR_VARIANCE', 'actual_count', at);
      if (this.isString && this.opts.range) {
        const [lo, hi] = this.opts.range;
        if (actual < lo || actual > hi) r.fail('ERR_NDR_RANGE', `string length ${actual} not in [${lo}, ${hi}]`, at);
      }
    }
    if (actual === 0) {
      if (this.isString) r.fail('ERR_NDR_STRING', 'empty', at);
      return (this.kind === 'items' ? [] : this.kind === 'bytes' ? r.buf.subarray(r.pos, r.pos) : '') as V;
    }
    if (this.kind === 'items') {
      const elem = this.elem;
      r.count(actual, elem.minSize);
      const a = new Array(actual);
      if (elem instanceof PointerType || elem instanceof LazyType) for (let i = 0; i < actual; i++) elem.readInto(r, a, i, scope);
      else for (let i = 0; i < actual; i++) a[i] = elem.read(r, scope, -1);
      return a as V;
    }
    const es = this.esize;
    if (es === 2) r.pos += r.pos & 1;
    r.count(actual, es);
    const start = r.pos;
    const stop = start + actual * es;
    r.pos = stop;
    let dataEnd = stop;
    if (this.isString) {
      // the terminator is counted and must be there (MS-RPCE §2.2.4.1.1)
      if (r.buf[stop - 1] !== 0 || (es === 2 && r.buf[stop - 2] !== 0)) r.fail('ERR_NDR_STRING', undefined, stop - es);
      dataEnd = stop - es;
    }
    if (this.kind === 'bytes') return r.buf.subarray(start, dataEnd) as V;
    return r.buf.toString(this.kind === 'utf16' ? 'utf16le' : 'latin1', start, dataEnd) as V;
  }

  private correlate(r: NdrReader, e: CompiledExpr, got: number, scope: any, code: 'ERR_NDR_CONFORMANCE' | 'ERR_NDR_VARIANCE', what: string, at: number): void {
    const want = e.fn(scope, r.fallback);
    if (want === got) return;
    if (!Number.isNaN(want)) r.fail(code, `${what} ${got}, ${e.source} = ${want}`, at);
    // names not decoded yet (a parameter after this one): check once the stub is read
    r.later(() => {
      const v = e.fn(scope, r.fallback);
      if (!Number.isNaN(v) && v !== got) r.fail(code, `${what} ${got}, ${e.source} = ${v}`, at);
    });
  }

  /** Number of elements in the value as written (with the terminator for strings). */
  private dataCount(w: NdrWriter, v: unknown): number {
    if (this.kind === 'items') {
      if (!Array.isArray(v)) w.fail(`expected an array, got ${typeof v}`);
      return v.length;
    }
    if (this.kind === 'bytes') {
      if (!(v instanceof Uint8Array)) w.fail(`expected a Buffer, got ${typeof v}`);
      return v.length;
    }
    if (typeof v !== 'string') w.fail(`expected a string, got ${typeof v}`);
    return v.length + (this.isString ? 1 : 0);
  }

  private evalOr(w: NdrWriter, e: CompiledExpr | undefined, scope: any, dflt: number): number {
    if (!e) return dflt;
    const n = e.fn(scope, w.fallback);
    return Number.isNaN(n) ? dflt : n;
  }

  override confCount(v: V, scope: any, w: NdrWriter): number {
    const n = this.dataCount(w, v);
    const max = this.evalOr(w, this.sizeExpr, scope, n);
    if (this.mode === 'conformant' ? max !== n : max < n) w.fail(`${n} elements, but ${this.sizeExpr?.source} = ${max}`);
    if (this.opts.range && !this.isString && (max < this.opts.range[0] || max > this.opts.range[1])) w.fail(`max_count ${max} outside its range`);
    return max;
  }

  write(w: NdrWriter, v: V, scope: any, hoisted: boolean): void {
    const n = this.dataCount(w, v);
    if (this.mode === 'conformant' || this.mode === 'cv') {
      const max = this.confCount(v, scope, w);
      if (!hoisted) w.u32(max);
    } else if (this.mode === 'fixed' ? n !== this.fixedCount : n > this.fixedCount) {
      w.fail(`${n} elements for an array of ${this.fixedCount}`);
    }
    if (this.mode === 'varying' || this.mode === 'cv') {
      const len = this.evalOr(w, this.lengthExpr, scope, n);
      if (len !== n) w.fail(`${n} elements, but ${this.lengthExpr?.source} = ${len}`);
      w.u32(0);
      w.u32(n);
    }
    if (n === 0) return;
    if (this.kind === 'items') {
      const elem = this.elem;
      for (const x of v as unknown[]) elem.write(w, x, scope, false);
      return;
    }
    if (this.kind === 'bytes') {
      const b = v as Uint8Array;
      w.ensure(n);
      w.buf.set(b, w.pos);
      w.pos += n;
      return;
    }
    const s = v as string;
    if (this.kind === 'utf16') {
      w.align(2);
      w.ensure(n * 2);
      w.buf.write(s, w.pos, 'utf16le');
      w.pos += n * 2;
      if (this.isString) w.buf.writeUInt16LE(0, w.pos - 2);
    } else {
      w.ensure(n);
      w.buf.write(s, w.pos, 'latin1');
      w.pos += n;
      if (this.isString) w.buf[w.pos - 1] = 0;
    }
  }
}

type Elems<E> = E extends Primitive<any, 'wchar'> ? string : E extends Primitive<any, 'u8' | 'byte' | 'char'> ? Buffer : Infer<E>[];

/** Fixed array `T x[n]`. */
export function fixedArray<E extends NdrType<any>>(elem: E, n: number): NdrType<Elems<E>> {
  return new ArrayType('fixed', elem, n, false, {});
}
/** Conformant array `[size_is(...)] T x[]` (max_count, then the elements). */
export function conformantArray<E extends NdrType<any>>(elem: E, opts: Omit<ArrayOptions, 'length'> = {}): NdrType<Elems<E>> {
  return new ArrayType('conformant', elem, 0, false, opts);
}
/** Varying array `[length_is(...)] T x[n]` (offset, actual_count, then the elements). */
export function varyingArray<E extends NdrType<any>>(elem: E, n: number, opts: Pick<ArrayOptions, 'length'> = {}): NdrType<Elems<E>> {
  return new ArrayType('varying', elem, n, false, opts);
}
/** Conformant varying array `[size_is(...), length_is(...)] T *x`. */
export function conformantVaryingArray<E extends NdrType<any>>(elem: E, opts: ArrayOptions = {}): NdrType<Elems<E>> {
  return new ArrayType('cv', elem, 0, false, opts);
}
/** `[string] wchar_t *` / `[string] char *`: conformant varying with the terminator counted; decodes to a JS string without it. */
export function string(elem: typeof wchar | typeof char, opts: Omit<ArrayOptions, 'length'> = {}): NdrType<string> {
  return new ArrayType('cv', elem, 0, true, opts);
}
/** `[string] char x[n]`: a varying string in a fixed-size array (e.g. ept_entry_t.annotation). */
export function varyingString(elem: typeof wchar | typeof char, n: number): NdrType<string> {
  return new ArrayType('varying', elem, n, true, {});
}

// ---------------------------------------------------------------------------------------------
// Unions (C706 §14.3.8, MS-RPCE §2.2.4.5, §2.2.4.8): the discriminant, then the selected arm.

type Case = number | readonly number[] | 'default';
type Arms = Record<string, readonly [Case, NdrType<any> | null]>;
type TagOf<C> = C extends number ? C : C extends readonly (infer N)[] ? N : number;
export type UnionValue<A extends Arms> = {
  [K in keyof A]: { tag: TagOf<A[K][0]> } & { [P in K]: A[K][1] extends NdrType<infer T> ? T : null };
}[keyof A];

export interface UnionOptions<A extends Arms> {
  /** switch_type: the discriminant's type (u16, u32, enum16(), ...). */
  switchType: NdrType<number>;
  /** name → [case value(s) or 'default', arm type or null for an empty arm]. */
  arms: A;
  /** Encapsulated union (`union switch (long d) ...`): the arm is aligned to the largest arm. */
  encapsulated?: boolean;
  /** [ms_union]: the arm is aligned to the largest arm (MS-RPCE §2.2.4.5). */
  msUnion?: boolean;
}

interface Arm {
  name: string;
  t: NdrType<unknown> | null;
}

export class UnionType<V> extends NdrType<V> {
  private readonly byTag = new Map<number, Arm>();
  private readonly dflt: Arm | undefined;
  private readonly all: Arm[] = [];
  private _armAlign = 0;
  constructor(
    readonly opts: UnionOptions<Arms>,
    readonly switchIs?: CompiledExpr,
  ) {
    super();
    let dflt: Arm | undefined;
    for (const [name, [c, t]] of Object.entries(opts.arms)) {
      const arm = { name, t };
      this.all.push(arm);
      if (c === 'default') dflt = arm;
      else for (const n of typeof c === 'number' ? [c] : c) this.byTag.set(n, arm);
    }
    this.dflt = dflt;
  }
  private get armAlign(): number {
    if (this._armAlign === 0) {
      let a = 1;
      for (const arm of this.all) if (arm.t) a = Math.max(a, arm.t.align);
      this._armAlign = a;
    }
    return this._armAlign;
  }
  get align(): number {
    return Math.max(this.opts.switchType.align, this.armAlign);
  }
  get minSize(): number {
    return this.opts.switchType.minSize;
  }
  /** The same union with `[switch_is(expr)]` at the place of use, checked against the discriminant. */
  switchOn(expr: string): UnionType<V> {
    return new UnionType<V>(this.opts, compileExpr(expr));
  }
  read(r: NdrReader, scope: any): V {
    const at = r.pos;
    const tag = this.opts.switchType.read(r, scope, -1);
    const arm = this.byTag.get(tag) ?? this.dflt;
    if (!arm) r.fail('ERR_NDR_UNION', `no arm for discriminant ${tag}`, at);
    if (this.switchIs) {
      const e = this.switchIs;
      const want = e.fn(scope, r.fallback);
      const bad = (v: number) => r.fail('ERR_NDR_UNION', `discriminant ${tag}, ${e.source} = ${v}`, at);
      if (Number.isNaN(want)) r.later(() => {
        const v = e.fn(scope, r.fallback);
        if (!Number.isNaN(v) && v !== tag) bad(v);
      });
      else if (want !== tag) bad(want);
    }
    const o: any = { tag };
    if (!arm.t) o[arm.name] = null;
    else {
      r.align(this.opts.encapsulated || this.opts.msUnion ? this.armAlign : arm.t.align);
      arm.t.readInto(r, o, arm.name, scope);
    }
    return o as V;
  }
  write(w: NdrWriter, v: V, scope: any): void {
    const o = v as any;
    if (o === null || typeof o !== 'object' || typeof o.tag !== 'number') w.fail('expected a union value { tag, ... }');
    const tag: number = o.tag;
    const arm = this.byTag.get(tag) ?? this.dflt;
    if (!arm) w.fail(`no arm for discriminant ${tag}`);
    if (this.switchIs) {
      const want = this.switchIs.fn(scope, w.fallback);
      if (!Number.isNaN(want) && want !== tag) w.fail(`discriminant ${tag}, ${this.switchIs.source} = ${want}`);
    }
    this.opts.switchType.write(w, tag, scope, false);
    if (arm.t) {
      w.align(this.opts.encapsulated || this.opts.msUnion ? this.armAlign : arm.t.align);
      arm.t.write(w, o[arm.name], scope, false);
    }
  }
}

export function union<const A extends Arms>(opts: UnionOptions<A>): UnionType<UnionValue<A>> {
  return new UnionType(opts);
}

/** `[switch_is(expr)] U x`: the union U whose discriminant must equal `expr` (another field or parameter). */
export function switchIs<V>(u: UnionType<V>, expr: string): UnionType<V> {
  return u.switchOn(expr);
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

export interface ContextHandle {
  attributes: number;
  uuid: string;
}

/** A context handle: 20 bytes, attributes u32 + GUID; all zero is the NULL handle. */
export function contextHandle(): StructType<ContextHandle> {
  return struct({ attributes: u32, uuid: GUID });
}

/** An empty union arm (`[case(0)] ;`). */
export const empty = null;
