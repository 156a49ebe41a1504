// size_is / length_is / switch_is expressions (MS-RPCE §2.2.4.7: C expressions over other fields or
// parameters). Compiled once into a JS function of (scope, fallback). A name that is not (yet) in
// scope makes the result NaN: the decoder then checks the correlation later, or not at all.
import { NdrError } from './errors.js';

export type ExprFn = (scope: any, fallback: any) => number;

const TOKEN = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_]\w*)|(==|!=|<=|>=|&&|\|\||[-+*/%()?:<>!&|^~]))/y;

type Node =
  | { k: 'num'; v: number }
  | { k: 'id'; name: string }
  | { k: 'un'; op: string; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'cond'; c: Node; a: Node; b: Node };

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(src);
    if (!m) throw new NdrError('ERR_NDR_EXPRESSION', -1, `cannot parse '${src}'`);
    out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

function parse(src: string): Node {
  const t = tokenize(src);
  let i = 0;
  const fail = (): never => {
    throw new NdrError('ERR_NDR_EXPRESSION', -1, `cannot parse '${src}'`);
  };
  const primary = (): Node => {
    const tok = t[i++];
    if (tok === undefined) return fail();
    if (tok === '(') {
      const n = expr(0);
      if (t[i++] !== ')') fail();
      return n;
    }
    if (tok === '-' || tok === '!' || tok === '~' || tok === '*') return { k: 'un', op: tok, a: primary() };
    if (/^\d|^0x/i.test(tok)) return { k: 'num', v: Number(tok) };
    if (/^[A-Za-z_]/.test(tok)) return { k: 'id', name: tok };
    return fail();
  };
  const expr = (minPrec: number): Node => {
    let left = primary();
    for (;;) {
      const op = t[i];
      if (op === '?' && minPrec === 0) {
        i++;
        const a = expr(0);
        if (t[i++] !== ':') fail();
        const b = expr(0);
        left = { k: 'cond', c: left, a, b };
        continue;
      }
      const p = op === undefined ? undefined : BINARY[op];
      if (p === undefined || p <= minPrec - 1 || p < minPrec) return left;
      i++;
      left = { k: 'bin', op: op!, a: left, b: expr(p + 1) };
    }
  };
  const n = expr(0);
  if (i !== t.length) fail();
  return n;
}

function js(n: Node, names: Set<string>): string {
  switch (n.k) {
    case 'num':
      return String(n.v);
    case 'id':
      names.add(n.name);
      // a pointer is its pointee (or null); `*p` and `p` read the same scope slot
      return `N(s.${n.name} !== undefined ? s.${n.name} : (fb ? fb.${n.name} : undefined))`;
    case 'un':
      if (n.op === '*') return `D(${js(n.a, names)})`;
      if (n.op === '!') return `(T(${js(n.a, names)}) ? 0 : 1)`;
      return `(${n.op}${js(n.a, names)})`;
    case 'cond':
      return `(T(${js(n.c, names)}) ? ${js(n.a, names)} : ${js(n.b, names)})`;
    case 'bin': {
      const a = js(n.a, names);
      const b = js(n.b, names);
      if (n.op === '/') return `Math.trunc(${a} / ${b})`;
      if (n.op === '&&') return `(T(${a}) && T(${b}) ? 1 : 0)`;
      if (n.op === '||') return `(T(${a}) || T(${b}) ? 1 : 0)`;
      if (['==', '!=', '<', '>', '<=', '>='].includes(n.op)) {
        return `(${a} ${n.op === '==' ? '===' : n.op === '!=' ? '!==' : n.op} ${b} ? 1 : 0)`;
      }
      return `(${a} ${n.op} ${b})`;
    }
  }
}

// Scope values: numbers, bigints (hyper), booleans, null (a NULL pointer), undefined (not decoded yet).
function N(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}
function T(v: unknown): boolean {
  return v !== null && v !== 0 && v !== undefined && !(typeof v === 'number' && Number.isNaN(v));
}
function D(v: unknown): unknown {
  if (v === null) return NaN; // *NULL: no value; a decoder reports it, an encoder refuses it
  return v;
}

export interface CompiledExpr {
  readonly source: string;
  readonly names: readonly string[];
  readonly fn: ExprFn;
}

/** Compile `Length / 2`, `*pcbData`, `lpcbData ? *lpcbData : 0`, `NameLen + 1`, ... */
export function compileExpr(source: string): CompiledExpr {
  const names = new Set<string>();
  const body = js(parse(source), names);
  // a name not decoded yet makes the whole expression unavailable (NaN), even under `?:`: checked
  // before evaluating, so that decoding a stub whose correlations name later parameters throws nothing
  const missing = [...names].map((n) => `(s.${n} === undefined && (!fb || fb.${n} === undefined))`).join(' || ');
  const f = new Function(
    'N', 'T', 'D', 'EMPTY',
    `return function(s, fb) { if (s == null) s = EMPTY; ${missing ? `if (${missing}) return NaN; ` : ''}const r = ${body}; return typeof r === 'number' ? r : NaN; }`,
  )(N, T, D, {}) as ExprFn;
  return { source, names: [...names], fn: f };
}
