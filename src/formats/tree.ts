// The plain in-memory registry tree that the file formats produce and consume (regf hives, .reg
// text). It knows nothing of any store: import/export glue converts between it and a store.

export interface RegTreeValue {
  /** '' is the default value. */
  name: string;
  /** REG_* code; any 32-bit number is kept as is. */
  type: number;
  /** Raw data bytes as stored (strings UTF-16LE). */
  data: Buffer;
}

export interface RegTreeKey {
  name: string;
  className?: string;
  /** FILETIME: 100 ns intervals since 1601-01-01 UTC. */
  lastWrite?: bigint;
  /** Self-relative SECURITY_DESCRIPTOR (MS-DTYP §2.4.6). */
  securityDescriptor?: Buffer;
  /** A symbolic link (REG_OPTION_CREATE_LINK): its target is the REG_LINK value "SymbolicLinkValue". */
  symbolicLink?: boolean;
  values: RegTreeValue[];
  subkeys: RegTreeKey[];
}

export function newKey(name: string): RegTreeKey {
  return { name, values: [], subkeys: [] };
}

/** Registry names compare case-insensitively: each UTF-16 unit upcased on its own (as
 * RtlUpcaseUnicodeChar does), then by unit value. */
export function upcaseName(s: string): string {
  let simple = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      simple = false;
      break;
    }
  }
  if (simple) return s.toUpperCase();
  let out = '';
  for (const ch of s.split('')) {
    const u = ch.toUpperCase();
    out += u.length === 1 ? u : ch;
  }
  return out;
}

export function compareNames(a: string, b: string): number {
  const ua = upcaseName(a);
  const ub = upcaseName(b);
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

export function findSubkey(key: RegTreeKey, name: string): RegTreeKey | undefined {
  const u = upcaseName(name);
  return key.subkeys.find((k) => upcaseName(k.name) === u);
}

/** The key at `path` ('A\B\C', relative to `root`), created with its parents when missing. */
export function ensureKey(root: RegTreeKey, path: string[]): RegTreeKey {
  let k = root;
  for (const part of path) {
    let next = findSubkey(k, part);
    if (!next) {
      next = newKey(part);
      k.subkeys.push(next);
    }
    k = next;
  }
  return k;
}

export function lookupKey(root: RegTreeKey, path: string[]): RegTreeKey | undefined {
  let k: RegTreeKey | undefined = root;
  for (const part of path) {
    k = k && findSubkey(k, part);
    if (!k) return undefined;
  }
  return k;
}

/** Sets (replaces, case-insensitively by name) one value. */
export function setValue(key: RegTreeKey, name: string, type: number, data: Buffer): void {
  const u = upcaseName(name);
  const i = key.values.findIndex((v) => upcaseName(v.name) === u);
  if (i >= 0) key.values[i] = { name: key.values[i]!.name, type, data };
  else key.values.push({ name, type, data });
}

export function deleteValue(key: RegTreeKey, name: string): boolean {
  const u = upcaseName(name);
  const i = key.values.findIndex((v) => upcaseName(v.name) === u);
  if (i >= 0) key.values.splice(i, 1);
  return i >= 0;
}

export function deleteSubkey(key: RegTreeKey, name: string): boolean {
  const u = upcaseName(name);
  const i = key.subkeys.findIndex((k) => upcaseName(k.name) === u);
  if (i >= 0) key.subkeys.splice(i, 1);
  return i >= 0;
}

/** Subkeys in the order Windows keeps them (and RegEnumKey returns them). */
export function sortedSubkeys(key: RegTreeKey): RegTreeKey[] {
  return key.subkeys.slice().sort((a, b) => compareNames(a.name, b.name));
}

/** Number of keys in the tree, the root included. */
export function countKeys(key: RegTreeKey): number {
  let n = 1;
  for (const s of key.subkeys) n += countKeys(s);
  return n;
}
