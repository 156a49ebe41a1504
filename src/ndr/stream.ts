// The byte cursor for NDR 2.0 (C706 ch. 14), little-endian only (drep 0x10: our stubs and every
// peer we talk to). Alignment is relative to the start of the stub. Embedded pointers found while
// reading/writing a construct's inline part are queued in `pending`; `drain` then handles them
// depth-first with an explicit stack (no recursion: a REPLENTINFLIST chain is thousands long).
import { NdrError } from './errors.js';
import type { CompiledExpr } from './expr.js';
import type { NdrType } from './type.js';

/** A pointee still to be read is 5 slots of `NdrReader.pending`: type, holder, key, scope, full-pointer id. */
const TASK = 5;

/** A pointee still to be written. */
export interface WriteTask {
  t: NdrType<unknown>;
  v: unknown;
  scope: any;
}

export interface FullRef {
  /** The pointee is queued for reading (first sighting of the id). */
  queued: boolean;
  done: boolean;
  value: unknown;
  /** The pointee's type: one id must not alias values of two types. */
  t: unknown;
  waiters: Array<[any, string | number]>;
}

export class NdrReader {
  readonly buf: Buffer;
  pos = 0;
  readonly end: number;
  /** Values outside this stub that expressions may name (the [in] parameters, when decoding a response). */
  fallback: any = undefined;
  /** Flat queue of pointees found in the current inline part (no object per pointer: less garbage). */
  pending: unknown[] = [];
  /** Referent ids seen: null for a unique pointer, the alias record for a full pointer. */
  private ids: Map<number, FullRef> | undefined;
  private late: Array<() => void> | undefined;
  /** Correlations to check once the stub is read: [expression, value read, scope, code, what, offset] x n. */
  private lateChecks: unknown[] | undefined;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.end = buf.length;
  }

  fail(code: ConstructorParameters<typeof NdrError>[0], detail?: string, at = this.pos): never {
    throw new NdrError(code, at, detail);
  }

  need(n: number): void {
    if (this.pos + n > this.end) this.fail('ERR_NDR_SHORT', `need ${n} bytes, ${Math.max(0, this.end - this.pos)} left`);
  }

  /** Refuse a count of elements of at least `minSize` bytes each that cannot fit in what remains. */
  count(n: number, minSize: number): void {
    if (n > (this.end - this.pos) / (minSize > 0 ? minSize : 1)) {
      this.fail('ERR_NDR_COUNT', `${n} elements of ≥${minSize} bytes, ${this.end - this.pos} bytes left`);
    }
  }

  align(n: number): void {
    if (n > 1) this.pos += -this.pos & (n - 1);
  }

  u8(): number {
    if (this.pos + 1 > this.end) this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.pos += -this.pos & 1;
    if (this.pos + 2 > this.end) this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.pos += -this.pos & 3;
    if (this.pos + 4 > this.end) this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.pos += -this.pos & 3;
    if (this.pos + 4 > this.end) this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /**
   * A full pointer's referent id: the first sighting queues the pointee, later ones alias it. An id
   * reused for a pointee of another type is refused. Unique pointers' ids are not tracked: their
   * value carries no identity, and real peers repeat them (Samba ORs the counter into 0x20000, so
   * its ids wrap after 32768 pointers; impacket draws them at random).
   */
  fullReferent(id: number, t: unknown, at: number): FullRef {
    const ids = (this.ids ??= new Map());
    let rec = ids.get(id);
    if (rec === undefined) {
      rec = { queued: false, done: false, value: undefined, waiters: [], t };
      ids.set(id, rec);
    } else if (rec.t !== t) {
      this.fail('ERR_NDR_REFERENT', `full pointer id 0x${id.toString(16)} names pointees of two types`, at);
    }
    return rec;
  }

  /** A correlation check that needs values decoded later (e.g. [size_is(cbData)] before cbData). */
  later(check: () => void): void {
    (this.late ??= []).push(check);
  }

  /** The same for `e(scope) === got`, kept as data: no closure per decoded array. */
  laterCorrelate(e: CompiledExpr, got: number, scope: unknown, code: 'ERR_NDR_CONFORMANCE' | 'ERR_NDR_VARIANCE', what: string, at: number): void {
    const q = (this.lateChecks ??= []);
    q.push(e, got, scope, code, what, at);
  }

  /** Read one top-level construct: its inline part, then every pointee it refers to, in NDR order. */
  readFull<T>(t: NdrType<T>, holder: any, key: string | number, scope: any): void {
    t.readInto(this, holder, key, scope);
    if (this.pending.length > 0) this.drain();
  }

  /** Queue a pointee (called by pointers while reading an inline part). */
  defer(t: NdrType<unknown>, holder: any, key: string | number, scope: any, id: number): void {
    const q = this.pending;
    const n = q.length;
    q[n] = t;
    q[n + 1] = holder;
    q[n + 2] = key;
    q[n + 3] = scope;
    q[n + 4] = id;
  }

  private drain(): void {
    // `stack` holds tasks in reverse order, so popping gives NDR order: the pointees found while
    // reading one pointee come before that pointee's later siblings (depth first). `sp` indexes it
    // by hand: no shrinking and regrowing of the array per task.
    const stack: unknown[] = [];
    let sp = 0;
    const pending = this.pending;
    for (let i = pending.length - TASK; i >= 0; i -= TASK) {
      stack[sp++] = pending[i];
      stack[sp++] = pending[i + 1];
      stack[sp++] = pending[i + 2];
      stack[sp++] = pending[i + 3];
      stack[sp++] = pending[i + 4];
    }
    pending.length = 0;
    while (sp > 0) {
      sp -= TASK;
      const t = stack[sp] as NdrType<unknown>;
      const holder = stack[sp + 1] as any;
      const key = stack[sp + 2] as string | number;
      const scope = stack[sp + 3];
      const id = stack[sp + 4] as number;
      t.readInto(this, holder, key, scope);
      if (id !== 0) this.resolveFull(id, holder[key]);
      const n = pending.length;
      if (n > 0) {
        for (let i = n - TASK; i >= 0; i -= TASK) {
          stack[sp++] = pending[i];
          stack[sp++] = pending[i + 1];
          stack[sp++] = pending[i + 2];
          stack[sp++] = pending[i + 3];
          stack[sp++] = pending[i + 4];
        }
        pending.length = 0;
      }
    }
  }

  private resolveFull(id: number, v: unknown): void {
    const rec = this.ids!.get(id)!;
    rec.done = true;
    rec.value = v;
    for (const [h, k] of rec.waiters) h[k] = v;
    rec.waiters.length = 0;
  }

  /** After the last parameter: deferred correlation checks, then no trailing bytes unless allowed. */
  finish(allowTrailing: boolean): void {
    const q = this.lateChecks;
    if (q) {
      for (let i = 0; i < q.length; i += 6) {
        const e = q[i] as CompiledExpr;
        const got = q[i + 1] as number;
        const v = e.fn(q[i + 2], this.fallback);
        if (!Number.isNaN(v) && v !== got) this.fail(q[i + 3] as 'ERR_NDR_CONFORMANCE', `${q[i + 4] as string} ${got}, ${e.source} = ${v}`, q[i + 5] as number);
      }
    }
    if (this.late) for (const c of this.late) c();
    if (!allowTrailing && this.pos < this.end) this.fail('ERR_NDR_TRAILING', `${this.end - this.pos} bytes`);
  }
}

export interface WriterOptions {
  /** Referent id written for embedded [ref] pointers; default: the next id, like unique ones. */
  embeddedRefId?: number;
}

export class NdrWriter {
  buf: Buffer;
  pos = 0;
  fallback: any = undefined;
  pending: WriteTask[] = [];
  private nextId = 0x00020000;
  private fullIds: Map<unknown, number> | undefined;
  readonly embeddedRefId: number | undefined;

  constructor(size = 256, opts?: WriterOptions) {
    this.buf = Buffer.allocUnsafe(size);
    this.embeddedRefId = opts?.embeddedRefId;
  }

  fail(detail: string): never {
    throw new NdrError('ERR_NDR_ENCODE', -1, detail);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  align(n: number): void {
    const pad = -this.pos & (n - 1);
    if (pad === 0) return;
    this.ensure(pad);
    this.buf.fill(0, this.pos, this.pos + pad);
    this.pos += pad;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.align(2);
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.align(4);
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  /** A new referent id (MIDL's scheme: 0x00020000, then +4 per non-null pointer). */
  newId(): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 4) >>> 0 || 0x00020000;
    return id;
  }

  /** For a full pointer: the id of `v` if it was written before, else 0 after remembering a new one. */
  fullId(v: unknown): [number, boolean] {
    const m = (this.fullIds ??= new Map());
    const seen = m.get(v);
    if (seen !== undefined) return [seen, true];
    const id = this.newId();
    m.set(v, id);
    return [id, false];
  }

  writeFull<T>(t: NdrType<T>, v: T, scope: any): void {
    t.write(this, v, scope, false);
    if (this.pending.length > 0) this.drain();
  }

  private drain(): void {
    const stack: WriteTask[] = [];
    const pending = this.pending;
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
    pending.length = 0;
    while (stack.length > 0) {
      const task = stack.pop()!;
      task.t.write(this, task.v, task.scope, false);
      for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]!);
      pending.length = 0;
    }
  }

  /** The bytes written (a view of the writer's buffer, which nothing else holds: no copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
