// RegistryStore: one registry (MS-RRP §3.1.1) on one backend. It owns the backend, the security
// model, change notification and the clock; callers use the path API below (tools, policy engine:
// trusted) or sessions with a caller token (the RRP server: see session.ts).

import { REG_LINK, encodeValue } from '../formats/value.js';
import { win32 } from '../util/win32.js';
import { baseName, upcase, type ChangeEvent, type StorageBackend, type StoreReader, type StoreWriter, type ValueRecord } from './backend.js';
import {
  KEYF_LINK,
  KEY_ALL_ACCESS,
  KEY_WOW64_32KEY,
  REG_OPTION_CREATE_LINK,
  REG_OPTION_OPEN_LINK,
  REG_OPTION_VOLATILE,
  SYMLINK_VALUE,
} from './constants.js';
import { EmbeddedBackend, type EmbeddedOptions } from './embedded.js';
import { MemoryBackend } from './memory.js';
import { directGetValue, directKey, directSetValue } from './fastpath.js';
import { NotifyHub, type Notification, type WatchOptions, type Watcher } from './notify.js';
import { objectName, parseToolPath, toolName, type PredefinedKey } from './path.js';
import { defaultSecurityModel, type SecurityModel, type Token } from './security.js';
import { RegistrySession, SYSTEM_SID, checkValue, type Executor, type KeyHandle } from './session.js';
import { WOW6432NODE, type Reflection } from './wow64.js';

export interface StoreOptions {
  /** Embedded backend: the data directory (created if missing). */
  data?: string;
  /** PostgreSQL backend: a connection string (postgres://user@host:port/db). */
  postgres?: string;
  /** Keep everything in memory only (tests). Used when neither data nor postgres is given. */
  memory?: boolean;
  security?: SecurityModel;
  /** Reports from the backend (a truncated journal tail at open, compaction problems). */
  log?: (message: string) => void;
  /** FILETIME now; default the system clock. */
  clock?: () => bigint;
  /** The computer name in performance data. */
  systemName?: string;
  /** Embedded backend tuning. */
  embedded?: Omit<EmbeddedOptions, 'log'>;
  /** MS-RRP §3.1.1.4 <9>/<10>: 'none' (default; Windows 7 and later) or 'vista' (updates to the
   * reflected keys are copied to the other view when their handle is closed). */
  reflection?: Reflection;
}

/** What sessions need from the store. */
export interface StoreCore extends Executor {
  readonly backend: StorageBackend;
  readonly reflection: Reflection;
  readonly security: SecurityModel;
  readonly notify: NotifyHub;
  readonly systemName: string;
  now(): bigint;
  nextHandleId(): number;
}

/** FILETIME for a JS time in milliseconds (MS-DTYP §2.3.3). */
export function filetimeFromMs(ms: number): bigint {
  return BigInt(Math.round(ms)) * 10_000n + 116_444_736_000_000_000n;
}

export interface KeyOptions {
  volatile?: boolean;
  /** Create a symbolic link key whose target is `linkTarget` (a tool path or \Registry object name). */
  linkTarget?: string;
  className?: string;
  securityDescriptor?: Buffer;
  /** 32 for the WOW64 32-bit view. */
  view?: 32 | 64;
}

export interface KeySummary {
  path: string;
  className: string;
  lastWrite: bigint;
  subKeys: number;
  values: number;
  volatile: boolean;
  link: boolean;
}

/** The path API (trusted): `HKLM\Software\X`-style paths, no handles. Also the transaction object. */
export class PathApi {
  protected session!: RegistrySession;
  // Trusted root handles are opened once and kept (no access check to redo; no state to go stale).
  private readonly roots = new Map<string, KeyHandle>();
  constructor(session?: RegistrySession) {
    if (session) this.session = session;
  }

  private async root(which: PredefinedKey): Promise<KeyHandle> {
    let h = this.roots.get(which);
    if (!h || h.closed) {
      h = await this.session.openPredefined(which, KEY_ALL_ACCESS);
      this.roots.set(which, h);
    }
    return h;
  }

  private async open(path: string, opts: { openLink?: boolean; view?: 32 | 64 } = {}): Promise<KeyHandle> {
    const { root, subkey } = parseToolPath(path);
    const sam = KEY_ALL_ACCESS | (opts.view === 32 ? KEY_WOW64_32KEY : 0);
    return this.session.openKey(await this.root(root), subkey, { sam, options: opts.openLink ? REG_OPTION_OPEN_LINK : 0 });
  }


  private async with<T>(path: string, fn: (h: KeyHandle) => Promise<T>, opts: { openLink?: boolean; view?: 32 | 64 } = {}): Promise<T> {
    const h = await this.open(path, opts);
    try {
      return await fn(h);
    } finally {
      await this.session.closeKey(h);
    }
  }

  /** Creates the key (and missing parents); `created` is false when it existed (§3.1.5.7). */
  async createKey(path: string, opts: KeyOptions = {}): Promise<{ created: boolean }> {
    const { root, subkey } = parseToolPath(path);
    const s = this.session;
    const rootH = await this.root(root);
    {
      const options = opts.linkTarget ? REG_OPTION_CREATE_LINK : opts.volatile ? REG_OPTION_VOLATILE : 0;
      const r = await s.createKey(rootH, subkey, {
        options,
        sam: KEY_ALL_ACCESS | (opts.view === 32 ? KEY_WOW64_32KEY : 0),
        ...(opts.className !== undefined ? { className: opts.className } : {}),
        ...(opts.securityDescriptor ? { securityDescriptor: opts.securityDescriptor } : {}),
      });
      try {
        if (opts.linkTarget) {
          const t = opts.linkTarget.startsWith('\\') ? opts.linkTarget : linkObjectName(opts.linkTarget);
          await s.setValue(r.handle, SYMLINK_VALUE, REG_LINK, encodeValue(REG_LINK, t));
        }
      } finally {
        await s.closeKey(r.handle);
      }
      return { created: r.disposition === 1 };
    }
  }

  /** Facts about a key; ERROR_FILE_NOT_FOUND when it does not exist. `openLink` describes a link key
   * itself rather than its target. */
  async openKey(path: string, opts: { openLink?: boolean; view?: 32 | 64 } = {}): Promise<KeySummary> {
    return this.with(
      path,
      async (h) => {
        const info = await this.session.queryInfoKey(h);
        const flags = await this.session.keyFlags(h);
        return {
          path: toolName(h.path),
          className: info.className,
          lastWrite: info.lastWrite,
          subKeys: info.subKeys,
          values: info.values,
          volatile: (flags & 1) !== 0,
          link: (flags & KEYF_LINK) !== 0,
        };
      },
      opts,
    );
  }

  async keyExists(path: string): Promise<boolean> {
    try {
      await this.with(path, async () => undefined);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERROR_FILE_NOT_FOUND') return false;
      throw err;
    }
  }

  /** Sets a value, creating the key if needed. */
  async setValue(path: string, name: string, type: number, data: Buffer): Promise<void> {
    const vname = checkValue(name, type, data);
    const { root, subkey } = parseToolPath(path);
    const s = this.session;
    // One atomic write: open or create the key, then set the value in it.
    const r = await s.createKey(await this.root(root), subkey, { sam: KEY_ALL_ACCESS }, (w, key) => s.setIn(w, key, vname, type, data));
    await s.closeKey(r.handle);
  }

  async getValue(path: string, name: string): Promise<{ type: number; data: Buffer } | undefined> {
    try {
      return await this.with(path, async (h) => {
        const v = await this.session.queryValue(h, name);
        return { type: v.type, data: v.data };
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERROR_FILE_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** Deletes a value; false when it was not there. */
  async deleteValue(path: string, name: string): Promise<boolean> {
    try {
      await this.with(path, (h) => this.session.deleteValue(h, name));
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERROR_FILE_NOT_FOUND') return false;
      throw err;
    }
  }

  /** Deletes a key: refused with ERROR_ACCESS_DENIED when it has subkeys unless `recursive`; a link
   * key is removed itself only with `link` (otherwise ERROR_FILE_NOT_FOUND, §3.1.1.11). */
  async deleteKey(path: string, opts: { recursive?: boolean; link?: boolean } = {}): Promise<void> {
    await this.with(path, (h) => this.session.deleteKey(h, '', { ...opts }), { openLink: opts.link ?? false });
  }

  /** Names of the direct subkeys, in enumeration order. */
  async listSubkeys(path: string): Promise<string[]> {
    return this.with(path, async (h) => (await this.session.enumKeys(h)).map((k) => k.name));
  }

  async listValues(path: string): Promise<ValueRecord[]> {
    return this.with(path, (h) => this.session.enumValues(h));
  }

  /** The key's descriptor (self-relative), the parts selected by secInfo (default owner|group|DACL). */
  async getSecurity(path: string, secInfo = 0x7): Promise<Buffer> {
    return this.with(path, (h) => this.session.getKeySecurity(h, secInfo));
  }

  async setSecurity(path: string, sd: Buffer, secInfo = 0x7): Promise<void> {
    await this.with(path, (h) => this.session.setKeySecurity(h, secInfo, sd));
  }
}

/** Accepts "HKLM\X" or "\Registry\Machine\X" and gives the object name (§3.1.1.11). */
function linkObjectName(target: string): string {
  const { root, subkey } = parseToolPath(target);
  const top = root === 'HKEY_LOCAL_MACHINE' ? 'Machine' : root === 'HKEY_USERS' ? 'User' : undefined;
  if (!top) throw win32('ERROR_INVALID_PARAMETER', `link targets must be under HKLM or HKU: ${target}`);
  return objectName(subkey ? `${top}\\${subkey}` : top);
}

export class RegistryStore extends PathApi implements StoreCore {
  readonly notify = new NotifyHub();
  readonly reflection: Reflection;
  readonly systemName: string;
  private handleSeq = 0;
  private lastTime = 0n;
  private readonly clock: () => bigint;

  private constructor(
    readonly backend: StorageBackend,
    readonly security: SecurityModel,
    opts: StoreOptions,
  ) {
    super();
    this.session = new RegistrySession(this, undefined);
    this.clock = opts.clock ?? (() => filetimeFromMs(Date.now()));
    this.systemName = opts.systemName ?? 'HIVEWIRE';
    this.reflection = opts.reflection ?? 'none';
    backend.onRemoteChanges?.((changes) => this.notify.dispatch(changes));
  }

  /** Opens a store: `{ data: dir }` (embedded), `{ postgres: url }`, or in memory. */
  static async open(opts: StoreOptions = {}): Promise<RegistryStore> {
    const security = opts.security ?? defaultSecurityModel();
    let backend: StorageBackend;
    if (opts.postgres) {
      const { PostgresBackend } = await import('./postgres.js');
      backend = await PostgresBackend.open(opts.postgres, { ...(opts.log ? { log: opts.log } : {}) });
    } else if (opts.data) {
      backend = await EmbeddedBackend.open(opts.data, { ...opts.embedded, ...(opts.log ? { log: opts.log } : {}) });
    } else {
      backend = new MemoryBackend();
    }
    const store = new RegistryStore(backend, security, opts);
    await store.bootstrap();
    return store;
  }

  /** FILETIME now, strictly increasing within the store (so that every write moves last-write). */
  now(): bigint {
    let t = this.clock();
    if (t <= this.lastTime) t = this.lastTime + 1n;
    this.lastTime = t;
    return t;
  }

  nextHandleId(): number {
    return ++this.handleSeq;
  }

  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    return this.backend.read(fn);
  }

  async write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T> {
    let changes: ChangeEvent[] = [];
    const result = await this.backend.write(async (w) => {
      const r = await fn(w);
      changes = w.changes;
      return r;
    });
    this.notify.dispatch(changes);
    return result;
  }

  /** Sets a value, creating the key if needed; the common case is done directly on the tree
   * (fastpath.ts), the rest on the ordinary path. */
  override setValue(path: string, name: string, type: number, data: Buffer): Promise<void> {
    if (this.backend instanceof MemoryBackend && this.backend.canDirect && this.reflection === 'none') {
      let vname: string;
      try {
        vname = checkValue(name, type, data);
      } catch (err) {
        return Promise.reject(err);
      }
      const done = directSetValue(this, this.backend, path, vname, type, data);
      if (done) return done;
    }
    return super.setValue(path, name, type, data);
  }

  /** Copies the key at a tool path (and its subtree) to its peer in the other view, when reflection
   * is on and the key is one of MS-RRP <9>'s (the RRP server does it at BaseRegCloseKey). */
  async reflect(path: string): Promise<void> {
    if (this.reflection === 'none') return;
    const { root, subkey } = parseToolPath(path);
    const s = this.openSession();
    try {
      const rootH = await s.openPredefined(root, KEY_ALL_ACCESS);
      const k = await s.openKey(rootH, subkey, { sam: KEY_ALL_ACCESS });
      await s.reflect(k.path);
    } finally {
      s.close();
    }
  }

  /** Reads a value; the common case directly on the tree (fastpath.ts). */
  override async getValue(path: string, name: string): Promise<{ type: number; data: Buffer } | undefined> {
    if (this.backend instanceof MemoryBackend) {
      const v = directGetValue(this.backend, path, name);
      if (v === false) return undefined;
      if (v) return { type: v.type, data: v.data };
    }
    return super.getValue(path, name);
  }

  /** Subkey names of a plain key straight from the tree, else the ordinary path. */
  override async listSubkeys(path: string): Promise<string[]> {
    const b = this.backend;
    const n = b instanceof MemoryBackend ? directKey(b, path) : undefined;
    if (n) return (b as MemoryBackend).tree.sortedChildren(n).map((k) => k.name);
    return super.listSubkeys(path);
  }

  /** Values of a plain key straight from the tree, else the ordinary path. */
  override async listValues(path: string): Promise<ValueRecord[]> {
    const b = this.backend;
    const n = b instanceof MemoryBackend ? directKey(b, path) : undefined;
    if (n) return [...(b as MemoryBackend).tree.valuesOf(n)];
    return super.listValues(path);
  }

  /** A session for a caller (the RRP server makes one per client); no token = trusted. */
  openSession(token?: Token): RegistrySession {
    return new RegistrySession(this, token);
  }

  /** Runs fn with a path API whose changes commit together, durably, or not at all. */
  async transaction<T>(fn: (tx: PathApi) => Promise<T>): Promise<T> {
    return this.write(async (w) => {
      const exec: Executor = { read: (f) => f(w), write: (f) => f(w) };
      const s = new RegistrySession(this, undefined, exec);
      try {
        return await fn(new PathApi(s));
      } finally {
        s.close();
      }
    });
  }

  /** Watch a key by path (trusted): subtree, filter REG_NOTIFY_CHANGE_*. */
  async watch(path: string, opts: WatchOptions = {}): Promise<Watcher> {
    const s = this.openSession();
    const { root, subkey } = parseToolPath(path);
    const rootH = await s.openPredefined(root, KEY_ALL_ACCESS);
    const h = await s.openKey(rootH, subkey, { sam: KEY_ALL_ACCESS });
    const w = s.watch(h, opts);
    s.close();
    return w;
  }

  async flush(): Promise<void> {
    await this.backend.flush();
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  // The keys every registry has: the two hives' roots, the predefined-key targets, the WOW64 nodes
  // and links (§3.1.1.4), CurrentControlSet → ControlSet001 and the current hardware profile.
  private async bootstrap(): Promise<void> {
    const has = await this.backend.read((r) => r.key('MACHINE'));
    const sec = this.security;
    await this.write(async (w) => {
      const now = this.now();
      const mk = async (path: string, flags = 0) => {
        if (await w.key(upcase(path))) return;
        const parent = path.includes('\\') ? path.slice(0, path.lastIndexOf('\\')) : '';
        const p = await w.key(upcase(parent));
        // SECURITY HOOK: defaultDescriptorFor(path) for the predefined keys, createChildDescriptor below them
        const sd = sec.defaultFor(path) ?? (p && parent !== '' ? sec.createChild(p.sd, undefined, undefined) : undefined);
        if (!sd) throw new Error(`security model has no descriptor for ${path}`);
        await w.createKey({ path, className: '', lastWrite: now, flags, sd });
      };
      const link = async (path: string, target: string) => {
        if (await w.key(upcase(path))) return;
        await mk(path, KEYF_LINK);
        await w.setValue(upcase(path), { name: SYMLINK_VALUE, type: REG_LINK, data: encodeValue(REG_LINK, objectName(target)) });
      };
      if (!has) {
        await mk('Machine');
        await mk('User');
        for (const p of ['SOFTWARE', 'SYSTEM', 'SAM', 'SECURITY', 'HARDWARE']) await mk(`Machine\\${p}`);
        await mk('Machine\\SOFTWARE\\Classes');
        await mk(`Machine\\SOFTWARE\\Classes\\${WOW6432NODE}`);
        await mk(`Machine\\SOFTWARE\\${WOW6432NODE}`);
        await link(`Machine\\SOFTWARE\\${WOW6432NODE}\\Classes`, `Machine\\SOFTWARE\\Classes\\${WOW6432NODE}`);
        await mk('Machine\\SOFTWARE\\Microsoft');
        await mk('Machine\\SOFTWARE\\Microsoft\\Windows NT');
        await mk('Machine\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion');
        await mk('Machine\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Perflib');
        await mk('Machine\\SOFTWARE\\Policies');
        await mk('Machine\\SYSTEM\\ControlSet001');
        await mk('Machine\\SYSTEM\\ControlSet001\\Control');
        await mk('Machine\\SYSTEM\\ControlSet001\\Hardware Profiles');
        await mk('Machine\\SYSTEM\\ControlSet001\\Hardware Profiles\\0001');
        await link('Machine\\SYSTEM\\ControlSet001\\Hardware Profiles\\Current', 'Machine\\SYSTEM\\ControlSet001\\Hardware Profiles\\0001');
        await link('Machine\\SYSTEM\\CurrentControlSet', 'Machine\\SYSTEM\\ControlSet001');
        await mk('User\\.DEFAULT');
        await mk(`User\\${SYSTEM_SID}`);
        await mk(`User\\${SYSTEM_SID}\\Software`);
        await mk(`User\\${SYSTEM_SID}\\Software\\Classes`);
      }
    });
  }
}

export type { Notification };
