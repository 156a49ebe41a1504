// Pointers (C706 §14.3.10–§14.3.12). Embedded: the referent id in place, the pointee deferred to
// after the enclosing construct. At the top level of an operation a [ref] pointer has no wire form
// (operation() strips it) and a unique/full pointer's pointee follows its id directly.
import { NdrType } from './base.js';
import type { NdrReader, NdrWriter } from './stream.js';

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
