// Recursive reads of a remote registry: a subtree into a RegTreeKey (formats/tree.ts), with several
// keys in work at once and, inside each key, its enumeration calls in flight together.
import { compareNames, newKey, type RegTreeKey } from '../formats/tree.js';
import type { RegistryClient, RegistryKey, SubkeyEntry } from '../interfaces/rrp/client.js';

export interface WalkOptions {
  /** Keys in work at once (default 8). */
  concurrency?: number;
  /** Skip values (subkey names only). */
  keysOnly?: boolean;
  view?: 32 | 64;
  /** Called once per key read (progress). */
  onKey?: (path: string, values: number) => void;
  signal?: AbortSignal;
}

/**
 * Reads `path` and everything below it. Subkeys come back sorted as regedit lists them.
 *
 * Each key is opened through its parent's handle (one path component for the server to resolve, not
 * the whole path from the hive root), so a subtree stays on its parent's association; the children of
 * the first key that has several are spread over the client's associations. A parent's handle is
 * closed once all its children are open. Counts come from one QueryInfoKey per key (a snapshot: no
 * extra enumeration call past the end).
 */
export async function readTree(client: RegistryClient, path: string, opts: WalkOptions = {}): Promise<RegTreeKey> {
  const base = path.replace(/\\+$/, '');
  const root = newKey(base.slice(base.lastIndexOf('\\') + 1));
  const view = opts.view ? { view: opts.view } : {};
  const gate = new Gate(Math.max(1, opts.concurrency ?? 8));
  const spreadOver = client.connections;
  let spread = false;
  let failed: unknown = null;
  const closing: Promise<unknown>[] = [];

  // open: how to get this key's handle; returns when the key and its subtree are read
  const visit = async (key: RegTreeKey, p: string, open: () => Promise<RegistryKey>, opened: () => void): Promise<void> => {
    let k: RegistryKey;
    let subs: SubkeyEntry[];
    await gate.enter();
    try {
      // after a failure the keys still queued are not opened at all
      if (failed !== null) throw failed;
      opts.signal?.throwIfAborted();
      try {
        k = await open();
      } finally {
        opened();
      }
      try {
        const info = await k.queryInfo();
        key.lastWrite = info.lastWriteTime;
        if (info.className) key.className = info.className;
        const [s, values] = await Promise.all([k.subkeys(info, { snapshot: true }), opts.keysOnly ? Promise.resolve([]) : k.valueList(info, { snapshot: true })]);
        subs = s;
        key.values = values.map((v) => ({ name: v.name, type: v.type, data: v.data }));
        opts.onKey?.(p, values.length);
      } catch (err) {
        closing.push(k.close().catch(() => undefined));
        throw err;
      }
    } catch (err) {
      failed ??= err;
      throw err;
    } finally {
      gate.leave();
    }
    subs.sort((a, b) => compareNames(a.name, b.name));
    const spreadHere = !spread && subs.length > 1 && spreadOver > 1;
    if (spreadHere) spread = true;
    // the handle stays open until every child has been opened through it
    let waiting = subs.length;
    const childOpened = () => {
      if (--waiting === 0) closing.push(k.close().catch(() => undefined));
    };
    if (waiting === 0) closing.push(k.close().catch(() => undefined));
    const base0 = k.association;
    await Promise.all(subs.map((s, i) => {
      const child = newKey(s.name);
      child.lastWrite = s.lastWriteTime;
      key.subkeys.push(child);
      const cp = `${p}\\${s.name}`;
      const association = (base0 + i) % spreadOver;
      const open = spreadHere && association !== base0
        ? () => client.openKey(cp, { ...view, association })
        : () => k.openKey(s.name, view);
      return visit(child, cp, open, childOpened);
    }));
  };
  try {
    await visit(root, base, () => client.openKey(base, view), () => undefined);
  } finally {
    await Promise.all(closing);
  }
  return root;
}

/** At most `n` holders at a time; the others wait in order. */
class Gate {
  private free: number;
  private readonly queue: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  enter(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }
  leave(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free++;
  }
}

/** Every key of a tree with its full path, parents first (depth first, in the tree's order). */
export function* walkTree(tree: RegTreeKey, rootPath: string): Generator<{ path: string; key: RegTreeKey }> {
  const stack = [{ key: tree, path: rootPath }];
  while (stack.length > 0) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.key.subkeys.length - 1; i >= 0; i--) stack.push({ key: e.key.subkeys[i]!, path: `${e.path}\\${e.key.subkeys[i]!.name}` });
  }
}
