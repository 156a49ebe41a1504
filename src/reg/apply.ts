// Writes to a remote registry: a .reg file's operations in order, and a tree copied under a key.
import type { RegOp } from '../formats/regtext/parser.js';
import type { RegTreeKey } from '../formats/tree.js';
import { mapLimit, type RegistryClient, type RegistryKey } from '../interfaces/rrp/client.js';
import { Win32Error } from '../util/win32.js';

const ERROR_FILE_NOT_FOUND = 2;

/** Applies `ops` (parsed .reg) in file order; keys stay open while their values are written. */
export async function applyRegOps(client: RegistryClient, ops: RegOp[], onKey?: (path: string) => void): Promise<{ keys: number; values: number }> {
  let current: { path: string; key: RegistryKey } | undefined;
  let keys = 0;
  let values = 0;
  const keyFor = async (path: string) => {
    if (current?.path.toUpperCase() === path.toUpperCase()) return current.key;
    await current?.key.close();
    current = { path, key: await client.createKey(path) };
    keys++;
    onKey?.(path);
    return current.key;
  };
  try {
    for (const op of ops) {
      if (op.kind === 'key') await keyFor(op.path);
      else if (op.kind === 'deleteKey') {
        await current?.key.close();
        current = undefined;
        try {
          await client.deleteKey(op.path, { recursive: true });
        } catch (err) {
          if (!(err instanceof Win32Error && err.status === ERROR_FILE_NOT_FOUND)) throw err;
        }
      } else if (op.kind === 'value') {
        await (await keyFor(op.path)).setRaw(op.name, op.type, op.data);
        values++;
      } else {
        try {
          await (await keyFor(op.path)).deleteValue(op.name);
        } catch (err) {
          if (!(err instanceof Win32Error && err.status === ERROR_FILE_NOT_FOUND)) throw err;
        }
      }
    }
  } finally {
    await current?.key.close();
  }
  return { keys, values };
}

/** Creates `tree` under `path` (the tree's root becomes `path` itself), siblings in parallel. */
export async function writeTree(client: RegistryClient, path: string, tree: RegTreeKey, concurrency = 8, onKey?: (path: string, values: number) => void): Promise<void> {
  const key = await client.createKey(path);
  try {
    await mapLimit(tree.values, 16, (v) => key.setRaw(v.name, v.type, v.data));
  } finally {
    await key.close();
  }
  onKey?.(path, tree.values.length);
  await mapLimit(tree.subkeys, concurrency, (s) => writeTree(client, `${path}\\${s.name}`, s, concurrency, onKey));
}
