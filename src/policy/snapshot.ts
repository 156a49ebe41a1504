// What the policy engine records so that an applied file can be rolled back: values as JSON-safe
// type + hex, and whole subtrees for keys that **DeleteKeys removed.

import type { PathApi } from '../registry/index.js';
import { SecurityDescriptor } from '../security/index.js';

export interface ValueJson {
  type: number;
  /** lowercase hex */
  data: string;
}

export interface KeySnapshot {
  className: string;
  /** SDDL of the key's own descriptor */
  security: string;
  values: ({ name: string } & ValueJson)[];
  subkeys: ({ name: string } & KeySnapshot)[];
}

export function valueJson(v: { type: number; data: Buffer }): ValueJson {
  return { type: v.type, data: v.data.toString('hex') };
}

export async function snapshotKey(tx: PathApi, path: string): Promise<KeySnapshot> {
  const info = await tx.openKey(path);
  const security = SecurityDescriptor.fromBinary(await tx.getSecurity(path)).toSddl();
  const values = (await tx.listValues(path)).map((v) => ({ name: v.name, ...valueJson(v) }));
  const subkeys = [];
  for (const name of await tx.listSubkeys(path)) subkeys.push({ name, ...(await snapshotKey(tx, `${path}\\${name}`)) });
  return { className: info.className, security, values, subkeys };
}

export async function restoreKey(tx: PathApi, path: string, snap: KeySnapshot): Promise<void> {
  await tx.createKey(path, snap.className ? { className: snap.className } : {});
  // set after creation: given at creation it would be merged with what the parent passes down
  await tx.setSecurity(path, SecurityDescriptor.fromSddl(snap.security).toBinary(), 0x7);
  for (const v of snap.values) await tx.setValue(path, v.name, v.type, Buffer.from(v.data, 'hex'));
  for (const k of snap.subkeys) await restoreKey(tx, `${path}\\${k.name}`, k);
}
