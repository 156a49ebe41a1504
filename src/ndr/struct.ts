// Structures (C706 §14.3.6): aligned to their most-aligned member; a trailing conformant array's
// max_count comes first (§14.3.7.1).
import { NdrError } from './errors.js';
import { guidToString } from './guid.js';
import { NdrType, type Infer } from './base.js';
import { GUID, Primitive, RangeType, readI64, readU64, u32 } from './primitives.js';
import { PointerType } from './pointer.js';
import type { NdrReader, NdrWriter } from './stream.js';

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
// struct and monomorphic stores: 1.1x to 3x faster than the interpreted loop on a DRSR reply in
// bench:ndr runs (HIVEWIRE_NDR_CODEGEN=0 selects the loop).
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
export class LazyType<T> extends NdrType<T> {
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

export interface ContextHandle {
  attributes: number;
  uuid: string;
}

/** A context handle: 20 bytes, attributes u32 + GUID; all zero is the NULL handle. */
export function contextHandle(): StructType<ContextHandle> {
  return struct({ attributes: u32, uuid: GUID });
}
