// Running the third-party hive and .reg tools the interop tests compare against, and reading what
// they print. A missing tool fails the test with the command that installs it.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMultiString, decodeString } from '../../../src/formats/value.js';
import type { RegTreeKey } from '../../../src/formats/tree.js';
import { upcaseName } from '../../../src/formats/tree.js';

export function requireTool(cmd: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`]);
  if (r.status !== 0) {
    throw new Error(`${cmd} is not installed: run 'apt-get install -y --no-install-recommends ${pkg}' (or bash .ci/run)`);
  }
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Buffer {
  return execFileSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ---- hivexml -------------------------------------------------------------------------------

export interface XmlValue {
  type: string;
  value?: string;
  base64?: boolean;
  strings?: string[];
}

const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
function unxml(s: string): string {
  return s.replace(/&(#x?[0-9a-fA-F]+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return entities[e] ?? m;
  });
}

/** hivexml output → key path (upcased, '' for the root) → value name → value. */
export function parseHivexml(xml: string): Map<string, Map<string, XmlValue>> {
  const keys = new Map<string, Map<string, XmlValue>>();
  const path: string[] = [];
  let current: XmlValue | undefined;
  const re = /<(\/?)([\w-]+)((?:\s+[\w-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let inString = false;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[5] !== undefined) {
      if (inString && current) current.strings![current.strings!.length - 1] += unxml(m[5]);
      continue;
    }
    const [, close, tag, attrText, selfClose] = m;
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]!] = unxml(a[2]!);
    if (tag === 'node') {
      if (close) path.pop();
      else {
        path.push(attrs['root'] === '1' ? '' : attrs['name']!);
        keys.set(upcaseName(path.slice(1).join('\\')), new Map());
        if (selfClose) path.pop();
      }
    } else if (tag === 'value' && !close) {
      const base64 = attrs['encoding'] === 'base64';
      // base64 text is wrapped over lines
      const value = base64 ? (attrs['value'] ?? '').replace(/\s/g, '') : attrs['value'];
      const v: XmlValue = { type: attrs['type']!, ...(value !== undefined ? { value } : {}), ...(base64 ? { base64: true } : {}) };
      keys.get(upcaseName(path.slice(1).join('\\')))!.set(attrs['default'] === '1' ? '' : attrs['key']!, v);
      current = selfClose ? undefined : v;
    } else if (tag === 'value' && close) {
      if (current?.strings) current.strings = dropTrailingEmpty(current.strings);
      current = undefined;
    }
    else if (tag === 'string') {
      if (close) inString = false;
      else if (current) {
        current.strings ??= [];
        current.strings.push('');
        inString = !selfClose;
      }
    }
  }
  return keys;
}

function dropTrailingEmpty(items: string[]): string[] {
  const out = items.slice();
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

const HIVEXML_TYPES = ['none', 'string', 'expand', 'binary', 'int32', 'int32', 'link', 'string-list', 'resource-list', 'resource-description', 'resource-requirements', 'int64'];

/** What hivexml should show for each value of the tree, in parseHivexml's shape. */
export function expectedHivexml(tree: RegTreeKey): Map<string, Map<string, XmlValue>> {
  const out = new Map<string, Map<string, XmlValue>>();
  const walk = (k: RegTreeKey, path: string[]): void => {
    const vals = new Map<string, XmlValue>();
    for (const v of k.values) {
      const type = HIVEXML_TYPES[v.type] ?? 'unknown';
      let x: XmlValue;
      if (type === 'string' || type === 'expand' || type === 'link') x = { type, value: decodeString(v.data) };
      else if (type === 'int32') x = { type, value: String(v.type === 4 ? v.data.readInt32LE(0) : v.data.readInt32BE(0)) };
      else if (type === 'int64') x = { type, value: String(v.data.readBigInt64LE(0)) };
      // hivexml may list a trailing empty string: compared without trailing empties
      else if (type === 'string-list') x = { type, strings: dropTrailingEmpty(decodeMultiString(v.data)) };
      else x = { type, base64: true, value: v.data.toString('base64') };
      vals.set(v.name, x);
    }
    out.set(upcaseName(path.join('\\')), vals);
    for (const s of k.subkeys) walk(s, [...path, s.name]);
  };
  walk(tree, []);
  return out;
}

// ---- reglookup -----------------------------------------------------------------------------

const REGLOOKUP_TYPES = ['NONE', 'SZ', 'EXPAND_SZ', 'BINARY', 'DWORD', 'DWORD_BE', 'LINK', 'MULTI_SZ', 'RSRC_LIST', 'RSRC_DESC', 'RSRC_REQ_LIST', 'QWORD'];

function unpercent(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** reglookup CSV → path → the other columns: type, value, mtime (and with -s: owner, group, sacl,
 * dacl, class). Paths are '/'-separated as reglookup prints them. */
export function parseReglookup(csv: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of csv.split('\n').slice(1)) {
    if (line === '') continue;
    const [p, ...rest] = line.split(',');
    out.set(unpercent(p!).toString('latin1'), rest);
  }
  return out;
}

export function unpercentText(s: string): string {
  return unpercent(s).toString('latin1');
}

/** reglookup rows expected for an ASCII-named tree, compared through reglookup's own quoting. */
export function checkReglookup(rows: Map<string, string[]>, tree: RegTreeKey): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const walk = (k: RegTreeKey, path: string): void => {
    const keyPath = path === '' ? '/' : path;
    seen.add(keyPath);
    if (rows.get(keyPath)?.[0] !== 'KEY') problems.push(`key ${keyPath} missing`);
    for (const v of k.values) {
      const p = path + '/' + v.name;
      seen.add(p);
      const row = rows.get(p);
      const type = REGLOOKUP_TYPES[v.type] ?? `0x${v.type.toString(16).toUpperCase().padStart(8, '0')}`;
      if (!row) {
        problems.push(`value ${p} missing`);
        continue;
      }
      if (row[0] !== type) problems.push(`value ${p}: type ${row[0]}, expected ${type}`);
      const field = row[1]!;
      let ok: boolean;
      switch (v.type) {
        case 1:
        case 2:
        case 6:
          ok = unpercent(field).toString('latin1') === decodeString(v.data) || unpercent(field).equals(v.data);
          break;
        case 7:
          ok = unpercent(field).toString('latin1') === decodeMultiString(v.data).join('|');
          break;
        case 4:
          ok = Number(field) === v.data.readUInt32LE(0);
          break;
        case 5:
          ok = Number(field) === v.data.readUInt32BE(0);
          break;
        case 11:
          ok = BigInt(field) === v.data.readBigUInt64LE(0);
          break;
        default:
          ok = v.data.length === 0 ? field === '' || field === '(null)' : unpercent(field).equals(v.data);
      }
      if (!ok) problems.push(`value ${p}: printed ${field.slice(0, 60)}`);
    }
    for (const s of k.subkeys) walk(s, path + '/' + s.name);
  };
  walk(tree, '');
  for (const p of rows.keys()) if (!seen.has(p)) problems.push(`unexpected row ${p}`);
  return problems;
}

// ---- Samba `net registry` with a private smb.conf ------------------------------------------

export function sambaConf(dir: string): string {
  for (const d of ['state', 'private', 'lock', 'cache']) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, 'smb.conf');
  writeFileSync(
    conf,
    `[global]
  state directory = ${dir}/state
  private dir = ${dir}/private
  lock directory = ${dir}/lock
  cache directory = ${dir}/cache
  pid directory = ${dir}/lock
  ncalrpc dir = ${dir}/lock/ncalrpc
  log file = ${dir}/log.%m
`,
  );
  return conf;
}
