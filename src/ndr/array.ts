// Arrays and strings (C706 §14.3.3–§14.3.5, MS-RPCE §3.1.1.5.3.2.1 correlation checks).
import { NdrError } from './errors.js';
import { compileExpr, type CompiledExpr } from './expr.js';
import { NdrType, type Infer } from './base.js';
import { byte, char, Primitive, u8, wchar } from './primitives.js';
import { PointerType } from './pointer.js';
import { LazyType } from './struct.js';
import type { NdrReader, NdrWriter } from './stream.js';

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
    r.laterCorrelate(e, got, scope, code, what, at);
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
