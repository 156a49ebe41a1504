// The in-memory key tree: the working copy of the embedded backend (embedded.ts) and, alone, a
// throwaway store for tests. Writes go through MemoryWriter, which keeps an undo list (so a failed
// transaction leaves no trace) and a list of operations (what the journal records).

import {
  upcase,
  parentPath,
  baseName,
  type ChangeEvent,
  type KeyRecord,
  type NewKey,
  type StorageBackend,
  type StoreReader,
  type StoreWriter,
  type ValueRecord,
} from './backend.js';
import { KEYF_VOLATILE } from './constants.js';
import { BinReader, type BinWriter } from './codec.js';
import type { PackedRange } from './snapshot.js';
import { StoredValue, readPackedValue, readStoredValue, skipPackedValue } from './packed.js';

export { StoredValue };

/** A key of the tree. It keeps its own name only: the full path is built from the parents when asked
 * for (journal records, events, new handles), so that a large tree holds no path strings — 100,000
 * keys of depth six held 17 MB of them, with a map from path to key beside. */
export class KeyNode implements KeyRecord {
  id: number;
  /** The key's own name as created, and its upper-case form (the same string when already upper). */
  name: string;
  uname: string;
  className: string;
  lastWrite: bigint;
  flags: number;
  sd: Buffer;
  parent: KeyNode | undefined;
  children: Map<string, KeyNode> | undefined;
  sorted: KeyNode[] | undefined;
  /** Values in insertion order; `index` (upper name → position) only once there are many. */
  vals: ValueRecord[] | undefined;
  index: Map<string, number> | undefined;
  /** Values as loaded from a snapshot, still packed (`packedCount` of them) at `packedAt` in the
   * tree's slab (all keys' packed values in one Buffer, outside the JS heap), `packedLen` bytes;
   * -1 when unpacked. Reads decode them on the fly; a write unpacks the key (valsOf). */
  packedAt = -1;
  packedLen = 0;
  packedCount = 0;
  constructor(id: number, name: string, className: string, lastWrite: bigint, flags: number, sd: Buffer) {
    this.id = id;
    this.name = name;
    this.uname = upcase(name);
    if (this.uname === name) this.uname = name;
    this.className = className;
    this.lastWrite = lastWrite;
    this.flags = flags;
    this.sd = sd;
    this.parent = undefined;
    this.children = undefined;
    this.sorted = undefined;
    this.vals = undefined;
    this.index = undefined;
  }
  /** Full path below \Registry, case-preserved ('' for \Registry itself). */
  get path(): string {
    const p = this.parent;
    return p === undefined ? this.name : p.parent === undefined ? this.name : p.path + '\\' + this.name;
  }
  get upath(): string {
    const p = this.parent;
    return p === undefined ? this.uname : p.parent === undefined ? this.uname : p.upath + '\\' + this.uname;
  }
}

/** A journalled operation (embedded.ts encodes these). */
export type TreeOp =
  | { op: 'create'; key: KeyNode }
  | { op: 'update'; path: string; lastWrite?: bigint; sd?: Buffer; className?: string }
  | { op: 'delete'; path: string }
  | { op: 'set'; path: string; value: ValueRecord }
  | { op: 'unset'; path: string; name: string };

const EMPTY: never[] = [];
const RESOLVED = Promise.resolve();

/** A reader over a packed node's values. */
function packedReader(slab: Buffer, n: KeyNode): BinReader {
  return new BinReader(slab, 'registry snapshot', n.packedAt, n.packedAt + n.packedLen);
}

// Packed keys decoded lately: enumeration by index (BaseRegEnumValue) asks for the same key's list
// once per value. Bounded, so that a full enumeration does not keep the whole registry decoded; a
// packed key never changes without being unpacked (unpack), which drops its entry.
const decoded = new Map<KeyNode, ValueRecord[]>();
const DECODED_MAX = 256;

/** Decodes packed values into records whose data are views of the slab (no copy: reads and
 * enumeration allocate no buffers and do not grow memory). */
function decodePacked(slab: Buffer, n: KeyNode): ValueRecord[] {
  let vals = decoded.get(n);
  if (vals) return vals;
  const r = packedReader(slab, n);
  vals = new Array(n.packedCount);
  for (let i = 0; i < n.packedCount; i++) vals[i] = readPackedValue(r);
  if (decoded.size >= DECODED_MAX) decoded.clear();
  decoded.set(n, vals);
  return vals;
}

/** One packed value by upper-case name. */
function findPacked(slab: Buffer, n: KeyNode, uname: string): ValueRecord | undefined {
  const r = packedReader(slab, n);
  for (let i = 0; i < n.packedCount; i++) {
    const at = r.pos;
    if (sameName(skipPackedValue(r), uname)) {
      r.pos = at;
      return readPackedValue(r);
    }
  }
  return undefined;
}

/** upcase(name) === uname, without building the upper-case string for the common ASCII case. */
export function sameName(name: string, uname: string): boolean {
  if (name.length !== uname.length) return false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    else if (c > 0x7f) return upcase(name) === uname;
    if (c !== uname.charCodeAt(i)) return false;
  }
  return true;
}

// Up to this many values a key is searched linearly (no Map per key: most keys have few values).
const INDEX_AT = 16;

export class MemoryTree implements StoreReader {
  /** Packed values of the keys loaded from a snapshot (see KeyNode.packedAt). */
  slab: Buffer = Buffer.alloc(0);
  nextId = 1;
  readonly root: KeyNode;
  /** The key found last: a client reading a key asks for it by path once per value or subkey. */
  private lastUpath = '';
  private lastNode: KeyNode;

  constructor(rootSd: Buffer = Buffer.alloc(0), lastWrite = 0n) {
    this.root = new KeyNode(0, '', '', lastWrite, 0, rootSd);
    this.lastNode = this.root;
  }

  /** The key at an upper-case path, found name by name from the root. */
  node(upath: string): KeyNode | undefined {
    if (upath === this.lastUpath) return this.lastNode;
    if (upath === '') return this.root;
    let n: KeyNode | undefined = this.root;
    for (let start = 0; ; ) {
      const end = upath.indexOf('\\', start);
      n = n.children?.get(end < 0 ? upath.slice(start) : upath.slice(start, end));
      if (!n) return undefined;
      if (end < 0) break;
      start = end + 1;
    }
    this.lastUpath = upath;
    this.lastNode = n;
    return n;
  }

  /** Forgets the key found last (a key left or came back: the path may name another key now). */
  private forget(): void {
    this.lastUpath = '';
    this.lastNode = this.root;
  }

  /** True when the tree holds no key but the root. */
  get empty(): boolean {
    return !this.root.children?.size;
  }

  async key(upath: string): Promise<KeyRecord | undefined> {
    return this.node(upath);
  }
  async subkeys(upath: string): Promise<KeyRecord[]> {
    const n = this.node(upath);
    return n ? this.sortedChildren(n) : EMPTY;
  }
  async subkeyCount(upath: string): Promise<number> {
    return this.node(upath)?.children?.size ?? 0;
  }
  async values(upath: string): Promise<ValueRecord[]> {
    return this.valuesNow(upath);
  }
  async value(upath: string, uname: string): Promise<ValueRecord | undefined> {
    return this.valueNow(upath, uname);
  }
  valuesNow(upath: string): ValueRecord[] {
    const n = this.node(upath);
    return n ? this.valuesOf(n) : EMPTY;
  }
  valueNow(upath: string, uname: string): ValueRecord | undefined {
    const n = this.node(upath);
    return n && this.valueOf(n, uname);
  }
  valuesOf(n: KeyNode): ValueRecord[] {
    if (n.packedAt >= 0) return decodePacked(this.slab, n);
    return n.vals ?? EMPTY;
  }
  valueOf(n: KeyNode, uname: string): ValueRecord | undefined {
    if (n.packedAt >= 0) return findPacked(this.slab, n, uname);
    const i = this.findValue(n, uname);
    return i < 0 ? undefined : n.vals![i];
  }

  /** A node's values as mutable records, unpacking them if they are still as the snapshot had them. */
  valsOf(n: KeyNode): ValueRecord[] | undefined {
    if (n.packedAt >= 0) {
      decoded.delete(n);
      const r = packedReader(this.slab, n);
      const vals: ValueRecord[] = new Array(n.packedCount);
      for (let i = 0; i < n.packedCount; i++) vals[i] = readStoredValue(r);
      n.packedAt = -1;
      n.vals = vals;
    }
    return n.vals;
  }

  /** Packs every key's values again, into one slab copied from `src` (a snapshot just encoded, with
   * `ranges` from encodeSnapshot): after a compaction the values written since the start leave the JS
   * heap too. Called with the write lock held. */
  repack(src: Buffer, ranges: readonly PackedRange[]): void {
    let total = 0;
    for (const r of ranges) total += r[2];
    const slab = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const [n, from, len, count] of ranges) {
      src.copy(slab, at, from, from + len);
      n.packedAt = at;
      n.packedLen = len;
      n.packedCount = count;
      n.vals = undefined;
      n.index = undefined;
      at += len;
    }
    this.slab = slab;
    decoded.clear();
  }

  /** Position of a value by upper-case name, -1 if absent. */
  findValue(n: KeyNode, uname: string): number {
    const vals = this.valsOf(n);
    if (!vals) return -1;
    if (vals.length > INDEX_AT) {
      if (!n.index) {
        n.index = new Map();
        for (let i = 0; i < vals.length; i++) n.index.set(upcase(vals[i]!.name), i);
      }
      return n.index.get(uname) ?? -1;
    }
    for (let i = 0; i < vals.length; i++) if (sameName(vals[i]!.name, uname)) return i;
    return -1;
  }

  async chain(usegs: readonly string[]): Promise<(KeyRecord | undefined)[]> {
    return this.chainNow(usegs);
  }
  chainNow(usegs: readonly string[]): (KeyRecord | undefined)[] {
    const out: (KeyRecord | undefined)[] = new Array(usegs.length).fill(undefined);
    let n: KeyNode | undefined = this.root;
    for (let i = 0; i < usegs.length && n; i++) {
      n = n.children?.get(usegs[i]!);
      out[i] = n;
    }
    return out;
  }

  sortedChildren(n: KeyNode): KeyNode[] {
    if (!n.children) return EMPTY;
    if (!n.sorted) n.sorted = [...n.children.values()].sort((a, b) => (a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0));
    return n.sorted;
  }

  /** Inserts a node under the key at `parentUpath` (which must exist); the writer and journal replay. */
  attach(parentUpath: string, node: KeyNode): void {
    const parent = this.node(parentUpath);
    if (!parent) throw new Error(`registry tree: no parent ${parentUpath} for ${node.name}`);
    this.attachTo(parent, node);
  }

  /** Inserts a node under a parent node the caller already holds. */
  attachTo(parent: KeyNode, node: KeyNode): void {
    node.parent = parent;
    (parent.children ??= new Map()).set(node.uname, node);
    parent.sorted = undefined;
    if (node.id >= this.nextId) this.nextId = node.id + 1;
  }

  /** Removes a node and its subtree (the subtree stays linked below it, for undo). */
  detach(node: KeyNode): void {
    const parent = node.parent!;
    parent.children!.delete(node.uname);
    parent.sorted = undefined;
    this.forget();
  }

  /** Re-inserts a detached subtree as it was. */
  reattach(node: KeyNode): void {
    const parent = node.parent!;
    this.forget();
    (parent.children ??= new Map()).set(node.uname, node);
    parent.sorted = undefined;
  }

  /** Sets a value; an overwrite keeps its position. Returns the replaced value and its index. */
  setValueRaw(n: KeyNode, value: ValueRecord): { old: ValueRecord; at: number } | undefined {
    const v = StoredValue.of(value);
    const u = upcase(v.name);
    const i = this.findValue(n, u);
    if (i >= 0) {
      const old = n.vals![i]!;
      n.vals![i] = v;
      return { old, at: i };
    }
    if (!n.vals) n.vals = [v];
    else {
      n.vals.push(v);
      n.index?.set(u, n.vals.length - 1);
    }
    return undefined;
  }

  /** Appends a value known to be absent (its upper-case name `uname`). */
  appendValue(n: KeyNode, uname: string, v: StoredValue): void {
    if (!n.vals) n.vals = [v];
    else {
      n.vals.push(v);
      n.index?.set(uname, n.vals.length - 1);
    }
  }

  /** Removes a value; returns it and where it was. */
  deleteValueRaw(n: KeyNode, uname: string): { old: ValueRecord; at: number } | undefined {
    const i = this.findValue(n, uname);
    if (i < 0) return undefined;
    const old = n.vals![i]!;
    n.vals!.splice(i, 1);
    n.index = undefined;
    return { old, at: i };
  }

  /** Undo of setValueRaw/deleteValueRaw (called in reverse order of the changes). */
  unsetValueRaw(n: KeyNode, v: ValueRecord, replaced: { old: ValueRecord; at: number } | undefined): void {
    if (replaced) n.vals![replaced.at] = replaced.old;
    else {
      n.vals!.pop();
      n.index?.delete(upcase(v.name));
    }
  }
  undeleteValueRaw(n: KeyNode, gone: { old: ValueRecord; at: number }): void {
    this.valsOf(n);
    (n.vals ??= []).splice(gone.at, 0, gone.old);
    n.index = undefined;
  }
}

/** True when the key or any ancestor is volatile: its changes never reach storage (§3.1.1.2). */
export function isVolatile(n: KeyNode): boolean {
  return (n.flags & KEYF_VOLATILE) !== 0;
}

export class MemoryWriter implements StoreWriter {
  readonly changes: ChangeEvent[] = [];
  readonly undo: (() => void)[] = [];
  readonly ops: TreeOp[] = [];
  constructor(readonly tree: MemoryTree) {}

  key(upath: string) {
    return this.tree.key(upath);
  }
  subkeys(upath: string) {
    return this.tree.subkeys(upath);
  }
  subkeyCount(upath: string) {
    return this.tree.subkeyCount(upath);
  }
  values(upath: string) {
    return this.tree.values(upath);
  }
  value(upath: string, uname: string) {
    return this.tree.value(upath, uname);
  }
  chain(usegs: readonly string[]) {
    return this.tree.chain(usegs);
  }
  /** The writer holds the whole tree already. */
  lockKey(upath: string) {
    return this.tree.key(upath);
  }

  private need(upath: string): KeyNode {
    const n = this.tree.node(upath);
    if (!n) throw new Error(`registry tree: no key ${upath}`);
    return n;
  }

  async createKey(k: NewKey): Promise<KeyRecord> {
    const t = this.tree;
    const node = new KeyNode(t.nextId, baseName(k.path), k.className, k.lastWrite, k.flags, k.sd);
    const nextId = t.nextId;
    t.attach(upcase(parentPath(k.path)), node);
    this.undo.push(() => {
      t.detach(node);
      t.nextId = nextId;
    });
    if (!isVolatile(node)) this.ops.push({ op: 'create', key: node });
    return node;
  }

  async updateKey(upath: string, patch: { lastWrite?: bigint; sd?: Buffer; className?: string }): Promise<void> {
    const n = this.need(upath);
    const before = { lastWrite: n.lastWrite, sd: n.sd, className: n.className };
    if (patch.lastWrite !== undefined) n.lastWrite = patch.lastWrite;
    if (patch.sd !== undefined) n.sd = patch.sd;
    if (patch.className !== undefined) n.className = patch.className;
    this.undo.push(() => {
      n.lastWrite = before.lastWrite;
      n.sd = before.sd;
      n.className = before.className;
    });
    if (!isVolatile(n) && n.id !== 0) this.ops.push({ op: 'update', path: n.path, ...patch });
  }

  async deleteKey(upath: string): Promise<void> {
    const n = this.need(upath);
    this.tree.detach(n);
    this.undo.push(() => this.tree.reattach(n));
    if (!isVolatile(n)) this.ops.push({ op: 'delete', path: n.path });
  }

  async setValue(upath: string, value: ValueRecord): Promise<void> {
    const n = this.need(upath);
    const replaced = this.tree.setValueRaw(n, value);
    this.undo.push(() => this.tree.unsetValueRaw(n, value, replaced));
    if (!isVolatile(n)) this.ops.push({ op: 'set', path: n.path, value });
  }

  async deleteValue(upath: string, uname: string): Promise<boolean> {
    const n = this.need(upath);
    const gone = this.tree.deleteValueRaw(n, uname);
    if (!gone) return false;
    this.undo.push(() => this.tree.undeleteValueRaw(n, gone));
    if (!isVolatile(n)) this.ops.push({ op: 'unset', path: n.path, name: gone.old.name });
    return true;
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
  }
}

/** Exclusive access for writers, handed over in arrival order. Readers wait for the moment between
 * two writers (`between`), so that no read sees a write half done. */
export class WriteLock {
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  private readers: (() => void)[] = [];
  get busy(): boolean {
    return this.locked;
  }
  acquire(): Promise<void> | undefined {
    if (!this.locked) {
      this.locked = true;
      return undefined;
    }
    return new Promise((r) => this.waiters.push(r));
  }
  /** Resolves when the current writer has released the lock (before the next one starts). */
  between(): Promise<void> {
    return new Promise((r) => this.readers.push(r));
  }
  release(): void {
    // Waiting readers run first: their continuations are queued before the next writer's.
    if (this.readers.length) {
      const rs = this.readers;
      this.readers = [];
      for (const r of rs) r();
    }
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** The tree as readers see it: each call answers from a state between writes (MS-RRP says nothing of
 * isolation; a transaction must not be seen half done — issue 4 §1). */
class GatedReader implements StoreReader {
  constructor(
    private readonly tree: MemoryTree,
    private readonly lock: WriteLock,
  ) {}
  async key(upath: string): Promise<KeyRecord | undefined> {
    if (this.lock.busy) await this.lock.between();
    return this.tree.node(upath);
  }
  async subkeys(upath: string): Promise<KeyRecord[]> {
    if (this.lock.busy) await this.lock.between();
    const n = this.tree.node(upath);
    return n ? this.tree.sortedChildren(n) : EMPTY;
  }
  async subkeyCount(upath: string): Promise<number> {
    if (this.lock.busy) await this.lock.between();
    return this.tree.node(upath)?.children?.size ?? 0;
  }
  async values(upath: string): Promise<ValueRecord[]> {
    if (this.lock.busy) await this.lock.between();
    return this.tree.valuesNow(upath);
  }
  async value(upath: string, uname: string): Promise<ValueRecord | undefined> {
    if (this.lock.busy) await this.lock.between();
    return this.tree.valueNow(upath, uname);
  }
  async chain(usegs: readonly string[]): Promise<(KeyRecord | undefined)[]> {
    if (this.lock.busy) await this.lock.between();
    return this.tree.chainNow(usegs);
  }
}

/** A store that lives only in memory: tests and throwaway registries. */
export class MemoryBackend implements StorageBackend {
  readonly kind: 'memory' | 'embedded' | 'postgres' = 'memory';
  readonly tree: MemoryTree;
  protected readonly lock = new WriteLock();
  private readonly reader: GatedReader;
  constructor(tree = new MemoryTree()) {
    this.tree = tree;
    this.reader = new GatedReader(tree, this.lock);
  }
  async read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    return fn(this.reader);
  }
  /** True when a trusted caller may change the tree synchronously now (no writer in progress); it
   * then makes the change durable with `journal`. */
  get canDirect(): boolean {
    return !this.lock.busy;
  }
  /** Adds records (written by `encode`) to the journal's current group; resolves once durable. The
   * memory backend keeps nothing. */
  journal(_encode: (w: BinWriter) => void): Promise<void> {
    return RESOLVED;
  }
  async write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T> {
    const wait = this.lock.acquire();
    if (wait) await wait;
    const w = new MemoryWriter(this.tree);
    let result: T;
    let durable: Promise<void> | undefined;
    try {
      result = await fn(w);
      durable = this.commit(w);
    } catch (err) {
      w.rollback();
      throw err;
    } finally {
      this.lock.release();
    }
    if (durable) await durable;
    return result;
  }
  /** Called with the lock held once fn succeeded; the embedded backend journals `w.ops` here. */
  protected commit(_w: MemoryWriter): Promise<void> | undefined {
    return undefined;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
