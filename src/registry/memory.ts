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

export class KeyNode implements KeyRecord {
  id: number;
  path: string;
  uname: string;
  className: string;
  lastWrite: bigint;
  flags: number;
  sd: Buffer;
  parent: KeyNode | undefined;
  children: Map<string, KeyNode> | undefined;
  sorted: KeyNode[] | undefined;
  vals: Map<string, ValueRecord> | undefined;
  constructor(id: number, path: string, className: string, lastWrite: bigint, flags: number, sd: Buffer, parent?: KeyNode) {
    this.id = id;
    this.path = path;
    this.uname = upcase(baseName(path));
    this.className = className;
    this.lastWrite = lastWrite;
    this.flags = flags;
    this.sd = sd;
    this.parent = parent;
    this.children = undefined;
    this.sorted = undefined;
    this.vals = undefined;
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

export class MemoryTree implements StoreReader {
  readonly byPath = new Map<string, KeyNode>();
  nextId = 1;
  readonly root: KeyNode;

  constructor(rootSd: Buffer = Buffer.alloc(0), lastWrite = 0n) {
    this.root = new KeyNode(0, '', '', lastWrite, 0, rootSd);
    this.byPath.set('', this.root);
  }

  node(upath: string): KeyNode | undefined {
    return this.byPath.get(upath);
  }

  async key(upath: string): Promise<KeyRecord | undefined> {
    return this.byPath.get(upath);
  }
  async subkeys(upath: string): Promise<KeyRecord[]> {
    const n = this.byPath.get(upath);
    return n ? this.sortedChildren(n) : EMPTY;
  }
  async subkeyCount(upath: string): Promise<number> {
    return this.byPath.get(upath)?.children?.size ?? 0;
  }
  async values(upath: string): Promise<ValueRecord[]> {
    const v = this.byPath.get(upath)?.vals;
    return v ? [...v.values()] : EMPTY;
  }
  async value(upath: string, uname: string): Promise<ValueRecord | undefined> {
    return this.byPath.get(upath)?.vals?.get(uname);
  }

  async chain(upaths: readonly string[]): Promise<(KeyRecord | undefined)[]> {
    return upaths.map((p) => this.byPath.get(p));
  }

  sortedChildren(n: KeyNode): KeyNode[] {
    if (!n.children) return EMPTY;
    if (!n.sorted) n.sorted = [...n.children.values()].sort((a, b) => (a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0));
    return n.sorted;
  }

  /** Inserts a node under its (existing) parent; used by the writer and by snapshot/journal replay. */
  attach(node: KeyNode): void {
    const parent = this.byPath.get(upcase(parentPath(node.path)));
    if (!parent) throw new Error(`registry tree: no parent for ${node.path}`);
    node.parent = parent;
    (parent.children ??= new Map()).set(node.uname, node);
    parent.sorted = undefined;
    this.byPath.set(upcase(node.path), node);
    if (node.id >= this.nextId) this.nextId = node.id + 1;
  }

  /** Removes a node and its subtree; returns the removed nodes (parents first) for undo. */
  detach(node: KeyNode): void {
    const parent = node.parent!;
    parent.children!.delete(node.uname);
    parent.sorted = undefined;
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      this.byPath.delete(upcase(n.path));
      if (n.children) for (const c of n.children.values()) stack.push(c);
    }
  }

  /** Re-inserts a detached subtree as it was. */
  reattach(node: KeyNode): void {
    const parent = node.parent!;
    (parent.children ??= new Map()).set(node.uname, node);
    parent.sorted = undefined;
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      this.byPath.set(upcase(n.path), n);
      if (n.children) for (const c of n.children.values()) stack.push(c);
    }
  }

  setValueRaw(n: KeyNode, v: ValueRecord): ValueRecord | undefined {
    const vals = (n.vals ??= new Map());
    const u = upcase(v.name);
    const old = vals.get(u);
    vals.set(u, v);
    return old;
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
  chain(upaths: readonly string[]) {
    return this.tree.chain(upaths);
  }

  private need(upath: string): KeyNode {
    const n = this.tree.node(upath);
    if (!n) throw new Error(`registry tree: no key ${upath}`);
    return n;
  }

  async createKey(k: NewKey): Promise<KeyRecord> {
    const t = this.tree;
    const node = new KeyNode(t.nextId, k.path, k.className, k.lastWrite, k.flags, k.sd);
    const nextId = t.nextId;
    t.attach(node);
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
    const u = upcase(value.name);
    const had = n.vals?.has(u) ?? false;
    const old = this.tree.setValueRaw(n, value);
    this.undo.push(() => {
      if (had) n.vals!.set(u, old!);
      else n.vals!.delete(u);
    });
    if (!isVolatile(n)) this.ops.push({ op: 'set', path: n.path, value });
  }

  async deleteValue(upath: string, uname: string): Promise<boolean> {
    const n = this.need(upath);
    const old = n.vals?.get(uname);
    if (!old) return false;
    // Undo must restore the value at its old index, so keep the whole order.
    const order = [...n.vals!.entries()];
    n.vals!.delete(uname);
    this.undo.push(() => {
      n.vals = new Map(order);
    });
    if (!isVolatile(n)) this.ops.push({ op: 'unset', path: n.path, name: old.name });
    return true;
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
  }
}

/** Exclusive access for writers, handed over in arrival order. */
export class WriteLock {
  private locked = false;
  private readonly waiters: (() => void)[] = [];
  acquire(): Promise<void> | undefined {
    if (!this.locked) {
      this.locked = true;
      return undefined;
    }
    return new Promise((r) => this.waiters.push(r));
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/** A store that lives only in memory: tests and throwaway registries. */
export class MemoryBackend implements StorageBackend {
  readonly kind: 'memory' | 'embedded' | 'postgres' = 'memory';
  readonly tree: MemoryTree;
  protected readonly lock = new WriteLock();
  constructor(tree = new MemoryTree()) {
    this.tree = tree;
  }
  async read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    return fn(this.tree);
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
