// The TOML subset `hivewire serve --config` reads (TOML 1.0, what a server config needs): comments,
// [table] and [[array.of.tables]] headers with dotted names, key = value with bare or quoted keys,
// basic and literal strings, integers (decimal, 0x), booleans, and one-line arrays of those.
// Anything else is a FormatError with its line.
import { FormatError } from '../util/errors.js';

type Value = string | number | boolean | Value[] | { [k: string]: Value };
type Table = { [k: string]: Value };

function fail(line: number, expected: string, detail: string): never {
  throw new FormatError('toml', 0, expected, detail, { line, column: 1 });
}

function parseValue(src: string, line: number): [Value, string] {
  const s = src.trimStart();
  if (s.startsWith('"')) {
    let out = '';
    for (let i = 1; i < s.length; i++) {
      const c = s[i]!;
      if (c === '"') return [out, s.slice(i + 1)];
      if (c === '\\') {
        const e = s[++i];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
        if (e !== undefined && e in map) out += map[e];
        else if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          const hex = s.slice(i + 1, i + 1 + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail(line, 'a \\u escape', hex);
          out += String.fromCodePoint(parseInt(hex, 16));
          i += n;
        } else fail(line, 'a known escape', `\\${e ?? ''}`);
      } else out += c;
    }
    fail(line, 'a closing "', s);
  }
  if (s.startsWith("'")) {
    const end = s.indexOf("'", 1);
    if (end < 0) fail(line, "a closing '", s);
    return [s.slice(1, end), s.slice(end + 1)];
  }
  if (s.startsWith('[')) {
    const arr: Value[] = [];
    let rest = s.slice(1).trimStart();
    while (!rest.startsWith(']')) {
      const [v, r] = parseValue(rest, line);
      arr.push(v);
      rest = r.trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith(']')) fail(line, ', or ]', rest);
    }
    return [arr, rest.slice(1)];
  }
  const m = /^(true|false|[+-]?0x[0-9a-fA-F_]+|[+-]?\d[\d_]*)/.exec(s);
  if (!m) fail(line, 'a string, number, boolean or array', s);
  const tok = m[1]!;
  const v = tok === 'true' ? true : tok === 'false' ? false : Number(tok.replace(/_/g, ''));
  return [v, s.slice(tok.length)];
}

function parseKey(src: string, line: number): string[] {
  const parts: string[] = [];
  let s = src.trim();
  while (s.length) {
    if (s.startsWith('"') || s.startsWith("'")) {
      const [v, r] = parseValue(s, line);
      parts.push(v as string);
      s = r.trim();
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s);
      if (!m) fail(line, 'a key', s);
      parts.push(m[0]);
      s = s.slice(m[0].length).trim();
    }
    if (s.startsWith('.')) s = s.slice(1).trim();
    else if (s.length) fail(line, 'a dotted key', s);
  }
  if (!parts.length) fail(line, 'a key', src);
  return parts;
}

function descend(root: Table, path: string[], line: number): Table {
  let t = root;
  for (const p of path) {
    let next = t[p];
    if (next === undefined) t[p] = next = {};
    if (Array.isArray(next)) next = next[next.length - 1] as Value;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) fail(line, 'a table', p);
    t = next as Table;
  }
  return t;
}

export function parseToml(text: string): Table {
  const root: Table = {};
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('[[')) {
      const end = line.indexOf(']]');
      if (end < 0) fail(n, ']]', line);
      const path = parseKey(line.slice(2, end), n);
      const parent = descend(root, path.slice(0, -1), n);
      const last = path[path.length - 1]!;
      const arr = (parent[last] ??= []);
      if (!Array.isArray(arr)) fail(n, 'an array of tables', last);
      const t: Table = {};
      arr.push(t);
      current = t;
      continue;
    }
    if (line.startsWith('[')) {
      const end = line.indexOf(']');
      if (end < 0) fail(n, ']', line);
      current = descend(root, parseKey(line.slice(1, end), n), n);
      continue;
    }
    const eq = findEquals(line);
    if (eq < 0) fail(n, 'key = value', line);
    const key = parseKey(line.slice(0, eq), n);
    const [value, rest] = parseValue(line.slice(eq + 1), n);
    const tail = rest.trim();
    if (tail && !tail.startsWith('#')) fail(n, 'end of line', tail);
    const t = descend(current, key.slice(0, -1), n);
    const last = key[key.length - 1]!;
    if (last in t) fail(n, 'a key defined once', last);
    t[last] = value;
  }
  return root;
}

function findEquals(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
  }
  return -1;
}
