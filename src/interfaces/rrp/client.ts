// MS-RRP client: a registry on another machine, over ncacn_np (\PIPE\winreg on SMB2) or ncacn_ip_tcp,
// through the stubs of types.ts. Keys are opened from the predefined keys (§3.1.5.1–§3.1.5.5, .25) and
// closed by the caller or by close(); every non-zero status becomes a Win32Error.
//
//   const reg = await RegistryClient.connect({ host, transport: 'np', username, password });
//   const k = await reg.openKey('HKLM\\Software\\X');
//   for await (const v of k.values()) ...
//   await reg.close();
import type { StringBinding } from '../../transport/binding.js';
import { connectRpc } from '../../transport/connect.js';
import { smbPipeOpener } from '../../transport/np.js';
import { epmResolver } from '../epm/client.js';
import { ntlmAuth, spnegoAuth } from '../../rpc/auth.js';
import type { RpcClient } from '../../rpc/client.js';
import { decodeValue, encodeValue, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD, REG_SZ, type RegValue } from '../../formats/value.js';
import { SecurityDescriptor } from '../../security/descriptor.js';
import { UsageError } from '../../util/errors.js';
import { Win32Error } from '../../util/win32.js';
import * as T from './types.js';

export type ContextHandle = { attributes: number; uuid: string };

// REGSAM bits (§2.2.3) and composites (Windows SDK)
export const KEY_QUERY_VALUE = 0x1;
export const KEY_SET_VALUE = 0x2;
export const KEY_CREATE_SUB_KEY = 0x4;
export const KEY_ENUMERATE_SUB_KEYS = 0x8;
export const KEY_WOW64_64KEY = 0x100;
export const KEY_WOW64_32KEY = 0x200;
export const DELETE = 0x10000;
export const READ_CONTROL = 0x20000;
export const WRITE_DAC = 0x40000;
export const WRITE_OWNER = 0x80000;
export const ACCESS_SYSTEM_SECURITY = 0x1000000;
export const MAXIMUM_ALLOWED = 0x2000000;
export const KEY_READ = 0x20019;
export const KEY_WRITE = 0x20006;
export const KEY_ALL_ACCESS = 0xf003f;

export const REG_OPTION_NON_VOLATILE = 0;
export const REG_OPTION_VOLATILE = 1;

// SECURITY_INFORMATION (MS-DTYP §2.4.7)
export const OWNER_SECURITY_INFORMATION = 1;
export const GROUP_SECURITY_INFORMATION = 2;
export const DACL_SECURITY_INFORMATION = 4;
export const SACL_SECURITY_INFORMATION = 8;

const ERROR_MORE_DATA = 0xea;
const ERROR_INSUFFICIENT_BUFFER = 0x7a;
const ERROR_NO_MORE_ITEMS = 0x103;
const ERROR_FILE_NOT_FOUND = 2;

/** Longest name on the wire: a u16 byte Length (DTYP §2.3.10). */
const MAX_NAME_BYTES = 0xfffe;
/** Retries after ERROR_MORE_DATA: the value may grow between two calls, but not for ever. */
const MAX_RETRIES = 4;

const AUTH_LEVELS: Record<string, number> = { none: 1, connect: 2, integrity: 5, privacy: 6 };

export interface RegistryConnectOptions {
  host: string;
  /** SMB port (np, default 445) or RPC port (tcp; default: ask the endpoint mapper on 135). */
  port?: number;
  transport?: 'np' | 'tcp';
  username: string;
  domain?: string;
  password?: string;
  ntHash?: Buffer;
  /** 'connect' | 'integrity' | 'privacy' (default, §2.1.2) | 'none' (np only) or the number. */
  authLevel?: 'none' | 'connect' | 'integrity' | 'privacy' | number;
  authType?: 'ntlm' | 'spnego';
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Associations opened for recursive work (default 1); each carries several calls in flight. */
  connections?: number;
}

export interface OpenOptions {
  access?: number;
  /** 32 or 64: KEY_WOW64_32KEY / KEY_WOW64_64KEY. */
  view?: 32 | 64;
  /** Which association (0 .. connections-1) carries the key; default the least busy one. */
  association?: number;
}

export interface ListOptions {
  /**
   * Trust the counts of `info` (one snapshot): no extra call past the end to catch entries added since
   * queryInfo. Recursive reads use it; a key that grows meanwhile is read as it was.
   */
  snapshot?: boolean;
}

export interface CreateOptions extends OpenOptions {
  volatile?: boolean;
  className?: string;
}

export interface KeyInfo {
  className: string;
  subKeys: number;
  /** In characters, without the terminator (§3.1.5.16). */
  maxSubKeyLen: number;
  maxClassLen: number;
  values: number;
  maxValueNameLen: number;
  maxValueLen: number;
  securityDescriptorSize: number;
  lastWriteTime: bigint;
}

export interface RegValueEntry {
  name: string;
  type: number;
  data: Buffer;
}

export interface SubkeyEntry {
  name: string;
  lastWriteTime: bigint;
}

export type TypedValue = RegValue | { type: number; value: RegValue };

/** A registry path split into its predefined key (HKLM, ...) and the subkey path below it. */
export function splitRegistryPath(path: string): { hive: string; opnum: number; subkey: string } {
  const trimmed = path.replace(/^\\+/, '').replace(/\\+$/, '');
  const i = trimmed.indexOf('\\');
  const root = (i < 0 ? trimmed : trimmed.slice(0, i)).toUpperCase();
  const subkey = i < 0 ? '' : trimmed.slice(i + 1);
  const hive = HIVE_ALIASES[root];
  if (!hive) throw new UsageError(`unknown root key '${root}' (expected HKLM, HKCU, HKCR, HKU or HKCC)`);
  return { hive, opnum: HIVE_OPNUM[hive]!, subkey };
}

const HIVE_ALIASES: Record<string, string> = {
  HKLM: 'HKLM', HKEY_LOCAL_MACHINE: 'HKLM',
  HKCU: 'HKCU', HKEY_CURRENT_USER: 'HKCU',
  HKCR: 'HKCR', HKEY_CLASSES_ROOT: 'HKCR',
  HKU: 'HKU', HKEY_USERS: 'HKU',
  HKCC: 'HKCC', HKEY_CURRENT_CONFIG: 'HKCC',
  HKPD: 'HKPD', HKEY_PERFORMANCE_DATA: 'HKPD',
};
const HIVE_OPNUM: Record<string, number> = { HKCR: 0, HKCU: 1, HKLM: 2, HKPD: 3, HKU: 4, HKCC: 27 };
const OPEN_PREDEFINED: Record<number, typeof T.OpenLocalMachine> = {
  0: T.OpenClassesRoot, 1: T.OpenCurrentUser, 2: T.OpenLocalMachine, 3: T.OpenPerformanceData, 4: T.OpenUsers, 27: T.OpenCurrentConfig,
};

/** A name as Windows sends it (§2.2.4, §4.3): NUL-terminated, Length counting the terminator. */
export function rrpString(s: string): T.RRP_UNICODE_STRING {
  // the empty name (default value, "this key") still travels as a lone terminator: servers reject a NULL Buffer
  const n = (s.length + 1) * 2;
  if (n > MAX_NAME_BYTES) throw new UsageError(`name longer than ${MAX_NAME_BYTES / 2 - 1} characters`);
  return { Length: n, MaximumLength: n, Buffer: `${s}\0` };
}

/** A returned name: up to its first NUL, whether or not the server counted one (read defensively). */
export function nameOf(s: T.RRP_UNICODE_STRING | null | undefined): string {
  const b = s?.Buffer;
  if (!b) return '';
  const z = b.indexOf('\0');
  return z < 0 ? b : b.slice(0, z);
}

const sizeHint = (bytes: number): T.RRP_UNICODE_STRING => ({ Length: 0, MaximumLength: Math.min(bytes, MAX_NAME_BYTES), Buffer: null });

const fileTime = (f: { dwLowDateTime: number; dwHighDateTime: number } | null | undefined): bigint =>
  f ? (BigInt(f.dwHighDateTime >>> 0) << 32n) | BigInt(f.dwLowDateTime >>> 0) : 0n;

function check(status: number, what: string): void {
  if (status !== 0) throw new Win32Error(status >>> 0, what);
}

/** A value given as JS: a string is REG_SZ, a number REG_DWORD, a bigint REG_QWORD, a list REG_MULTI_SZ, bytes REG_BINARY. */
export function toTypedData(v: TypedValue): { type: number; data: Buffer } {
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v)) return { type: v.type >>> 0, data: encodeValue(v.type, v.value) };
  const type = typeof v === 'string' ? REG_SZ : typeof v === 'number' ? REG_DWORD : typeof v === 'bigint' ? REG_QWORD : Array.isArray(v) ? REG_MULTI_SZ : REG_BINARY;
  return { type, data: encodeValue(type, v) };
}

function authLevelOf(l: RegistryConnectOptions['authLevel']): number {
  if (l === undefined) return 6;
  const n = typeof l === 'number' ? l : AUTH_LEVELS[l];
  if (n === undefined || ![1, 2, 5, 6].includes(n)) throw new UsageError(`unknown auth level ${String(l)} (none, connect, integrity, privacy)`);
  return n;
}

type Op = { opnum: number; encodeRequest(v: any): Buffer; decodeResponse(b: Buffer, inV?: any): any };

/** One association with its predefined-key handles. */
class Connection {
  private readonly roots = new Map<number, Promise<ContextHandle>>();
  inFlight = 0;
  constructor(readonly rpc: RpcClient, private readonly signal?: AbortSignal) {}

  async call<O extends Op>(op: O, req: Parameters<O['encodeRequest']>[0]): Promise<ReturnType<O['decodeResponse']>> {
    this.inFlight++;
    try {
      const stub = await this.rpc.call(op.opnum, op.encodeRequest(req), this.signal ? { signal: this.signal } : {});
      // no [in] values: the [out] lpcbData (after lpData) sizes the returned buffer, not the [in] one
      return op.decodeResponse(stub);
    } finally {
      this.inFlight--;
    }
  }

  root(opnum: number): Promise<ContextHandle> {
    let p = this.roots.get(opnum);
    if (!p) {
      p = this.call(OPEN_PREDEFINED[opnum]!, { ServerName: null, samDesired: MAXIMUM_ALLOWED }).then((r) => {
        check(r.returns, `open predefined key ${opnum}`);
        return r.phKey as ContextHandle;
      });
      p.catch(() => this.roots.delete(opnum));
      this.roots.set(opnum, p);
    }
    return p;
  }
}

export class RegistryClient {
  private readonly open = new Set<RegistryKey>();
  private closed = false;
  /** Calls in flight per key during recursive work. */
  concurrency = 16;

  private constructor(private readonly conns: Connection[]) {}

  static async connect(opts: RegistryConnectOptions): Promise<RegistryClient> {
    const level = authLevelOf(opts.authLevel);
    const transport = opts.transport ?? 'np';
    const creds = { user: opts.username, domain: opts.domain ?? '', ...(opts.password !== undefined ? { password: opts.password } : {}), ...(opts.ntHash ? { ntHash: opts.ntHash } : {}) };
    const n = Math.max(1, Math.min(16, opts.connections ?? 1));
    const binding: StringBinding = transport === 'np'
      ? { protseq: 'ncacn_np', host: opts.host, endpoint: `\\pipe\\${T.RRP_PIPE}`, options: {} }
      : { protseq: 'ncacn_ip_tcp', host: opts.host, ...(opts.port ? { endpoint: String(opts.port) } : {}), options: {} };
    if (transport === 'tcp' && level === 1) throw new UsageError('ncacn_ip_tcp needs RPC authentication (auth level connect, integrity or privacy)');
    const one = async () => {
      const auth = level === 1 ? undefined : (opts.authType === 'ntlm' ? ntlmAuth : spnegoAuth)(creds, level);
      const rpc = await connectRpc(binding, T.RRP_SYNTAX, {
        ...(auth ? { auth } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        openPipe: smbPipeOpener({ ...creds, ...(opts.port ? { port: opts.port } : {}) }),
        resolveEndpoint: epmResolver(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
      return new Connection(rpc, opts.signal);
    };
    // all at once (each is several round trips); if one fails, the others are closed
    const settled = await Promise.allSettled(Array.from({ length: n }, one));
    const conns = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      for (const c of conns) c.rpc.close();
      throw failed.reason;
    }
    return new RegistryClient(conns);
  }

  /** The association with the fewest calls in flight (recursive work spreads over them). */
  private pick(association?: number): Connection {
    if (association !== undefined) return this.conns[Math.abs(Math.trunc(association)) % this.conns.length]!;
    let best = this.conns[0]!;
    for (const c of this.conns) if (c.inFlight < best.inFlight) best = c;
    return best;
  }

  /** Opens `path` (e.g. 'HKLM\\Software\\X'); default access KEY_READ. */
  async openKey(path: string, opts: OpenOptions = {}): Promise<RegistryKey> {
    if (this.closed) throw new UsageError('registry client is closed');
    const { hive, opnum, subkey } = splitRegistryPath(path);
    const conn = this.pick(opts.association);
    const root = await conn.root(opnum);
    const sam = samOf(opts, KEY_READ);
    const r = await conn.call(T.BaseRegOpenKey, { hKey: root, lpSubKey: rrpString(subkey), dwOptions: 0, samDesired: sam });
    check(r.returns, `open ${path}`);
    return this.track(new RegistryKey(this, conn, r.phkResult as ContextHandle, subkey ? `${hive}\\${subkey}` : hive, opts.view));
  }

  /** Creates `path` (and missing parents) or opens it; `created` says which. */
  async createKey(path: string, opts: CreateOptions = {}): Promise<RegistryKey & { created: boolean }> {
    if (this.closed) throw new UsageError('registry client is closed');
    const { hive, opnum, subkey } = splitRegistryPath(path);
    if (!subkey) throw new UsageError(`cannot create a predefined key (${path})`);
    const conn = this.pick(opts.association);
    const root = await conn.root(opnum);
    const r = await conn.call(T.BaseRegCreateKey, {
      hKey: root,
      lpSubKey: rrpString(subkey),
      lpClass: opts.className ? rrpString(opts.className) : { Length: 0, MaximumLength: 0, Buffer: null },
      dwOptions: opts.volatile ? REG_OPTION_VOLATILE : REG_OPTION_NON_VOLATILE,
      samDesired: samOf(opts, KEY_ALL_ACCESS),
      lpSecurityAttributes: null,
      lpdwDisposition: 0,
    });
    check(r.returns, `create ${path}`);
    const key = this.track(new RegistryKey(this, conn, r.phkResult as ContextHandle, `${hive}\\${subkey}`, opts.view)) as RegistryKey & { created: boolean };
    key.created = r.lpdwDisposition === 1; // REG_CREATED_NEW_KEY
    return key;
  }

  /** Deletes `path`; with `recursive`, its subtree first (siblings in parallel). */
  async deleteKey(path: string, opts: { recursive?: boolean; view?: 32 | 64; onKey?: (path: string) => void } = {}): Promise<void> {
    const { hive, opnum, subkey } = splitRegistryPath(path);
    if (!subkey) throw new UsageError(`cannot delete a predefined key (${path})`);
    if (opts.recursive) {
      const key = await this.openKey(path, { access: KEY_READ | DELETE, ...(opts.view ? { view: opts.view } : {}) });
      let names: string[];
      try {
        names = (await key.subkeys()).map((s) => s.name);
      } finally {
        await key.close();
      }
      await mapLimit(names, this.concurrency, (n) => this.deleteKey(`${path.replace(/\\+$/, '')}\\${n}`, opts));
    }
    const conn = this.pick();
    const root = await conn.root(opnum);
    const r = opts.view
      ? await conn.call(T.BaseRegDeleteKeyEx, { hKey: root, lpSubKey: rrpString(subkey), AccessMask: opts.view === 32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY, Reserved: 0 })
      : await conn.call(T.BaseRegDeleteKey, { hKey: root, lpSubKey: rrpString(subkey) });
    check(r.returns, `delete ${hive}\\${subkey}`);
    opts.onKey?.(`${hive}\\${subkey}`);
  }

  async getValue(path: string, name: string, opts: OpenOptions = {}): Promise<RegValueEntry> {
    const k = await this.openKey(path, { access: KEY_QUERY_VALUE, ...opts });
    try {
      return await k.getValue(name);
    } finally {
      await k.close();
    }
  }

  async setValue(path: string, name: string, value: TypedValue, opts: OpenOptions = {}): Promise<void> {
    const k = await this.openKey(path, { access: KEY_SET_VALUE, ...opts });
    try {
      await k.setValue(name, value);
    } finally {
      await k.close();
    }
  }

  async deleteValue(path: string, name: string, opts: OpenOptions = {}): Promise<void> {
    const k = await this.openKey(path, { access: KEY_SET_VALUE, ...opts });
    try {
      await k.deleteValue(name);
    } finally {
      await k.close();
    }
  }

  /** Whether `path` exists (ERROR_FILE_NOT_FOUND is false; other errors are thrown). */
  async exists(path: string): Promise<boolean> {
    try {
      await (await this.openKey(path, { access: KEY_QUERY_VALUE })).close();
      return true;
    } catch (err) {
      if (err instanceof Win32Error && err.status === ERROR_FILE_NOT_FOUND) return false;
      throw err;
    }
  }

  /** @internal keys opened through another key are closed by close() too */
  track(k: RegistryKey): RegistryKey {
    this.open.add(k);
    return k;
  }

  /** @internal */
  forget(k: RegistryKey): void {
    this.open.delete(k);
  }

  /** Closes every key still open, then the associations. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.allSettled([...this.open].map((k) => k.close()));
    this.closed = true;
    for (const c of this.conns) c.rpc.close();
  }

  get connections(): number {
    return this.conns.length;
  }

  /** @internal */
  indexOf(conn: Connection): number {
    return this.conns.indexOf(conn);
  }
}

function samOf(opts: OpenOptions, def: number): number {
  let sam = opts.access ?? def;
  if (opts.view === 32) sam |= KEY_WOW64_32KEY;
  else if (opts.view === 64) sam |= KEY_WOW64_64KEY;
  return sam >>> 0;
}

/** Runs `fn` on every item, at most `limit` at a time; the first error wins. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

export class RegistryKey {
  private closed = false;

  constructor(
    private readonly client: RegistryClient,
    private readonly conn: Connection,
    readonly handle: ContextHandle,
    /** 'HKLM\\Software\\X' */
    readonly path: string,
    private readonly view?: 32 | 64,
  ) {}

  private call<O extends Op>(op: O, req: Parameters<O['encodeRequest']>[0]): Promise<ReturnType<O['decodeResponse']>> {
    if (this.closed) return Promise.reject(new UsageError(`key ${this.path} is closed`));
    return this.conn.call(op, req);
  }

  /** The association this key's handle belongs to (its subkeys opened through it go there too). */
  get association(): number {
    return this.client.indexOf(this.conn);
  }

  /** Opens a subkey through this key's handle (same association). */
  async openKey(subkey: string, opts: OpenOptions = {}): Promise<RegistryKey> {
    const r = await this.call(T.BaseRegOpenKey, { hKey: this.handle, lpSubKey: rrpString(subkey), dwOptions: 0, samDesired: samOf({ view: this.view, ...opts } as OpenOptions, KEY_READ) });
    check(r.returns, `open ${this.path}\\${subkey}`);
    const k = new RegistryKey(this.client, this.conn, r.phkResult as ContextHandle, `${this.path}\\${subkey}`, opts.view ?? this.view);
    return this.client.track(k);
  }

  async queryInfo(): Promise<KeyInfo> {
    const r = await this.call(T.BaseRegQueryInfoKey, { hKey: this.handle, lpClassIn: { Length: 0, MaximumLength: 0, Buffer: null } });
    check(r.returns, `query info ${this.path}`);
    return {
      className: nameOf(r.lpClassOut),
      subKeys: r.lpcSubKeys >>> 0,
      maxSubKeyLen: r.lpcbMaxSubKeyLen >>> 0,
      maxClassLen: r.lpcbMaxClassLen >>> 0,
      values: r.lpcValues >>> 0,
      maxValueNameLen: r.lpcbMaxValueNameLen >>> 0,
      maxValueLen: r.lpcbMaxValueLen >>> 0,
      securityDescriptorSize: r.lpcbSecurityDescriptor >>> 0,
      lastWriteTime: fileTime(r.lpftLastWriteTime),
    };
  }

  /** The subkey at `index`, or null past the end (ERROR_NO_MORE_ITEMS). */
  async enumKey(index: number, nameChars = 255): Promise<SubkeyEntry | null> {
    let bytes = (nameChars + 1) * 2;
    for (let attempt = 0; ; attempt++) {
      const r = await this.call(T.BaseRegEnumKey, {
        // Samba refuses a NULL lpClassIn (WERR_INVALID_PARAMETER); an empty size hint is what Windows sends too
        hKey: this.handle, dwIndex: index, lpNameIn: sizeHint(bytes), lpClassIn: sizeHint(0), lpftLastWriteTime: { dwLowDateTime: 0, dwHighDateTime: 0 },
      });
      if (r.returns === ERROR_NO_MORE_ITEMS) return null;
      if ((r.returns === ERROR_MORE_DATA || r.returns === ERROR_INSUFFICIENT_BUFFER) && bytes < MAX_NAME_BYTES && attempt < MAX_RETRIES) {
        bytes = MAX_NAME_BYTES;
        continue;
      }
      check(r.returns, `enumerate subkey ${index} of ${this.path}`);
      return { name: nameOf(r.lpNameOut), lastWriteTime: fileTime(r.lpftLastWriteTime) };
    }
  }

  /** The value at `index`, or null past the end. `hint` sizes the buffers (from queryInfo). */
  async enumValue(index: number, hint: { nameChars?: number; dataBytes?: number } = {}): Promise<RegValueEntry | null> {
    let nameBytes = ((hint.nameChars ?? 255) + 1) * 2;
    let cb = Math.min(Math.max(hint.dataBytes ?? 256, 0), T.MAX_VALUE_BUFFER);
    for (let attempt = 0; ; attempt++) {
      const r = await this.call(T.BaseRegEnumValue, {
        hKey: this.handle, dwIndex: index, lpValueNameIn: sizeHint(nameBytes), lpType: 0, lpData: Buffer.alloc(0), lpcbData: cb, lpcbLen: 0,
      });
      if (r.returns === ERROR_NO_MORE_ITEMS) return null;
      if (r.returns === ERROR_MORE_DATA && attempt < MAX_RETRIES) {
        // §3.1.5.11: lpcbData says how much the data needs; the name may be the short one
        const need = (r.lpcbData ?? 0) >>> 0;
        if (need > cb && need <= T.MAX_VALUE_BUFFER) cb = need;
        else if (nameBytes < MAX_NAME_BYTES) nameBytes = MAX_NAME_BYTES;
        else break;
        continue;
      }
      check(r.returns, `enumerate value ${index} of ${this.path}`);
      return { name: nameOf(r.lpValueNameOut), type: (r.lpType ?? 0) >>> 0, data: dataOf(r) };
    }
    throw new Win32Error(ERROR_MORE_DATA, `enumerate value ${index} of ${this.path}: the server keeps asking for more`);
  }

  /** Every subkey name, the enumeration calls in flight together. */
  async subkeys(info?: KeyInfo, opts: ListOptions = {}): Promise<SubkeyEntry[]> {
    const i = info ?? (await this.queryInfo());
    const got = await mapLimit(range(i.subKeys), this.client.concurrency, (n) => this.enumKey(n, i.maxSubKeyLen));
    const out = got.filter((x): x is SubkeyEntry => x !== null);
    if (opts.snapshot && out.length < MAX_PRESIZED) return out;
    // the key may have grown since queryInfo
    for (let n = out.length; out.length === n; n++) {
      const more = await this.enumKey(n, i.maxSubKeyLen);
      if (!more) break;
      out.push(more);
    }
    return out;
  }

  /** Every value, the enumeration calls in flight together. */
  async valueList(info?: KeyInfo, opts: ListOptions = {}): Promise<RegValueEntry[]> {
    const i = info ?? (await this.queryInfo());
    const hint = { nameChars: i.maxValueNameLen, dataBytes: i.maxValueLen };
    const got = await mapLimit(range(i.values), this.client.concurrency, (n) => this.enumValue(n, hint));
    const out = got.filter((x): x is RegValueEntry => x !== null);
    if (opts.snapshot && out.length < MAX_PRESIZED) return out;
    for (let n = out.length; out.length === n; n++) {
      const more = await this.enumValue(n, hint);
      if (!more) break;
      out.push(more);
    }
    return out;
  }

  /**
   * The subkeys as they are enumerated, in index order: a few EnumKey calls run ahead of the consumer
   * (client.concurrency), never the whole key; breaking out of the loop stops asking.
   */
  async *keys(info?: KeyInfo): AsyncGenerator<SubkeyEntry> {
    const i = info ?? (await this.queryInfo());
    yield* streamed(i.subKeys, this.client.concurrency, (n) => this.enumKey(n, i.maxSubKeyLen));
  }

  /**
   * The values as they are enumerated, in index order, like keys(). Fewer calls run ahead when the
   * largest value is big, so that what is in flight stays under STREAM_BUDGET bytes.
   */
  async *values(info?: KeyInfo): AsyncGenerator<RegValueEntry> {
    const i = info ?? (await this.queryInfo());
    const hint = { nameChars: i.maxValueNameLen, dataBytes: i.maxValueLen };
    const ahead = Math.max(1, Math.min(this.client.concurrency, Math.floor(STREAM_BUDGET / Math.max(1, i.maxValueLen))));
    yield* streamed(i.values, ahead, (n) => this.enumValue(n, hint));
  }

  /** A value's type and bytes; '' is the default value. */
  async getValue(name: string): Promise<RegValueEntry> {
    let cb = 512;
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      const r = await this.call(T.BaseRegQueryValue, { hKey: this.handle, lpValueName: rrpString(name), lpType: 0, lpData: Buffer.alloc(0), lpcbData: cb, lpcbLen: 0 });
      if (r.returns === ERROR_MORE_DATA) {
        const need = (r.lpcbData ?? 0) >>> 0;
        if (need <= cb || need > T.MAX_VALUE_BUFFER) break;
        cb = need;
        continue;
      }
      check(r.returns, `query value ${JSON.stringify(name)} of ${this.path}`);
      return { name, type: (r.lpType ?? 0) >>> 0, data: dataOf(r) };
    }
    throw new Win32Error(ERROR_MORE_DATA, `query value ${JSON.stringify(name)} of ${this.path}: no usable size`);
  }

  /** The value decoded (string, number, bigint, string[] or Buffer). */
  async get(name: string): Promise<RegValue> {
    const v = await this.getValue(name);
    return decodeValue(v.type, v.data);
  }

  async setValue(name: string, value: TypedValue): Promise<void> {
    const { type, data } = toTypedData(value);
    await this.setRaw(name, type, data);
  }

  async setRaw(name: string, type: number, data: Buffer): Promise<void> {
    const r = await this.call(T.BaseRegSetValue, { hKey: this.handle, lpValueName: rrpString(name), dwType: type >>> 0, lpData: data, cbData: data.length });
    check(r.returns, `set value ${JSON.stringify(name)} of ${this.path}`);
  }

  async deleteValue(name: string): Promise<void> {
    const r = await this.call(T.BaseRegDeleteValue, { hKey: this.handle, lpValueName: rrpString(name) });
    check(r.returns, `delete value ${JSON.stringify(name)} of ${this.path}`);
  }

  /** The security descriptor (self-relative bytes and SDDL); default owner, group and DACL. */
  async getSecurity(info = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION): Promise<{ binary: Buffer; sddl: string }> {
    let cb = 1024;
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      const r = await this.call(T.BaseRegGetKeySecurity, {
        hKey: this.handle, SecurityInformation: info,
        pRpcSecurityDescriptorIn: { lpSecurityDescriptor: Buffer.alloc(0), cbInSecurityDescriptor: cb, cbOutSecurityDescriptor: 0 },
      });
      if (r.returns === ERROR_INSUFFICIENT_BUFFER || r.returns === ERROR_MORE_DATA) {
        const need = r.pRpcSecurityDescriptorOut.cbInSecurityDescriptor >>> 0;
        if (need <= cb || need > 0x10000) break;
        cb = need;
        continue;
      }
      check(r.returns, `get security of ${this.path}`);
      const sd = r.pRpcSecurityDescriptorOut;
      const binary = Buffer.from((sd.lpSecurityDescriptor ?? Buffer.alloc(0)).subarray(0, sd.cbOutSecurityDescriptor >>> 0));
      return { binary, sddl: SecurityDescriptor.fromBinary(binary).toSddl() };
    }
    throw new Win32Error(ERROR_INSUFFICIENT_BUFFER, `get security of ${this.path}`);
  }

  /** Sets parts of the security descriptor from SDDL text or self-relative bytes. */
  async setSecurity(sd: string | Buffer, info = DACL_SECURITY_INFORMATION): Promise<void> {
    const bytes = typeof sd === 'string' ? SecurityDescriptor.fromSddl(sd).toBinary() : sd;
    const r = await this.call(T.BaseRegSetKeySecurity, {
      hKey: this.handle, SecurityInformation: info,
      pRpcSecurityDescriptor: { lpSecurityDescriptor: bytes, cbInSecurityDescriptor: bytes.length, cbOutSecurityDescriptor: bytes.length },
    });
    check(r.returns, `set security of ${this.path}`);
  }

  /** BaseRegSaveKey (§3.1.5.20): the server writes the subtree to `file`, a path on the server. */
  async saveKey(file: string): Promise<void> {
    const r = await this.call(T.BaseRegSaveKey, { hKey: this.handle, lpFile: rrpString(file), pSecurityAttributes: null });
    check(r.returns, `save ${this.path} to ${file}`);
  }

  async flush(): Promise<void> {
    const r = await this.call(T.BaseRegFlushKey, { hKey: this.handle });
    check(r.returns, `flush ${this.path}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.forget(this);
    try {
      const r = await this.conn.call(T.BaseRegCloseKey, { hKey: this.handle });
      check(r.returns, `close ${this.path}`);
    } catch (err) {
      // a handle of an association that already went away is gone with it
      if (!(err instanceof Win32Error)) return;
      throw err;
    }
  }
}

/** lpData up to *lpcbLen (§3.1.5.17: the bytes returned; never more than came). */
function dataOf(r: { lpData?: Buffer | null; lpcbLen?: number | null; lpcbData?: number | null }): Buffer {
  const d = r.lpData ?? Buffer.alloc(0);
  const n = Math.min(d.length, (r.lpcbLen ?? r.lpcbData ?? d.length) >>> 0);
  return Buffer.from(d.subarray(0, n));
}

/** Bytes of value data keys()/values() may have in flight ahead of their consumer. */
const STREAM_BUDGET = 8 * 1024 * 1024;

/**
 * Yields fetch(0), fetch(1), ... in order with up to `ahead` calls in flight, until one returns null
 * (ERROR_NO_MORE_ITEMS). Past `count` (QueryInfoKey's) it goes on one call at a time, for entries
 * added since. Answers to calls still in flight when the consumer stops are dropped.
 */
async function* streamed<T>(count: number, ahead: number, fetch: (i: number) => Promise<T | null>): AsyncGenerator<T> {
  const inFlight: Promise<T | null>[] = [];
  let next = 0;
  const launch = () => {
    const p = fetch(next++);
    p.catch(() => undefined); // awaited below, or dropped if the consumer stops first
    inFlight.push(p);
  };
  while (next < count && inFlight.length < ahead) launch();
  while (inFlight.length > 0) {
    const item = await inFlight.shift()!;
    if (item === null) return; // the key shrank since QueryInfoKey
    if (next < count) launch();
    yield item;
  }
  for (;;) {
    const item = await fetch(next++);
    if (item === null) return;
    yield item;
  }
}

/** Indexes to ask for at once; a larger count from the server is enumerated on past the end instead. */
const MAX_PRESIZED = 1 << 16;
function range(n: number): number[] {
  return Array.from({ length: Math.min(n, MAX_PRESIZED) }, (_, i) => i);
}
