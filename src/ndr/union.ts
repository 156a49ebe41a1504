// Unions (C706 §14.3.8, MS-RPCE §2.2.4.5, §2.2.4.8): the discriminant, then the selected arm.
import { compileExpr, type CompiledExpr } from './expr.js';
import { NdrType } from './base.js';
import type { NdrReader, NdrWriter } from './stream.js';

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

/** An empty union arm (`[case(0)] ;`). */
export const empty = null;
