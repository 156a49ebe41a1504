// The trusted path API's common read and write — get a value; set one, creating the key if needed —
// done directly on the in-memory tree. A write is one synchronous step (atomic for readers) whose
// journal records are encoded straight into the current group's frame. Both apply the rules of the
// handle path (session.ts openKey/queryValue, createKey + setIn: inherited descriptors, last-write
// times, change events) and give up (return undefined) on anything out of the ordinary: a writer
// holding the lock, a symbolic link or volatile key on the way, HKCR/HKCC, odd names. The caller then
// takes the ordinary path, which gives the Windows answer for those cases.

import { upcase, type ChangeEvent, type ValueRecord } from './backend.js';
import { KEYF_LINK, KEYF_VOLATILE, MAX_DEPTH, MAX_KEY_NAME } from './constants.js';
import { encodeCreate, encodeLastWrite, encodeSetValue } from './journal.js';
import { KeyNode, StoredValue, type MemoryBackend } from './memory.js';
import type { StoreCore } from './store.js';
import { SYSTEM_SID } from './session.js';

// Tool root names the fast path serves (64-bit view, no per-caller mapping beyond HKCU = SYSTEM's),
// upper-case with their separator, and where they are below \Registry.
const ROOTS: [prefix: string, physical: string][] = [
  ['HKLM\\', 'Machine'],
  ['HKEY_LOCAL_MACHINE\\', 'Machine'],
  ['HKU\\', 'User'],
  ['HKEY_USERS\\', 'User'],
  ['HKCU\\', `User\\${SYSTEM_SID}`],
  ['HKEY_CURRENT_USER\\', `User\\${SYSTEM_SID}`],
];
const ROOTS_UPPER = ROOTS.map(([p, phys]) => [p, upcase(phys)] as const);

/** Which of ROOTS an upper-case tool path starts with, or -1 when the name needs the full parser
 * (other roots, object names, empty components, trailing separators, NULs). */
function rootOf(upath: string): number {
  for (let r = 0; r < ROOTS.length; r++) {
    const prefix = ROOTS[r]![0];
    if (!upath.startsWith(prefix)) continue;
    const rest = prefix.length;
    if (upath.length === rest || upath.charCodeAt(rest) === 0x5c || upath.charCodeAt(upath.length - 1) === 0x5c) return -1;
    if (upath.includes('\\\\', rest) || upath.includes('\0', rest)) return -1;
    return r;
  }
  return -1;
}

/** The plain key at a tool path, when it can be read directly now; undefined when the ordinary path
 * must answer (a writer busy, no such key — a link may lead there —, a link key, odd names). */
export function directKey(b: MemoryBackend, path: string): KeyNode | undefined {
  if (!b.canDirect) return undefined;
  const upTool = upcase(path);
  const r = rootOf(upTool);
  if (r < 0) return undefined;
  const node = b.tree.node(ROOTS_UPPER[r]![1] + upTool.slice(ROOTS[r]![0].length - 1));
  return node && !(node.flags & KEYF_LINK) ? node : undefined;
}

/** Value `name` of the key at a tool path: the value, false when the key is a plain key without it,
 * undefined when the ordinary path must answer (see directKey). */
export function directGetValue(b: MemoryBackend, path: string, name: string): ValueRecord | false | undefined {
  if (name.includes('\0')) return undefined;
  const node = directKey(b, path);
  if (!node) return undefined;
  return b.tree.valueOf(node, upcase(name)) ?? false;
}

/**
 * Sets `vname` (already checked by checkValue) on the key at a tool path. Returns the promise of
 * durability, or undefined when the ordinary path must be taken (nothing has been changed then).
 */
export function directSetValue(core: StoreCore, b: MemoryBackend, path: string, vname: string, type: number, data: Buffer): Promise<void> | undefined {
  if (!b.canDirect) return undefined;
  const upTool = upcase(path);
  const r = rootOf(upTool);
  if (r < 0) return undefined;
  const tree = b.tree;
  const at = ROOTS[r]![0].length - 1;
  const up = ROOTS_UPPER[r]![1] + upTool.slice(at);
  let node = tree.node(up);
  let created: { keys: KeyNode[]; parent: KeyNode; at: bigint } | undefined;
  if (node) {
    if (node.flags & KEYF_LINK) return undefined;
  } else {
    // The deepest existing ancestor; links have no subkeys, so the keys above it are plain keys.
    let cut = up.length;
    let parent: KeyNode | undefined;
    for (;;) {
      cut = up.lastIndexOf('\\', cut - 1);
      if (cut < 0) return undefined;
      parent = tree.node(up.slice(0, cut));
      if (parent) break;
    }
    // Below a link or a volatile key, or a hive's top key (its own default descriptor): the ordinary path.
    if (parent.flags & (KEYF_LINK | KEYF_VOLATILE) || parent.parent === undefined || parent.parent === tree.root) return undefined;
    // Case-preserved names of the keys to make: the tail of the path as given.
    const names = path.slice(path.length - (up.length - cut - 1)).split('\\');
    if (up.split('\\').length - 1 > MAX_DEPTH) return undefined;
    for (const n of names) if (n.length > MAX_KEY_NAME) return undefined;
    const now = core.now();
    created = { keys: [], parent, at: now };
    let p = parent;
    for (const name of names) {
      const sd = core.security.createChild(p.sd, undefined, undefined);
      const k = new KeyNode(tree.nextId, name, '', now, 0, sd);
      tree.attachTo(p, k);
      created.keys.push(k);
      p = k;
    }
    parent.lastWrite = now;
    node = p;
  }
  // An overwritten value keeps its name's case and its place (as setIn).
  const uname = upcase(vname);
  const old = tree.findValue(node, uname);
  const name = old >= 0 ? node.vals![old]!.name : vname;
  const value = new StoredValue(name, type, data.toString('latin1'));
  if (old >= 0) node.vals![old] = value;
  else tree.appendValue(node, uname, value);
  const lastWrite = core.now();
  node.lastWrite = lastWrite;
  const target = node;
  // A volatile key's changes never reach storage (§3.1.1.2).
  const durable =
    target.flags & KEYF_VOLATILE
      ? Promise.resolve()
      : b.journal((w) => {
          if (created) {
            for (const k of created.keys) encodeCreate(w, k);
            encodeLastWrite(w, created.parent.path, created.at);
          }
          encodeSetValue(w, target.path, lastWrite, name, type, data);
        });
  if (core.notify.size === 0) return durable;
  const changes: ChangeEvent[] = [];
  if (created) for (const k of created.keys) changes.push({ kind: 'key-created', path: k.path });
  changes.push({ kind: 'value-set', path: target.path, name });
  return durable.then(() => core.notify.dispatch(changes));
}
