// .reg operations ↔ a RegTreeKey. Import maps one key path of the file (by default the first key's)
// onto the tree's root; export writes a tree in regedit's layout, keys in the tree's order (the order
// the source enumerates them in: sorted for a hive, insertion order for Samba's registry).

import { FormatError } from '../../util/errors.js';
import { deleteValue, newKey, setValue, upcaseName, type RegTreeKey, type RegTreeValue } from '../tree.js';
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

export function regToTree(file: RegFile | RegOp[], opts: RegToTreeOptions = {}): RegTreeKey {
  const ops = Array.isArray(file) ? file : file.ops;
  const rootPath = opts.root ?? ops.find((o) => o.kind === 'key')?.path;
  if (rootPath === undefined) throw new FormatError(FORMAT, 0, 'at least one [key] line');
  const rootParts = splitKeyPath(rootPath).map(upcaseName);
  const root = newKey(splitKeyPath(rootPath).at(-1) ?? '');
  // upcased relative path → key, so that big files do not scan sibling lists over and over
  const index = new Map<string, RegTreeKey>([['', root]]);

  const relative = (op: RegOp): string[] => {
    const parts = splitKeyPath(op.path);
    const ok = parts.length >= rootParts.length && rootParts.every((p, i) => upcaseName(parts[i]!) === p);
    if (!ok) throw new FormatError(FORMAT, 0, `a key under ${rootPath}`, op.path, { line: op.line, column: 1 });
    return parts.slice(rootParts.length);
  };
  const ensure = (parts: string[]): RegTreeKey => {
    let k = root;
    let id = '';
    for (const part of parts) {
      id += '\\' + upcaseName(part);
      let next = index.get(id);
      if (!next) {
        next = newKey(part);
        k.subkeys.push(next);
        index.set(id, next);
      }
      k = next;
    }
    return k;
  };

  for (const op of ops) {
    const parts = relative(op);
    switch (op.kind) {
      case 'key':
        ensure(parts);
        break;
      case 'value':
        setValue(ensure(parts), op.name, op.type, op.data);
        break;
      case 'deleteValue': {
        const k = index.get(parts.map((p) => '\\' + upcaseName(p)).join(''));
        if (k) deleteValue(k, op.name);
        break;
      }
      case 'deleteKey': {
        if (parts.length === 0) throw new FormatError(FORMAT, 0, 'a deletion below the root key', op.path, { line: op.line, column: 1 });
        const id = parts.map((p) => '\\' + upcaseName(p)).join('');
        const k = index.get(id);
        if (!k) break;
        const parent = index.get(parts.slice(0, -1).map((p) => '\\' + upcaseName(p)).join(''))!;
        parent.subkeys.splice(parent.subkeys.indexOf(k), 1);
        for (const key of [...index.keys()]) if (key === id || key.startsWith(id + '\\')) index.delete(key);
        break;
      }
    }
  }
  return root;
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
