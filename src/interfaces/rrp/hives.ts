// The store side of the hive methods (BaseRegSaveKey/SaveKeyEx, RestoreKey, LoadKey, ReplaceKey):
// a store subtree to a RegTreeKey for the regf writer, and a RegTreeKey (from the regf reader) into
// the store. The RRP server checks privileges and file names first; these run as the trusted path API.
import type { RegTreeKey } from '../../formats/tree.js';
import type { PathApi } from '../../registry/index.js';

/** The subtree at `path` (a tool path, `HKEY_LOCAL_MACHINE\...`), named `name`. */
export async function subtreeOf(api: PathApi, path: string, name: string): Promise<RegTreeKey> {
  const info = await api.openKey(path);
  const key: RegTreeKey = {
    name,
    ...(info.className ? { className: info.className } : {}),
    lastWrite: info.lastWrite,
    securityDescriptor: await api.getSecurity(path, 0x7),
    values: (await api.listValues(path)).map((v) => ({ name: v.name, type: v.type, data: v.data })),
    subkeys: [],
  };
  for (const sub of await api.listSubkeys(path)) key.subkeys.push(await subtreeOf(api, `${path}\\${sub}`, sub));
  return key;
}

/** Writes `tree`'s values and subkeys at `path` (which exists); `replace` first empties the key. */
export async function graftTree(api: PathApi, path: string, tree: RegTreeKey, replace: boolean, volatile = false): Promise<void> {
  if (replace) {
    for (const sub of await api.listSubkeys(path)) await api.deleteKey(`${path}\\${sub}`, { recursive: true });
    for (const v of await api.listValues(path)) await api.deleteValue(path, v.name);
  }
  for (const v of tree.values) await api.setValue(path, v.name, v.type, v.data);
  for (const sub of tree.subkeys) {
    const p = `${path}\\${sub.name}`;
    await api.createKey(p, { ...(sub.className ? { className: sub.className } : {}), ...(volatile ? { volatile: true } : {}) });
    // the hive's descriptor as it was saved (a descriptor given at creation would be re-derived
    // from the new parent, dropping the ACEs the key had inherited where it was saved)
    if (sub.securityDescriptor) await api.setSecurity(p, sub.securityDescriptor, 0x7);
    await graftTree(api, p, sub, false, volatile);
  }
}
