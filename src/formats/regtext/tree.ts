// .reg operations ↔ a RegTreeKey. Import maps one key path of the file (by default the first key's)
// onto the tree's root; export writes a tree in regedit's layout, keys in the tree's order (the order
// the source enumerates them in: sorted for a hive, insertion order for Samba's registry).

import { FormatError } from '../../util/errors.js';
import { newKey, upcaseName, type RegTreeKey, type RegTreeValue } from '../tree.js';
import { FORMAT, type RegFile, type RegOp } from './parser.js';
import { CRLF, encodeRegFile, formatKey, formatValue, REG4_HEADER, REG5_HEADER } from './writer.js';

/** Components of a key path; empty components (doubled or trailing backslashes) are dropped. */
export function splitKeyPath(path: string): string[] {
  return path.split('\\').filter((p) => p !== '');
}

export interface RegToTreeOptions {
  /** The key path in the file that becomes the tree's root (default: the first key in the file). */
  root?: string;
}

// While applying operations each key keeps its subkeys and values in maps by upcased name, so that
// files with many keys or values (or many deletions) apply in linear time; arrays are built at the end.
interface Building {
  key: RegTreeKey;
  children: Map<string, Building>;
  values: Map<string, RegTreeValue>;
}

function building(name: string): Building {
  return { key: newKey(name), children: new Map(), values: new Map() };
}

export function regToTree(file: RegFile | RegOp[], opts: RegToTreeOptions = {}): RegTreeKey {
  const ops = Array.isArray(file) ? file : file.ops;
  const rootPath = opts.root ?? ops.find((o) => o.kind === 'key')?.path;
  if (rootPath === undefined) throw new FormatError(FORMAT, 0, 'at least one [key] line');
  const rootParts = splitKeyPath(rootPath).map(upcaseName);
  const root = building(splitKeyPath(rootPath).at(-1) ?? '');

  const relative = (op: RegOp): string[] => {
    const parts = splitKeyPath(op.path);
    const ok = parts.length >= rootParts.length && rootParts.every((p, i) => upcaseName(parts[i]!) === p);
    if (!ok) throw new FormatError(FORMAT, 0, `a key under ${rootPath}`, op.path, { line: op.line, column: 1 });
    return parts.slice(rootParts.length);
  };
  const find = (parts: string[], create: boolean): Building | undefined => {
    let k = root;
    for (const part of parts) {
      const u = upcaseName(part);
      let next = k.children.get(u);
      if (!next) {
        if (!create) return undefined;
        next = building(part);
        k.children.set(u, next);
      }
      k = next;
    }
    return k;
  };

  for (const op of ops) {
    const parts = relative(op);
    switch (op.kind) {
      case 'key':
        find(parts, true);
        break;
      case 'value': {
        const k = find(parts, true)!;
        const u = upcaseName(op.name);
        const old = k.values.get(u);
        k.values.set(u, { name: old ? old.name : op.name, type: op.type, data: op.data });
        break;
      }
      case 'deleteValue':
        find(parts, false)?.values.delete(upcaseName(op.name));
        break;
      case 'deleteKey':
        if (parts.length === 0) throw new FormatError(FORMAT, 0, 'a deletion below the root key', op.path, { line: op.line, column: 1 });
        find(parts.slice(0, -1), false)?.children.delete(upcaseName(parts.at(-1)!));
        break;
    }
  }
  // explicit stack: paths in a file can nest deeply
  const stack = [root];
  while (stack.length > 0) {
    const b = stack.pop()!;
    b.key.values = [...b.values.values()];
    b.key.subkeys = [...b.children.values()].map((c) => c.key);
    for (const c of b.children.values()) stack.push(c);
  }
  return root.key;
}

export interface RegExportOptions {
  /** 5: "Windows Registry Editor Version 5.00", UTF-16LE (default); 4: REGEDIT4, ANSI. */
  version?: 4 | 5;
  /**
   * 'regedit' (default): CRLF, a blank line after every key, UTF-16LE with BOM (v5).
   * 'samba': what `net registry export` writes: UTF-8, LF, blank lines between keys, an Emacs
   * coding footer.
   */
  flavor?: 'regedit' | 'samba';
}

const SAMBA_FOOTER = ';Local Variables:\n;coding: UTF-8\n;End:\n';

/** The lines of one key: `[path]` and its values, each ending in the newline. */
export function formatKeyBlock(path: string, values: Iterable<RegTreeValue>, opts: RegExportOptions = {}): string {
  const nl = opts.flavor === 'samba' ? '\n' : CRLF;
  let out = formatKey(path) + nl;
  for (const v of values) {
    const line = formatValue(v.name, v.type, v.data, opts.version ?? 5);
    out += (nl === CRLF ? line : line.replaceAll(CRLF, nl)) + nl;
  }
  return out;
}

/** Streams a .reg text from (path, values) pairs given parents first. */
export function* regTextChunks(keys: Iterable<{ path: string; values: Iterable<RegTreeValue> }>, opts: RegExportOptions = {}): Generator<string> {
  const samba = opts.flavor === 'samba';
  const nl = samba ? '\n' : CRLF;
  yield ((opts.version ?? 5) === 4 ? REG4_HEADER : REG5_HEADER) + nl + (samba ? '' : nl);
  for (const k of keys) {
    const block = formatKeyBlock(k.path, k.values, opts);
    yield samba ? nl + block : block + nl;
  }
  if (samba) yield SAMBA_FOOTER;
}

function* treeKeys(tree: RegTreeKey, rootPath: string): Generator<{ path: string; values: RegTreeValue[] }> {
  // explicit stack: trees from files can be deep
  const stack: { key: RegTreeKey; path: string }[] = [{ key: tree, path: rootPath }];
  while (stack.length > 0) {
    const { key, path } = stack.pop()!;
    yield { path, values: key.values };
    for (let i = key.subkeys.length - 1; i >= 0; i--) stack.push({ key: key.subkeys[i]!, path: path + '\\' + key.subkeys[i]!.name });
  }
}

/** The .reg text for a tree whose root is at `rootPath` (e.g. 'HKEY_LOCAL_MACHINE\SOFTWARE\Lab'). */
export function treeToRegText(tree: RegTreeKey, rootPath: string, opts: RegExportOptions = {}): string {
  let out = '';
  for (const chunk of regTextChunks(treeKeys(tree, rootPath), opts)) out += chunk;
  return out;
}

/** Bytes of a .reg file in the flavor's encoding. */
export function encodeRegText(text: string, opts: RegExportOptions = {}): Buffer {
  if (opts.flavor === 'samba') return Buffer.from(text, 'utf8');
  return encodeRegFile(text, opts.version ?? 5);
}

export function treeToReg(tree: RegTreeKey, rootPath: string, opts: RegExportOptions = {}): Buffer {
  return encodeRegText(treeToRegText(tree, rootPath, opts), opts);
}
