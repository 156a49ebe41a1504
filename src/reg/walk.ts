// Recursive reads of a remote registry: a subtree into a RegTreeKey (formats/tree.ts), with several
// keys in work at once and, inside each key, its enumeration calls in flight together.
import { compareNames, newKey, type RegTreeKey } from '../formats/tree.js';
import { mapLimit, type RegistryClient } from '../interfaces/rrp/client.js';

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

/** Reads `path` and everything below it. Subkeys come back sorted as regedit lists them. */
export async function readTree(client: RegistryClient, path: string, opts: WalkOptions = {}): Promise<RegTreeKey> {
  const base = path.replace(/\\+$/, '');
  const rootName = base.slice(base.lastIndexOf('\\') + 1);
  const root = newKey(rootName);
  const limit = Math.max(1, opts.concurrency ?? 8);
  // a work list rather than recursion: each level's keys are read `limit` at a time
  let level: { key: RegTreeKey; path: string }[] = [{ key: root, path: base }];
  while (level.length > 0) {
    opts.signal?.throwIfAborted();
    const next: { key: RegTreeKey; path: string }[] = [];
    await mapLimit(level, limit, async ({ key, path: p }) => {
      const k = await client.openKey(p, opts.view ? { view: opts.view } : {});
      try {
        const info = await k.queryInfo();
        key.lastWrite = info.lastWriteTime;
        if (info.className) key.className = info.className;
        const [subs, values] = await Promise.all([k.subkeys(info), opts.keysOnly ? Promise.resolve([]) : k.valueList(info)]);
        key.values = values.map((v) => ({ name: v.name, type: v.type, data: v.data }));
        subs.sort((a, b) => compareNames(a.name, b.name));
        for (const s of subs) {
          const child = newKey(s.name);
          child.lastWrite = s.lastWriteTime;
          key.subkeys.push(child);
          next.push({ key: child, path: `${p}\\${s.name}` });
        }
        opts.onKey?.(p, values.length);
      } finally {
        await k.close();
      }
    });
    level = next;
  }
  return root;
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
