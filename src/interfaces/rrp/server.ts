// The MS-RRP server (§3.1): every opnum of the winreg interface on a RegistryStore, for an RpcServer
// (over \PIPE\winreg or TCP). The store's handle API does the registry semantics and access checks and
// throws Win32Error with the method's return code; this file turns stubs into calls and back, keeps
// context handles per association (run down when it ends), and adds what belongs to the wire: the
// lpcbData/lpcbLen and buffer-size rules, hive files, shutdown opnums and the shutdown-in-progress
// state (§3.1.1.12).
//
// Choices where the spec leaves room (see ../../../docs or the checklist):
// - opnums 14 and 28 have no dispatch entry: the RPC runtime faults them with nca_s_op_rng_error
//   (0x1C010002), as Windows does. So do 24/25/30 (MS-RSP shutdown) unless a `shutdown` hook is set.
// - BaseRegGetVersion answers 6: the store keeps the 32- and 64-bit views (§3.1.1.4).
// - Hive files live in one configured directory (files.ts); without one, the hive methods return
//   ERROR_ACCESS_DENIED. Save needs SeBackupPrivilege, Restore/Load/Unload/Replace SeRestorePrivilege.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeHive, readHive } from '../../formats/regf/index.js';
import { NdrError, type ContextHandle } from '../../ndr/index.js';
import type { KeyHandle, RegistrySession, RegistryStore, Token } from '../../registry/index.js';
import { REG_OPTION_BACKUP_RESTORE, REG_OPTION_OPEN_LINK, toolName } from '../../registry/index.js';
import type { ContextHandleTable } from '../../rpc/context-handles.js';
import type { CallContext, CallIdentity, RpcInterface } from '../../rpc/server.js';
import { SecurityDescriptor } from '../../security/descriptor.js';
import { userHiveSddl } from '../../security/registry-defaults.js';
import { Sid } from '../../security/sid.js';
import { makeToken } from '../../security/token.js';
import { FormatError } from '../../util/errors.js';
import { win32, win32Code, Win32Error, win32Name } from '../../util/win32.js';
import type { FileConfinement } from './files.js';
import { graftTree, subtreeOf } from './hives.js';
import * as T from './types.js';

const NULL_HKEY: ContextHandle = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };
const ERROR_SUCCESS = 0;
const ERROR_NO_MORE_ITEMS = 0x103;
const E = (name: Parameters<typeof win32Code>[0]) => win32Code(name);

/** One structured log line per call (written at debug level by `hivewire serve`). */
export interface RrpCallLog {
  opnum: number;
  op: string;
  caller: string;
  /** RPC auth level of the call (0 none, 2 connect, 5 integrity, 6 privacy; MS-RPCE §2.2.1.1.8). */
  authLevel: number;
  key?: string | undefined;
  samDesired?: number;
  status: number;
  statusName: string;
  ms: number;
}

export interface ShutdownRequest {
  opnum: 24 | 25 | 30;
  message?: string;
  timeout?: number;
  forceAppsClosed?: boolean;
  reboot?: boolean;
  reason?: number;
}

export interface RrpServerOptions {
  store: RegistryStore;
  /** The caller's token; undefined refuses the caller (ERROR_ACCESS_DENIED on every open). */
  tokenFor?: (identity: CallIdentity) => Token | undefined;
  /** Where hive files may be read and written; none = the hive methods are refused. */
  files?: FileConfinement;
  /** MS-RSP opnums 24/25/30: answer them, and let this hook decide (true = accepted). */
  shutdown?: (req: ShutdownRequest, identity: CallIdentity) => boolean | Promise<boolean>;
  log?: (entry: RrpCallLog) => void;
  /** A call that failed with something other than a Win32 status (it is answered with a fault). */
  onError?: (err: unknown, opnum: number) => void;
}

/** Default token: the account's SID, groups and privileges; anonymous callers get none. */
export function tokenFromIdentity(id: CallIdentity): Token | undefined {
  if (id.anonymous || !id.sid) return undefined;
  const groups = new Set(['S-1-1-0', 'S-1-5-11', ...id.groups]);
  try {
    return makeToken(id.sid, [...groups], id.privileges);
  } catch {
    return undefined; // a configured SID that does not parse: no access rather than a crash
  }
}

const closeOnRundown = (e: OpenKey) => e.session.closeKey(e.key);

interface OpenKey {
  session: RegistrySession;
  key: KeyHandle;
}

/** Where a handle points, for logs (made when a log line is written: nothing per handle). */
function keyLabel(k: OpenKey): string {
  return k.key.perf || !k.key.path ? (k.key.predefined ?? '') : toolName(k.key.path);
}

/** An RRP_UNICODE_STRING's text without its terminator(s); null when Buffer is NULL (§2.2.4). */
function text(s: T.RRP_UNICODE_STRING | null | undefined): string | null {
  if (!s || s.Buffer === null) {
    if (s && s.Length > 0) throw win32('ERROR_INVALID_PARAMETER', 'Length > 0 with a NULL Buffer');
    return null;
  }
  return s.Buffer.replace(/\0+$/, '');
}

/** A required name: NULL is ERROR_INVALID_PARAMETER. */
function name(s: T.RRP_UNICODE_STRING | null | undefined, what: string): string {
  const t = text(s);
  if (t === null) throw win32('ERROR_INVALID_PARAMETER', `${what} is NULL`);
  return t;
}

/** An output string holding `value` and its NUL; MaximumLength is the caller's capacity, grown to fit.
 * The server allocates [out] strings, so a small capacity is only a hint: Samba's `net rpc` sizes
 * names from QueryInfoKey's character counts as if they were bytes, and Windows still answers it. */
function outString(value: string, capacity: number): T.RRP_UNICODE_STRING | undefined {
  const len = (value.length + 1) * 2;
  if (len > 0xfffe) return undefined;
  return { Length: len, MaximumLength: Math.max(capacity & ~1, len), Buffer: `${value}\0` };
}

function filetime(t: bigint): { dwLowDateTime: number; dwHighDateTime: number } {
  return { dwLowDateTime: Number(t & 0xffffffffn), dwHighDateTime: Number((t >> 32n) & 0xffffffffn) };
}

const EMPTY_SD: T.RPC_SECURITY_DESCRIPTOR = { lpSecurityDescriptor: null, cbInSecurityDescriptor: 0, cbOutSecurityDescriptor: 0 };

function sdFromAttributes(a: T.RPC_SECURITY_ATTRIBUTES | null): Buffer | undefined {
  const sd = a?.RpcSecurityDescriptor.lpSecurityDescriptor;
  return sd && sd.length > 0 ? Buffer.from(sd) : undefined;
}

type AnyOp = { opnum: number; decodeRequest(b: Buffer): any; encodeResponse(v: any, inV?: any): Buffer };

export class RrpServer {
  private readonly opts: RrpServerOptions;
  private readonly sessions = new WeakMap<ContextHandleTable, Map<string, RegistrySession>>();
  private readonly lastSession = new WeakMap<CallIdentity, { handles: ContextHandleTable; session: RegistrySession }>();
  /** Hives grafted by BaseRegLoadKey (tool paths, upper case), the only keys BaseRegUnLoadKey takes. */
  private readonly loaded = new Set<string>();
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** SHUTDOWNINPROGRESS (§3.1.1.12): every method answers ERROR_WRITE_PROTECT. */
  shuttingDown = false;
  readonly iface: RpcInterface;

  constructor(opts: RrpServerOptions) {
    this.opts = opts;
    const opnums: RpcInterface['opnums'] = {};
    const add = (op: AnyOp, fn: (req: any, call: CallContext) => Promise<any>, fail: (req: any, status: number) => any) => {
      opnums[op.opnum] = (stub, call) => this.run(op, stub, call, fn, fail);
    };
    const plain = (_req: unknown, status: number) => ({ returns: status });
    const openFail = (_req: unknown, status: number) => ({ phKey: NULL_HKEY, returns: status });

    const predefined = (op: AnyOp, which: Parameters<RegistrySession['openPredefined']>[0], alwaysSucceeds = false) =>
      add(
        op,
        async (req, call) => {
          if (alwaysSucceeds) {
            // §3.1.5.28/29: always ERROR_SUCCESS; a caller we refuse gets a NULL handle
            try {
              return { phKey: await this.open(call, (s) => s.openPredefined(which, 0)), returns: ERROR_SUCCESS };
            } catch {
              return { phKey: NULL_HKEY, returns: ERROR_SUCCESS };
            }
          }
          return { phKey: await this.open(call, (s) => s.openPredefined(which, req.samDesired)), returns: ERROR_SUCCESS };
        },
        openFail,
      );
    predefined(T.OpenClassesRoot, 'HKEY_CLASSES_ROOT');
    // §3.1.1.8: HKCU is HKU\<caller's SID>. Windows loads the user's hive at logon; we make an empty
    // one, with Windows' default user-hive descriptor, the first time a caller opens it.
    add(
      T.OpenCurrentUser,
      async (req, call) => {
        const s = this.session(call);
        try {
          return { phKey: await this.open(call, (x) => x.openPredefined('HKEY_CURRENT_USER', req.samDesired)), returns: ERROR_SUCCESS };
        } catch (err) {
          if (!(err instanceof Win32Error) || err.status !== E('ERROR_FILE_NOT_FOUND')) throw err;
        }
        const sd = SecurityDescriptor.fromSddl(userHiveSddl(Sid.parse(s.sid))).toBinary();
        await this.opts.store.createKey(`HKEY_USERS\\${s.sid}`, { securityDescriptor: sd });
        return { phKey: await this.open(call, (x) => x.openPredefined('HKEY_CURRENT_USER', req.samDesired)), returns: ERROR_SUCCESS };
      },
      openFail,
    );
    predefined(T.OpenLocalMachine, 'HKEY_LOCAL_MACHINE');
    predefined(T.OpenPerformanceData, 'HKEY_PERFORMANCE_DATA');
    predefined(T.OpenUsers, 'HKEY_USERS');
    predefined(T.OpenCurrentConfig, 'HKEY_CURRENT_CONFIG');
    predefined(T.OpenPerformanceText, 'HKEY_PERFORMANCE_TEXT', true);
    predefined(T.OpenPerformanceNlsText, 'HKEY_PERFORMANCE_NLSTEXT', true);

    // §3.1.5.6
    add(
      T.BaseRegCloseKey,
      async (req, call) => {
        const k = call.handles.lookup<OpenKey>(req.hKey);
        // a store handle that will not close (it throws at once) leaves the RPC handle open;
        // with WOW64 reflection on, the store copies the key to the other view before we answer
        const closing = k.session.closeKey(k.key);
        call.handles.remove(req.hKey);
        await closing;
        return { hKey: NULL_HKEY, returns: ERROR_SUCCESS };
      },
      (req, status) => ({ hKey: req.hKey, returns: status }),
    );

    // §3.1.5.7
    add(
      T.BaseRegCreateKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const sub = name(req.lpSubKey, 'lpSubKey');
        const className = text(req.lpClass) ?? '';
        const sd = sdFromAttributes(req.lpSecurityAttributes);
        const { handle, disposition } = await k.session.createKey(k.key, sub, {
          className,
          options: req.dwOptions,
          sam: req.samDesired,
          ...(sd ? { securityDescriptor: sd } : {}),
        });
        return {
          phkResult: this.register(call, k.session, handle),
          lpdwDisposition: req.lpdwDisposition === null ? null : disposition,
          returns: ERROR_SUCCESS,
        };
      },
      (req, status) => ({ phkResult: NULL_HKEY, lpdwDisposition: req.lpdwDisposition, returns: status }),
    );

    // §3.1.5.8 (a handle that is not open: ERROR_INVALID_PARAMETER, the store's rule for DeleteKey)
    add(
      T.BaseRegDeleteKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        await k.session.deleteKey(k.key, name(req.lpSubKey, 'lpSubKey'));
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.31
    add(
      T.BaseRegDeleteKeyEx,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        await k.session.deleteKey(k.key, name(req.lpSubKey, 'lpSubKey'), { ex: true, sam: req.AccessMask });
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.9
    add(
      T.BaseRegDeleteValue,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        await k.session.deleteValue(k.key, name(req.lpValueName, 'lpValueName'));
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.10
    add(
      T.BaseRegEnumKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        // the end of the list is the common case of a walk: answered without an exception
        const e = await k.session.enumKeyAt(k.key, req.dwIndex);
        if (!e) return enumKeyFail(req, ERROR_NO_MORE_ITEMS);
        const out = outString(e.name, req.lpNameIn.MaximumLength);
        if (!out) throw win32('ERROR_MORE_DATA', 'the subkey name does not fit an RRP_UNICODE_STRING');
        let cls: T.RRP_UNICODE_STRING | null = null;
        if (req.lpClassIn) {
          if (e.className) {
            const c = outString(e.className, req.lpClassIn.MaximumLength);
            // §3.1.5.10: here the capacity counts
            if (!c || c.Length > req.lpClassIn.MaximumLength) throw win32('ERROR_MORE_DATA', 'lpClassIn is too small for the class');
            cls = c;
          } else cls = { Length: 0, MaximumLength: req.lpClassIn.MaximumLength & ~1, Buffer: '' };
        }
        return {
          lpNameOut: out,
          lplpClassOut: cls,
          lpftLastWriteTime: req.lpftLastWriteTime ? filetime(e.lastWrite) : null,
          returns: ERROR_SUCCESS,
        };
      },
      enumKeyFail,
    );

    // §3.1.5.11
    add(
      T.BaseRegEnumValue,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const v = await k.session.enumValueAt(k.key, req.dwIndex);
        if (!v) return enumValueFail(req, ERROR_NO_MORE_ITEMS);
        const out = outString(v.name, req.lpValueNameIn.MaximumLength);
        if (!out) throw win32('ERROR_MORE_DATA', 'the value name does not fit an RRP_UNICODE_STRING');
        if (req.lpData !== null && req.lpcbData === null) throw win32('ERROR_INVALID_PARAMETER', 'lpData without lpcbData');
        const data = this.dataOut(req, v.data);
        return { lpValueNameOut: out, lpType: req.lpType === null ? null : v.type, ...data, returns: data.status };
      },
      enumValueFail,
    );

    // §3.1.5.12
    add(
      T.BaseRegFlushKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        await k.session.flushKey(k.key);
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.13
    add(
      T.BaseRegGetKeySecurity,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const sd = await k.session.getKeySecurity(k.key, req.SecurityInformation);
        if (sd.length > req.pRpcSecurityDescriptorIn.cbInSecurityDescriptor) {
          return {
            pRpcSecurityDescriptorOut: { lpSecurityDescriptor: null, cbInSecurityDescriptor: sd.length, cbOutSecurityDescriptor: 0 },
            returns: E('ERROR_INSUFFICIENT_BUFFER'),
          };
        }
        return {
          pRpcSecurityDescriptorOut: { lpSecurityDescriptor: sd, cbInSecurityDescriptor: sd.length, cbOutSecurityDescriptor: sd.length },
          returns: ERROR_SUCCESS,
        };
      },
      (_req, status) => ({ pRpcSecurityDescriptorOut: EMPTY_SD, returns: status }),
    );

    // §3.1.5.21
    add(
      T.BaseRegSetKeySecurity,
      async (req, call) => {
        const k = this.key(call, req.hKey, 'ERROR_INVALID_PARAMETER');
        const sd = req.pRpcSecurityDescriptor.lpSecurityDescriptor;
        if (!sd || sd.length === 0) throw win32('ERROR_INVALID_PARAMETER', 'no security descriptor');
        await k.session.setKeySecurity(k.key, req.SecurityInformation, Buffer.from(sd));
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.15
    add(
      T.BaseRegOpenKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const sub = name(req.lpSubKey, 'lpSubKey');
        // Windows ignores dwOptions bits other than BACKUP_RESTORE and OPEN_LINK; impacket sends 1 (its
        // default), so refusing them would lock out a real client
        const h = await k.session.openKey(k.key, sub, { options: req.dwOptions & (REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK), sam: req.samDesired });
        return { phkResult: this.register(call, k.session, h), returns: ERROR_SUCCESS };
      },
      (_req, status) => ({ phkResult: NULL_HKEY, returns: status }),
    );

    // §3.1.5.16
    add(
      T.BaseRegQueryInfoKey,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const info = await k.session.queryInfoKey(k.key);
        let cls: T.RRP_UNICODE_STRING = { Length: 0, MaximumLength: 0, Buffer: null };
        if (info.className) {
          const c = outString(info.className, Math.max(req.lpClassIn.MaximumLength, (info.className.length + 1) * 2));
          if (!c || req.lpClassIn.MaximumLength < c.Length) {
            return { ...queryInfoFail(), lpcbMaxClassLen: info.maxClassLen, returns: E('ERROR_MORE_DATA') };
          }
          cls = c;
        }
        return {
          lpClassOut: cls,
          lpcSubKeys: info.subKeys,
          lpcbMaxSubKeyLen: info.maxSubKeyLen,
          lpcbMaxClassLen: info.maxClassLen,
          lpcValues: info.values,
          lpcbMaxValueNameLen: info.maxValueNameLen,
          lpcbMaxValueLen: info.maxValueLen,
          lpcbSecurityDescriptor: info.securityDescriptorSize,
          lpftLastWriteTime: filetime(info.lastWrite),
          returns: ERROR_SUCCESS,
        };
      },
      (_req, status) => ({ ...queryInfoFail(), returns: status }),
    );

    // §3.1.5.17
    add(
      T.BaseRegQueryValue,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const valueName = name(req.lpValueName, 'lpValueName');
        if (req.lpType === null || req.lpcbData === null || req.lpcbLen === null) throw win32('ERROR_INVALID_PARAMETER', 'lpType, lpcbData and lpcbLen are required');
        const v = await k.session.queryValue(k.key, valueName);
        const data = this.dataOut(req, v.data);
        return { lpType: v.type, ...data, returns: data.status };
      },
      (req, status) => ({ lpType: req.lpType, lpData: null, lpcbData: req.lpcbData, lpcbLen: req.lpcbLen === null ? null : 0, returns: status }),
    );

    // §3.1.5.22
    add(
      T.BaseRegSetValue,
      async (req, call) => {
        const k = this.key(call, req.hKey);
        const valueName = name(req.lpValueName, 'lpValueName');
        // strings are stored as sent: the bytes, terminator or not
        await k.session.setValue(k.key, valueName, req.dwType, Buffer.from(req.lpData));
        return { returns: ERROR_SUCCESS };
      },
      plain,
    );

    // §3.1.5.24
    add(
      T.BaseRegGetVersion,
      async (req, call) => {
        this.key(call, req.hKey);
        return { lpdwVersion: 6, returns: ERROR_SUCCESS };
      },
      (_req, status) => ({ lpdwVersion: 0, returns: status }),
    );

    // §3.1.5.26, §3.1.5.30
    add(
      T.BaseRegQueryMultipleValues,
      async (req, call) => {
        const r = await this.multiple(call, req);
        if (r.total > req.ldwTotsize || req.lpvalueBuf === null) {
          return { val_listOut: r.list, lpvalueBuf: null, ldwTotsize: r.total, returns: E('ERROR_MORE_DATA') };
        }
        return { val_listOut: r.list, lpvalueBuf: r.buf, ldwTotsize: r.total, returns: ERROR_SUCCESS };
      },
      (req, status) => ({ val_listOut: blankList(req), lpvalueBuf: null, ldwTotsize: 0, returns: status }),
    );
    add(
      T.BaseRegQueryMultipleValues2,
      async (req, call) => {
        const r = await this.multiple(call, req);
        if (r.total > req.ldwTotsize || req.lpvalueBuf === null) {
          return { val_listOut: r.list, lpvalueBuf: null, ldwRequiredSize: r.total, returns: E('ERROR_MORE_DATA') };
        }
        const buf = Buffer.alloc(req.ldwTotsize);
        r.buf.copy(buf);
        return { val_listOut: r.list, lpvalueBuf: buf, ldwRequiredSize: r.total, returns: ERROR_SUCCESS };
      },
      (req, status) => ({ val_listOut: blankList(req), lpvalueBuf: null, ldwRequiredSize: 0, returns: status }),
    );

    // hive files: §3.1.5.14, §3.1.5.18–§3.1.5.20, §3.1.5.23, §3.1.5.27
    add(T.BaseRegSaveKey, async (req, call) => this.save(call, req.hKey, req.lpFile, req.pSecurityAttributes, 'ERROR_INVALID_HANDLE'), plain);
    add(T.BaseRegSaveKeyEx, async (req, call) => {
      if (![1, 2, 4].includes(req.Flags)) throw win32('ERROR_INVALID_PARAMETER', `Flags ${req.Flags}`);
      return this.save(call, req.hKey, req.lpFile, req.pSecurityAttributes, 'ERROR_INVALID_PARAMETER');
    }, plain);
    add(T.BaseRegRestoreKey, async (req, call) => this.restore(call, req), plain);
    add(T.BaseRegLoadKey, async (req, call) => this.load(call, req), plain);
    add(T.BaseRegUnLoadKey, async (req, call) => this.unload(call, req), plain);
    add(T.BaseRegReplaceKey, async (req, call) => this.replace(call, req), plain);

    // MS-RSP shutdown methods, only with a hook
    if (opts.shutdown) {
      const hook = opts.shutdown;
      const shut = (opnum: 24 | 25 | 30) => async (req: any, call: CallContext) => {
        if (!call.identity.privileges.includes('SeShutdownPrivilege') && !call.identity.privileges.includes('SeRemoteShutdownPrivilege')) {
          throw win32('ERROR_ACCESS_DENIED', 'shutdown needs SeRemoteShutdownPrivilege');
        }
        const r: ShutdownRequest = { opnum };
        if (opnum !== 25) {
          const m = text(req.lpMessage);
          if (m !== null) r.message = m;
          r.timeout = req.dwTimeout;
          r.forceAppsClosed = req.bForceAppsClosed !== 0;
          r.reboot = req.bRebootAfterShutdown !== 0;
          if (opnum === 30) r.reason = req.dwReason;
        }
        return { returns: (await hook(r, call.identity)) ? ERROR_SUCCESS : E('ERROR_ACCESS_DENIED') };
      };
      add(T.BaseInitiateSystemShutdown, shut(24), plain);
      add(T.BaseAbortSystemShutdown, shut(25), plain);
      add(T.BaseInitiateSystemShutdownEx, shut(30), plain);
    }

    this.iface = { uuid: T.RRP_UUID, version: 1, minor: 0, name: 'winreg', opnums };
  }

  /** Resolves when no call is running (after `shuttingDown` is set, for a graceful stop). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private async run(op: AnyOp, stub: Buffer, call: CallContext, fn: (req: any, call: CallContext) => Promise<any>, fail: (req: any, status: number) => any): Promise<Buffer> {
    const req = op.decodeRequest(stub); // NdrError: the runtime answers fault 0x6F7
    const log = this.opts.log;
    const started = log ? performance.now() : 0;
    let res: any;
    let keyName: string | undefined;
    this.inFlight++;
    try {
      if (this.shuttingDown && op.opnum !== 32 && op.opnum !== 33) throw win32('ERROR_WRITE_PROTECT', 'the server is shutting down');
      if (log && req.hKey && call.handles.contains(req.hKey)) keyName = keyLabel(call.handles.lookup<OpenKey>(req.hKey));
      res = await fn(req, call);
    } catch (err) {
      if (err instanceof Win32Error) res = fail(req, err.status);
      else {
        // RpcFault (unknown handle...), NdrError: the runtime answers with a fault
        this.opts.onError?.(err, op.opnum);
        throw err;
      }
    } finally {
      if (--this.inFlight === 0) for (const f of this.idle.splice(0)) f();
    }
    if (log) log({
      opnum: op.opnum,
      op: opName(op.opnum),
      caller: call.identity.anonymous ? '(anonymous)' : `${call.identity.domain}\\${call.identity.user}`,
      authLevel: call.authLevel,
      key: keyName,
      ...(typeof req.samDesired === 'number' ? { samDesired: req.samDesired } : {}),
      status: res.returns,
      statusName: win32Name(res.returns),
      ms: Math.round((performance.now() - started) * 1000) / 1000,
    });
    return op.encodeResponse(res, req);
  }

  /** The registry session of this association for the caller's token. */
  private session(call: CallContext): RegistrySession {
    // the RPC runtime keeps one identity object per connection: most calls find their session here
    const hit = this.lastSession.get(call.identity);
    if (hit && hit.handles === call.handles) return hit.session;
    const token = (this.opts.tokenFor ?? tokenFromIdentity)(call.identity);
    if (!token) throw win32('ERROR_ACCESS_DENIED', 'no valid credentials');
    let byUser = this.sessions.get(call.handles);
    if (!byUser) this.sessions.set(call.handles, (byUser = new Map()));
    const id = `${token.user.toString()}|${[...token.groups].map(String).join(',')}|${[...token.privileges].join(',')}`;
    let s = byUser.get(id);
    if (!s) byUser.set(id, (s = this.opts.store.openSession(token)));
    this.lastSession.set(call.identity, { handles: call.handles, session: s });
    return s;
  }

  private async open(call: CallContext, fn: (s: RegistrySession) => Promise<KeyHandle>): Promise<ContextHandle> {
    const s = this.session(call);
    return this.register(call, s, await fn(s));
  }

  private register(call: CallContext, session: RegistrySession, key: KeyHandle): ContextHandle {
    const entry: OpenKey = { session, key };
    return call.handles.open(entry, closeOnRundown);
  }

  /** The open key behind hKey; a handle unknown to this association faults (context mismatch). */
  private key(call: CallContext, h: ContextHandle, _invalid?: 'ERROR_INVALID_PARAMETER'): OpenKey {
    return call.handles.lookup<OpenKey>(h);
  }

  /** lpData/lpcbData/lpcbLen of QueryValue and EnumValue (§3.1.5.11, §3.1.5.17, <21>). */
  private dataOut(req: { lpData: Buffer | null; lpcbData: number | null; lpcbLen: number | null }, data: Buffer) {
    const size = data.length;
    if (req.lpData === null) {
      // a size query: nothing is copied, the size comes back in lpcbData
      return { lpData: null, lpcbData: req.lpcbData === null ? null : size, lpcbLen: req.lpcbLen === null ? null : size, status: ERROR_SUCCESS };
    }
    if (size > (req.lpcbData ?? 0)) {
      return { lpData: null, lpcbData: size, lpcbLen: req.lpcbLen === null ? null : 0, status: E('ERROR_MORE_DATA') };
    }
    return { lpData: data, lpcbData: size, lpcbLen: req.lpcbLen === null ? null : size, status: ERROR_SUCCESS };
  }

  private async multiple(call: CallContext, req: { hKey: ContextHandle; val_listIn: T.RVALENT[]; num_vals: number }) {
    const k = this.key(call, req.hKey);
    const list: T.RVALENT[] = [];
    const parts: Buffer[] = [];
    let total = 0;
    for (const ent of req.val_listIn) {
      const n = ent.ve_valuename;
      if (n && n.Length > 0 && n.Buffer === null) throw win32('ERROR_INVALID_PARAMETER', 'value name with NULL Buffer');
      const v = await k.session.queryValue(k.key, text(n) ?? '');
      list.push({ ve_valuename: n, ve_valuelen: v.data.length, ve_valueptr: total, ve_type: v.type });
      parts.push(v.data);
      total += v.data.length;
    }
    return { list, buf: Buffer.concat(parts), total };
  }

  // ---- hive files -------------------------------------------------------------------------------

  private need(call: CallContext, privilege: string): void {
    const token = (this.opts.tokenFor ?? tokenFromIdentity)(call.identity);
    if (!token) throw win32('ERROR_ACCESS_DENIED', 'no valid credentials');
    if (!token.privileges.has(privilege)) throw win32('ERROR_PRIVILEGE_NOT_HELD', `${privilege} is required`);
  }

  private file(s: T.RRP_UNICODE_STRING | null): string {
    const n = name(s, 'lpFile');
    if (!this.opts.files) throw win32('ERROR_ACCESS_DENIED', 'no files directory is configured');
    return this.opts.files.resolve(n);
  }

  /** The tool path (HKEY_LOCAL_MACHINE\...) of an open key; perf keys have none. */
  private pathOf(k: OpenKey, perfError: 'ERROR_INVALID_HANDLE' | 'ERROR_INVALID_PARAMETER' = 'ERROR_INVALID_HANDLE'): string {
    if (k.key.perf || !k.key.path) throw win32(perfError, 'performance keys have no hive');
    return toolName(k.key.path);
  }

  private readHiveFile(file: string) {
    if (!existsSync(file)) throw win32('ERROR_FILE_NOT_FOUND', file);
    try {
      return readHive(readFileSync(file));
    } catch (err) {
      if (err instanceof FormatError || err instanceof NdrError || err instanceof RangeError) throw win32('ERROR_NOT_REGISTRY_FILE', (err as Error).message);
      throw err;
    }
  }

  private async save(call: CallContext, h: ContextHandle, lpFile: T.RRP_UNICODE_STRING, attrs: T.RPC_SECURITY_ATTRIBUTES | null, perfError: 'ERROR_INVALID_HANDLE' | 'ERROR_INVALID_PARAMETER') {
    const k = this.key(call, h);
    const path = this.pathOf(k, perfError);
    if (path.split('\\').length < 2 || /^\\Registry/.test(path)) throw win32('ERROR_ACCESS_DENIED', 'cannot save HKEY_LOCAL_MACHINE or HKEY_USERS itself');
    this.need(call, 'SeBackupPrivilege');
    const file = this.file(lpFile);
    const sd = sdFromAttributes(attrs);
    if (sd && !this.opts.store.security.isValid(sd)) throw win32('ERROR_INVALID_PARAMETER', 'invalid security descriptor');
    if (existsSync(file)) throw win32('ERROR_ALREADY_EXISTS', file);
    const tree = await subtreeOf(this.opts.store, path, path.split('\\').pop()!);
    try {
      // folders inside the files directory are made as needed (impacket's reg.py saves to
      // "<dir>\\<key path>.save"); resolve() has already kept the path inside it
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, writeHive(tree), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw win32('ERROR_ALREADY_EXISTS', file);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw win32('ERROR_PATH_NOT_FOUND', file);
      throw win32('ERROR_ACCESS_DENIED', (err as Error).message);
    }
    return { returns: ERROR_SUCCESS };
  }

  private async restore(call: CallContext, req: { hKey: ContextHandle; lpFile: T.RRP_UNICODE_STRING; Flags: number }) {
    const k = this.key(call, req.hKey);
    if (req.Flags & ~0xf) throw win32('ERROR_INVALID_PARAMETER', `Flags 0x${req.Flags.toString(16)}`);
    const path = this.pathOf(k, 'ERROR_INVALID_PARAMETER');
    this.need(call, 'SeRestorePrivilege');
    const tree = this.readHiveFile(this.file(req.lpFile));
    await this.opts.store.transaction((tx) => graftTree(tx, path, tree, true, (req.Flags & 1) !== 0));
    return { returns: ERROR_SUCCESS };
  }

  private async load(call: CallContext, req: { hKey: ContextHandle; lpSubKey: T.RRP_UNICODE_STRING; lpFile: T.RRP_UNICODE_STRING }) {
    const k = this.key(call, req.hKey);
    if (k.key.predefined !== 'HKEY_LOCAL_MACHINE' && k.key.predefined !== 'HKEY_USERS') throw win32('ERROR_INVALID_PARAMETER', 'LoadKey takes a handle from OpenLocalMachine or OpenUsers');
    this.need(call, 'SeRestorePrivilege');
    const file = this.file(req.lpFile);
    const tree = this.readHiveFile(file);
    const sub = text(req.lpSubKey) || tree.name;
    if (!sub || sub.includes('\\')) throw win32('ERROR_INVALID_PARAMETER', 'lpSubKey');
    const path = `${this.pathOf(k)}\\${sub}`;
    await this.opts.store.transaction(async (tx) => {
      if (await tx.keyExists(path)) throw win32('ERROR_ACCESS_DENIED', `${path} exists`);
      await tx.createKey(path);
      if (tree.securityDescriptor) await tx.setSecurity(path, tree.securityDescriptor, 0x7);
      await graftTree(tx, path, tree, false);
    });
    this.loaded.add(path.toUpperCase());
    return { returns: ERROR_SUCCESS };
  }

  private async unload(call: CallContext, req: { hKey: ContextHandle; lpSubKey: T.RRP_UNICODE_STRING }) {
    const k = this.key(call, req.hKey);
    const sub = text(req.lpSubKey);
    const base = this.pathOf(k, 'ERROR_INVALID_PARAMETER');
    if (!/^HKEY_(LOCAL_MACHINE|USERS)\\/i.test(`${base}\\`)) throw win32('ERROR_ACCESS_DENIED', 'not under HKEY_LOCAL_MACHINE or HKEY_USERS');
    this.need(call, 'SeRestorePrivilege');
    const path = sub ? `${base}\\${sub}` : base;
    if (!(await this.opts.store.keyExists(path))) throw win32('ERROR_FILE_NOT_FOUND', path);
    if (!this.loaded.has(path.toUpperCase())) throw win32('ERROR_INVALID_PARAMETER', `${path} is not a loaded hive`);
    await this.opts.store.deleteKey(path, { recursive: true });
    this.loaded.delete(path.toUpperCase());
    return { returns: ERROR_SUCCESS };
  }

  /** §3.1.5.18. We apply the new hive at once (there is no restart to wait for), after saving the
   * current contents to lpOldFile. */
  private async replace(call: CallContext, req: { hKey: ContextHandle; lpSubKey: T.RRP_UNICODE_STRING; lpNewFile: T.RRP_UNICODE_STRING; lpOldFile: T.RRP_UNICODE_STRING }) {
    const k = this.key(call, req.hKey);
    const sub = name(req.lpSubKey, 'lpSubKey');
    const newFile = this.file(req.lpNewFile);
    const oldFile = this.file(req.lpOldFile);
    this.need(call, 'SeRestorePrivilege');
    this.need(call, 'SeBackupPrivilege');
    const path = sub ? `${this.pathOf(k, 'ERROR_INVALID_PARAMETER')}\\${sub}` : this.pathOf(k, 'ERROR_INVALID_PARAMETER');
    if (!existsSync(newFile)) throw win32('ERROR_FILE_NOT_FOUND', newFile);
    if (existsSync(oldFile)) throw win32('ERROR_ALREADY_EXISTS', oldFile);
    if (!(await this.opts.store.keyExists(path))) throw win32('ERROR_FILE_NOT_FOUND', path);
    const tree = this.readHiveFile(newFile);
    writeFileSync(oldFile, writeHive(await subtreeOf(this.opts.store, path, path.split('\\').pop()!)), { flag: 'wx' });
    await this.opts.store.transaction((tx) => graftTree(tx, path, tree, true));
    return { returns: ERROR_SUCCESS };
  }
}

function enumKeyFail(req: { lpftLastWriteTime: { dwLowDateTime: number; dwHighDateTime: number } | null }, status: number) {
  return {
    lpNameOut: { Length: 0, MaximumLength: 0, Buffer: null },
    lplpClassOut: null,
    lpftLastWriteTime: req.lpftLastWriteTime,
    returns: status,
  };
}

function enumValueFail(req: { lpType: number | null; lpcbData: number | null; lpcbLen: number | null }, status: number) {
  return {
    lpValueNameOut: { Length: 0, MaximumLength: 0, Buffer: null },
    lpType: req.lpType,
    lpData: null,
    lpcbData: req.lpcbData,
    lpcbLen: req.lpcbLen === null ? null : 0,
    returns: status,
  };
}

function queryInfoFail() {
  return {
    lpClassOut: { Length: 0, MaximumLength: 0, Buffer: null },
    lpcSubKeys: 0,
    lpcbMaxSubKeyLen: 0,
    lpcbMaxClassLen: 0,
    lpcValues: 0,
    lpcbMaxValueNameLen: 0,
    lpcbMaxValueLen: 0,
    lpcbSecurityDescriptor: 0,
    lpftLastWriteTime: { dwLowDateTime: 0, dwHighDateTime: 0 },
  };
}

function blankList(req: { val_listIn: T.RVALENT[] }): T.RVALENT[] {
  return req.val_listIn.map((e) => ({ ve_valuename: e.ve_valuename, ve_valuelen: 0, ve_valueptr: 0, ve_type: 0 }));
}

const NAMES: Record<number, string> = {};
for (const [n, v] of Object.entries(T)) if (v && typeof v === 'object' && 'opnum' in v && typeof (v as { opnum: unknown }).opnum === 'number') NAMES[(v as { opnum: number }).opnum] = n;
function opName(opnum: number): string {
  return NAMES[opnum] ?? `opnum${opnum}`;
}
