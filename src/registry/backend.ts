// The storage interface between the registry's semantics (store.ts, session.ts) and where keys live
// (memory.ts + embedded.ts: a data directory; postgres.ts: a shared database). A backend knows keys by
// their full path from \Registry in upper case ("MACHINE\SOFTWARE\X"), stores what it is given and
// applies one `write` callback atomically; every rule of MS-RRP §3.1.1 lives above it.

/** One key as stored (MS-RRP §3.1.1.1–§3.1.1.3, §3.1.1.6, §3.1.1.10). */
export interface KeyRecord {
  /** Unique for the store's lifetime: a key deleted and created again gets a new id (handles to the
   * old one then fail with ERROR_KEY_DELETED). */
  readonly id: number;
  /** Full path below \Registry, names case-preserved, '\'-separated; '' is \Registry itself. */
  readonly path: string;
  readonly className: string;
  /** FILETIME (100 ns since 1601). */
  readonly lastWrite: bigint;
  /** KEYF_VOLATILE | KEYF_LINK. */
  readonly flags: number;
  /** Self-relative SECURITY_DESCRIPTOR (MS-DTYP §2.4.6). */
  readonly sd: Buffer;
  /** upcase(path), when the backend has it at hand. */
  readonly upath?: string;
}

/** The upper-case path of a record. */
export function upathOf(rec: KeyRecord): string {
  return rec.upath ?? upcase(rec.path);
}

/** One value (MS-RRP §3.1.1.5); `name` case-preserved, '' the default value. */
export interface ValueRecord {
  readonly name: string;
  readonly type: number;
  readonly data: Buffer;
}

export interface NewKey {
  path: string;
  className: string;
  lastWrite: bigint;
  flags: number;
  sd: Buffer;
}

/** What a committed write changed, for change notification (notify.ts). Paths are case-preserved. */
export type ChangeEvent =
  | { kind: 'key-created'; path: string }
  | { kind: 'key-deleted'; path: string }
  | { kind: 'value-set'; path: string; name: string }
  | { kind: 'value-deleted'; path: string; name: string }
  | { kind: 'security'; path: string };

export interface StoreReader {
  /** The key at an upper-case path, or undefined. */
  key(upath: string): Promise<KeyRecord | undefined>;
  /** Direct subkeys ordered by upper-case name (Windows' order, §3.1.1.1 leaves it to the store). */
  subkeys(upath: string): Promise<KeyRecord[]>;
  subkeyCount(upath: string): Promise<number>;
  /** Values in insertion order (an overwritten value keeps its place). */
  values(upath: string): Promise<ValueRecord[]>;
  value(upath: string, uname: string): Promise<ValueRecord | undefined>;
  /** The keys along a path given as upper-case names from \Registry ('MACHINE', 'SOFTWARE', ...):
   * entry i is the key of the first i+1 names. One round trip for SQL. */
  chain(usegs: readonly string[]): Promise<(KeyRecord | undefined)[]>;
  /** For backends where each look-up is a round trip: key() and value() of a handle's key in one —
   * 'gone' when no key with id `keyId` is at `upath` any more. */
  keyValue?(upath: string, keyId: number, uname: string): Promise<ValueRecord | undefined | 'gone'>;
  /** key() and values() in one, as keyValue. */
  keyValues?(upath: string, keyId: number): Promise<ValueRecord[] | 'gone'>;
}

export interface StoreWriter extends StoreReader {
  /** The key, locked against any other change until the write commits (a shared backend: other
   * processes' writes to it wait). Taken before a read-modify-write of the key or its subkey list. */
  lockKey(upath: string): Promise<KeyRecord | undefined>;
  createKey(key: NewKey): Promise<KeyRecord>;
  updateKey(upath: string, patch: { lastWrite?: bigint; sd?: Buffer; className?: string }): Promise<void>;
  /** Removes the key and its whole subtree. */
  deleteKey(upath: string): Promise<void>;
  setValue(upath: string, value: ValueRecord): Promise<void>;
  deleteValue(upath: string, uname: string): Promise<boolean>;
  /** Events to deliver once the write commits (to other processes too, for shared backends). */
  readonly changes: ChangeEvent[];
}

export interface StorageBackend {
  readonly kind: 'memory' | 'embedded' | 'postgres';
  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T>;
  /** Runs fn as one write: all of its changes commit together or not at all, durable when the promise
   * resolves, as if no other write ran at the same time. A shared backend may run fn again after a
   * conflict with another process (fn's side effects outside the writer must allow that). */
  write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T>;
  /** Makes every acknowledged write durable now (BaseRegFlushKey, §3.1.5.12). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Changes committed by other processes sharing the backend. */
  onRemoteChanges?(listener: (changes: ChangeEvent[]) => void): void;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Upper-case form used for comparisons: each UTF-16 unit upcased alone (as RtlUpcaseUnicodeChar). */
export function upcase(s: string): string {
  if (!NON_ASCII.test(s)) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const u = ch.toUpperCase();
    out += u.length === 1 ? u : ch;
  }
  return out;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('\\');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('\\') + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : parent + '\\' + name;
}
