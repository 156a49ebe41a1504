// The handle API of the store: what a caller (a Token) may do with keys, as the methods of MS-RRP
// §3.1.5 define it — handles fix the granted access at open time (§3.1.1.9, §3.1.1.10), names are
// relative to a handle (§3.1.1.1.2), symbolic links are followed (§3.1.1.11), the 32-bit view is
// redirected (§3.1.1.4), HKCU/HKCR are per caller (§3.1.1.7, §3.1.1.8). Errors are the Win32 codes the
// RRP methods return. A session without a token is trusted (tools, the policy engine as SYSTEM).

import { REG_LINK } from '../formats/value.js';
import { win32, Win32Error } from '../util/win32.js';
import { upcase, upathOf, joinPath, baseName, parentPath, type KeyRecord, type StoreReader, type StoreWriter, type ValueRecord } from './backend.js';
import {
  ACCESS_SYSTEM_SECURITY,
  DACL_SECURITY_INFORMATION,
  DELETE,
  GROUP_SECURITY_INFORMATION,
  KEYF_LINK,
  KEYF_VOLATILE,
  KEY_ALL_ACCESS,
  KEY_CREATE_LINK,
  KEY_CREATE_SUB_KEY,
  KEY_ENUMERATE_SUB_KEYS,
  KEY_NOTIFY,
  KEY_QUERY_VALUE,
  KEY_READ,
  KEY_SET_VALUE,
  KEY_WOW64_32KEY,
  KEY_WOW64_64KEY,
  KEY_WOW64_RES,
  MAX_LINK_DEPTH,
  MAX_VALUE_DATA,
  MAX_VALUE_NAME,
  OWNER_SECURITY_INFORMATION,
  READ_CONTROL,
  REGSAM_VALID,
  REG_CREATED_NEW_KEY,
  REG_CREATE_OPTIONS_VALID,
  REG_OPENED_EXISTING_KEY,
  REG_OPEN_OPTIONS_VALID,
  REG_OPTION_BACKUP_RESTORE,
  REG_OPTION_CREATE_LINK,
  REG_OPTION_OPEN_LINK,
  REG_OPTION_VOLATILE,
  SACL_SECURITY_INFORMATION,
  SYMLINK_VALUE,
  WRITE_DAC,
  WRITE_OWNER,
} from './constants.js';
import { checkDepth, parseObjectName, splitRelative, type PredefinedKey } from './path.js';
import { perfValues, type PerfKind } from './perf.js';
import type { AccessResult, Token } from './security.js';
import type { Notification, WatchOptions, Watcher } from './notify.js';
import { redirect32, reflectionPeer } from './wow64.js';
import type { StoreCore } from './store.js';

/** The SID whose hive is HKEY_CURRENT_USER for trusted callers (LocalSystem). */
export const SYSTEM_SID = 'S-1-5-18';

const STANDARD_RIGHTS_READ = READ_CONTROL;
const STANDARD_RIGHTS_WRITE = READ_CONTROL;

/** An open key (a HANDLETABLE row, §3.1.1.9). Opaque to callers; the RRP server maps its context
 * handles to these. */
export class KeyHandle {
  closed = false;
  /** HANDLETABLE.UPDATECOPY (§3.1.1): the key was changed through this handle and is reflected
   * (wow64.ts reflectionPeer), so its subkeys and values are copied to the other view at close. */
  updateCopy = false;
  constructor(
    readonly id: number,
    /** The key's path below \Registry as stored ('' for the performance keys). */
    readonly path: string,
    readonly keyId: number,
    /** Access fixed at open time (§3.1.1.10). */
    readonly granted: number,
    /** The path as the caller named it, before WOW64 redirection: relative names extend it. */
    readonly logical: readonly string[],
    readonly view: 32 | 64,
    readonly predefined: PredefinedKey | undefined,
    readonly perf: PerfKind | undefined,
    /** For HKEY_CLASSES_ROOT handles: the path below Classes, merged from the caller's and the
     * machine's Classes keys (§3.1.1.7). */
    readonly classes: { sid: string; rel: readonly string[] } | undefined,
    /** upcase(path): every call on the handle looks its key up by it (the key record's own string
     * when it has one, so handles to one key share it). */
    readonly upath: string = upcase(path),
  ) {}
}

export interface OpenOptions {
  /** REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK (§3.1.5.15). */
  options?: number;
  /** REGSAM (§2.2.3); default KEY_READ. */
  sam?: number;
}

export interface CreateOptions {
  className?: string;
  /** Key type (0, REG_OPTION_VOLATILE, REG_OPTION_CREATE_LINK) | REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK. */
  options?: number;
  /** REGSAM; default KEY_ALL_ACCESS. */
  sam?: number;
  /** Explicit self-relative descriptor for the new key (lpSecurityAttributes). */
  securityDescriptor?: Buffer;
}

export interface EnumKeyResult {
  name: string;
  className: string;
  lastWrite: bigint;
}

export interface KeyInfo {
  className: string;
  subKeys: number;
  /** In characters, without the terminating NUL (§3.1.5.16). */
  maxSubKeyLen: number;
  maxClassLen: number;
  values: number;
  maxValueNameLen: number;
  /** In bytes. */
  maxValueLen: number;
  securityDescriptorSize: number;
  lastWrite: bigint;
}

/** How a session reaches the backend: the store's own (each call a write of its own) or, inside a
 * transaction, the transaction's writer. */
export interface Executor {
  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T>;
  write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T>;
}

interface Walk {
  /** The path walked to, after following links (case as given/stored). */
  segs: string[];
  /** Records of the existing prefix of `segs`. */
  recs: KeyRecord[];
}

export class RegistrySession {
  private readonly handles = new Set<KeyHandle>();
  readonly sid: string;

  constructor(
    private readonly core: StoreCore,
    /** The caller; undefined = trusted (no access checks, HKCU = SYSTEM's). */
    readonly token: Token | undefined,
    private readonly exec: Executor = core,
  ) {
    this.sid = token ? token.user.toString() : SYSTEM_SID;
  }

  get trusted(): boolean {
    return this.token === undefined;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private live(h: KeyHandle, invalid: 'ERROR_INVALID_HANDLE' | 'ERROR_INVALID_PARAMETER' = 'ERROR_INVALID_HANDLE'): KeyHandle {
    if (!(h instanceof KeyHandle) || h.closed || !this.handles.has(h)) throw win32(invalid, 'not an open handle');
    return h;
  }

  private need(h: KeyHandle, right: number, what: string): void {
    if ((h.granted & right) !== right) throw win32('ERROR_ACCESS_DENIED', `${what} needs access 0x${right.toString(16)} on the handle`);
  }

  /** §2.2.3: unknown REGSAM bits, and both WOW64 bits together (§3.1.1.4), are ERROR_INVALID_PARAMETER. */
  private checkSam(sam: number): void {
    if ((sam & ~REGSAM_VALID) !== 0) throw win32('ERROR_INVALID_PARAMETER', `REGSAM 0x${(sam >>> 0).toString(16)} has undefined bits`);
    if ((sam & KEY_WOW64_RES) === KEY_WOW64_RES) throw win32('ERROR_INVALID_PARAMETER', 'both KEY_WOW64_32KEY and KEY_WOW64_64KEY');
  }

  private viewOf(sam: number, h?: KeyHandle): 32 | 64 {
    if (sam & KEY_WOW64_32KEY) return 32;
    if (sam & KEY_WOW64_64KEY) return 64;
    return h?.view ?? 64;
  }

  /** ERROR_KEY_DELETED once the handle's key is gone. A hive's top key (\Registry\Machine,
   * \Registry\User) is never deleted (deleteKey refuses depth 1), so a handle to one needs no look-up
   * (a round trip on a shared backend, for every key opened below HKLM or HKU). */
  private async alive(r: StoreReader, h: KeyHandle): Promise<void> {
    if (h.path !== '' && !h.path.includes('\\')) return;
    await this.current(r, h);
  }

  /** The handle's key as it is now; ERROR_KEY_DELETED once it is gone (§2.2.6). */
  private async current(r: StoreReader, h: KeyHandle): Promise<KeyRecord> {
    const rec = await r.key(h.upath);
    if (!rec || rec.id !== h.keyId) throw win32('ERROR_KEY_DELETED', h.path);
    return rec;
  }

  /** Access granted on a key's descriptor for `sam`, or ERROR_ACCESS_DENIED (§3.1.1.10). With
   * REG_OPTION_BACKUP_RESTORE the privileges decide instead (§3.1.5.7, §3.1.5.15). */
  private grant(sd: Buffer, sam: number, options: number): number {
    const desired = sam & ~KEY_WOW64_RES;
    if (!this.token) return KEY_ALL_ACCESS | ACCESS_SYSTEM_SECURITY; // trusted: tools, SYSTEM
    if (options & REG_OPTION_BACKUP_RESTORE) {
      const backup = this.token.privileges.has('SeBackupPrivilege');
      const restore = this.token.privileges.has('SeRestorePrivilege');
      if (backup && restore) return KEY_ALL_ACCESS | ACCESS_SYSTEM_SECURITY;
      if (backup) return STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY | ACCESS_SYSTEM_SECURITY;
      if (restore) return STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | ACCESS_SYSTEM_SECURITY | WRITE_DAC | WRITE_OWNER | DELETE;
      throw win32('ERROR_ACCESS_DENIED', 'REG_OPTION_BACKUP_RESTORE without SeBackupPrivilege or SeRestorePrivilege');
    }
    const res = this.check(sd, desired);
    if (!res.allowed) throw win32('ERROR_ACCESS_DENIED', `access 0x${desired.toString(16)} denied`);
    return res.granted;
  }

  // Access checks of this session's token, remembered per descriptor (descriptors are shared,
  // immutable Buffers: a changed descriptor is a new Buffer) and desired access.
  private readonly checked = new WeakMap<Buffer, Map<number, AccessResult>>();

  private check(sd: Buffer, desired: number): AccessResult {
    let m = this.checked.get(sd);
    if (!m) this.checked.set(sd, (m = new Map()));
    let res = m.get(desired);
    if (!res) {
      // SECURITY HOOK: accessCheck(token, sd, desired, KEY_GENERIC_MAPPING)
      res = this.core.security.accessCheck(this.token!, sd, desired, {});
      if (m.size > 64) m.clear();
      m.set(desired, res);
    }
    return res;
  }

  /** Follows `segs` from \Registry, links included (§3.1.1.11), as far as keys exist. */
  private async walk(r: StoreReader, input: readonly string[], openLink: boolean): Promise<Walk> {
    let segs = [...input];
    let depth = 0;
    let targetLen = 0;
    for (;;) {
      checkDepth(segs);
      const found = await r.chain(segs.map(upcase));
      const recs: KeyRecord[] = [];
      let relinked = false;
      for (let i = 0; i < segs.length; i++) {
        const rec = found[i];
        if (!rec) {
          if (i < targetLen) throw win32('ERROR_INVALID_PARAMETER', `symbolic link target ${segs.slice(0, targetLen).join('\\')} does not exist`);
          return { segs: [...recs.map((x) => baseName(x.path)), ...segs.slice(i)], recs };
        }
        recs.push(rec);
        if (rec.flags & KEYF_LINK && !(openLink && i === segs.length - 1)) {
          if (++depth > MAX_LINK_DEPTH) throw win32('ERROR_CANT_RESOLVE_FILENAME', `more than ${MAX_LINK_DEPTH} symbolic links`);
          const v = await r.value(upathOf(rec), upcase(SYMLINK_VALUE));
          const target = v && v.type === REG_LINK ? parseObjectName(v.data.toString('utf16le', 0, v.data.length & ~1)) : undefined;
          if (!target) throw win32('ERROR_INVALID_PARAMETER', `${rec.path} is a link without a valid ${SYMLINK_VALUE}`);
          targetLen = target.length;
          segs = [...target, ...segs.slice(i + 1)];
          relinked = true;
          break;
        }
      }
      if (!relinked) return { segs: recs.map((x) => baseName(x.path)), recs };
    }
  }

  /** The 32-bit view's segments for a logical path (§3.1.1.4; reflected keys are not shared). */
  private redirect(segs: readonly string[]): string[] {
    return redirect32(segs, this.core.reflection);
  }

  /** Marks UPDATECOPY on a handle whose key was changed, when the store reflects that key. */
  private changed(h: KeyHandle): void {
    if (this.core.reflection === 'vista' && !h.updateCopy && reflectionPeer(h.path.split('\\'))) h.updateCopy = true;
  }

  /** Where a name relative to `h` points: the physical segments for the handle's view. */
  private target(h: KeyHandle, rel: readonly string[], view: 32 | 64): { logical: string[]; physical: string[] } {
    const logical = [...h.logical, ...rel];
    return { logical, physical: view === 32 ? this.redirect(logical) : logical };
  }

  /** For HKCR handles: the caller's Classes key if the path exists there, else the machine's (§3.1.1.7). */
  private async classesTarget(r: StoreReader, sid: string, rel: readonly string[], view: 32 | 64, openLink: boolean): Promise<{ logical: string[]; walk: Walk }> {
    const user = ['User', sid, 'Software', 'Classes', ...rel];
    const machine = ['Machine', 'SOFTWARE', 'Classes', ...rel];
    const u = await this.walk(r, view === 32 ? this.redirect(user) : user, openLink);
    if (u.recs.length === u.segs.length) return { logical: user, walk: u };
    const m = await this.walk(r, view === 32 ? this.redirect(machine) : machine, openLink);
    return { logical: machine, walk: m };
  }

  private newHandle(rec: KeyRecord | undefined, granted: number, logical: readonly string[], view: 32 | 64, extra: { predefined?: PredefinedKey; perf?: PerfKind; classes?: { sid: string; rel: readonly string[] } } = {}): KeyHandle {
    const h = new KeyHandle(this.core.nextHandleId(), rec?.path ?? '', rec?.id ?? -1, granted, internLogical(logical), view, extra.predefined, extra.perf, extra.classes, rec ? upathOf(rec) : '');
    this.handles.add(h);
    return h;
  }

  // ---- opening predefined keys (§3.1.5.1–§3.1.5.5, §3.1.5.25, §3.1.5.28, §3.1.5.29) ------------

  async openPredefined(which: PredefinedKey, sam: number = KEY_READ): Promise<KeyHandle> {
    if (which === 'HKEY_PERFORMANCE_DATA' || which === 'HKEY_PERFORMANCE_TEXT' || which === 'HKEY_PERFORMANCE_NLSTEXT') {
      // samDesired MUST be ignored (§3.1.5.4, §3.1.5.28, §3.1.5.29); read-only views.
      return this.newHandle(undefined, KEY_READ, [], 64, { predefined: which, perf: which });
    }
    this.checkSam(sam);
    const view = this.viewOf(sam);
    return this.exec.read(async (r) => {
      if (which === 'HKEY_CLASSES_ROOT') {
        const t = await this.classesTarget(r, this.sid, [], view, false);
        const rec = t.walk.recs[t.walk.recs.length - 1];
        if (!rec || t.walk.recs.length !== t.walk.segs.length) throw win32('ERROR_FILE_NOT_FOUND', 'HKEY_CLASSES_ROOT');
        return this.newHandle(rec, this.grant(rec.sd, sam, 0), t.logical, view, { predefined: which, classes: { sid: this.sid, rel: [] } });
      }
      const logical = rootSegments(which, this.sid);
      const w = await this.walk(r, view === 32 ? this.redirect(logical) : logical, false);
      if (w.recs.length !== w.segs.length) throw win32('ERROR_FILE_NOT_FOUND', `${which} (${logical.join('\\')})`);
      const rec = w.recs[w.recs.length - 1]!;
      return this.newHandle(rec, this.grant(rec.sd, sam, 0), logical, view, { predefined: which });
    });
  }

  // ---- BaseRegOpenKey (§3.1.5.15) -------------------------------------------------------------

  async openKey(hKey: KeyHandle, subKey: string, opts: OpenOptions = {}): Promise<KeyHandle> {
    const h = this.live(hKey);
    const options = opts.options ?? 0;
    const sam = opts.sam ?? KEY_READ;
    if (options & ~REG_OPEN_OPTIONS_VALID) throw win32('ERROR_INVALID_PARAMETER', `dwOptions 0x${options.toString(16)}`);
    this.checkSam(sam);
    const rel = splitRelative(subKey);
    if (h.perf) {
      if (rel.length) throw win32('ERROR_FILE_NOT_FOUND', subKey);
      return this.newHandle(undefined, KEY_READ, [], 64, { predefined: h.predefined!, perf: h.perf });
    }
    const view = this.viewOf(sam, h);
    const openLink = (options & REG_OPTION_OPEN_LINK) !== 0;
    return this.exec.read(async (r) => {
      await this.alive(r, h);
      let logical: string[];
      let walk: Walk;
      let classes: { sid: string; rel: readonly string[] } | undefined;
      if (h.classes) {
        const crel = [...h.classes.rel, ...rel];
        ({ logical, walk } = await this.classesTarget(r, h.classes.sid, crel, view, openLink));
        classes = { sid: h.classes.sid, rel: crel };
      } else {
        const t = this.target(h, rel, view);
        logical = t.logical;
        // The common case in one lookup: the whole path names a plain key (a link has no subkeys,
        // so no link lies on the way to it).
        checkDepth(t.physical);
        const direct = await r.key(upcase(t.physical.join('\\')));
        if (direct && !(direct.flags & KEYF_LINK)) return this.newHandle(direct, this.grant(direct.sd, sam, options), logical, view);
        walk = await this.walk(r, t.physical, openLink);
      }
      if (walk.recs.length !== walk.segs.length) throw expected('ERROR_FILE_NOT_FOUND', subKey);
      const rec = walk.recs[walk.recs.length - 1]!;
      return this.newHandle(rec, this.grant(rec.sd, sam, options), logical, view, classes ? { classes } : {});
    });
  }

  // ---- BaseRegCreateKey (§3.1.5.7) ------------------------------------------------------------

  async createKey(
    hKey: KeyHandle,
    subKey: string,
    opts: CreateOptions = {},
    /** Runs in the same atomic write once the key exists (the path API's create-and-set). */
    then?: (w: StoreWriter, key: KeyRecord) => Promise<void>,
  ): Promise<{ handle: KeyHandle; disposition: number }> {
    const h = this.live(hKey);
    const options = opts.options ?? 0;
    const sam = opts.sam ?? KEY_ALL_ACCESS;
    const keyType = options & 0x3;
    if (options & ~REG_CREATE_OPTIONS_VALID || keyType === 0x3) throw win32('ERROR_INVALID_PARAMETER', `dwOptions 0x${options.toString(16)}`);
    this.checkSam(sam);
    if (h.perf) throw win32('ERROR_ACCESS_DENIED', 'performance keys are read-only');
    const rel = splitRelative(subKey);
    const className = opts.className ?? '';
    if (opts.securityDescriptor && !this.core.security.isValid(opts.securityDescriptor)) throw win32('ERROR_INVALID_PARAMETER', 'invalid security descriptor');
    const view = this.viewOf(sam, h);
    const isLink = keyType === REG_OPTION_CREATE_LINK;
    const made = await this.exec.write(async (w) => {
      await this.alive(w, h);
      let logical: string[];
      let walk: Walk;
      let classes: { sid: string; rel: readonly string[] } | undefined;
      if (h.classes) {
        const crel = [...h.classes.rel, ...rel];
        ({ logical, walk } = await this.classesTarget(w, h.classes.sid, crel, view, isLink || (options & REG_OPTION_OPEN_LINK) !== 0));
        classes = { sid: h.classes.sid, rel: crel };
        if (walk.recs.length < walk.segs.length && logical[0] === 'User') {
          // Not in the caller's Classes: new keys go to the machine's (Windows' HKCR write rule).
          const machine = ['Machine', 'SOFTWARE', 'Classes', ...crel];
          logical = machine;
          walk = await this.walk(w, view === 32 ? this.redirect(machine) : machine, isLink);
        }
      } else {
        const t = this.target(h, rel, view);
        logical = t.logical;
        walk = await this.walk(w, t.physical, isLink || (options & REG_OPTION_OPEN_LINK) !== 0);
      }
      const extra = classes ? { classes } : {};
      if (walk.recs.length === walk.segs.length) {
        const rec = walk.recs[walk.recs.length - 1]!;
        if (isLink && rel.length) throw win32('ERROR_ALREADY_EXISTS', subKey);
        const access = this.grant(rec.sd, sam, options);
        if (then) await then(w, rec);
        return { rec, access, logical, extra, disposition: REG_OPENED_EXISTING_KEY };
      }
      const m = walk.recs.length;
      const parent = walk.recs[m - 1];
      if (!parent) throw win32('ERROR_FILE_NOT_FOUND', subKey);
      if (!this.trusted && m === 1) throw win32('ERROR_INVALID_PARAMETER', 'cannot create a key directly under HKEY_LOCAL_MACHINE or HKEY_USERS');
      if (parent.flags & KEYF_VOLATILE && keyType !== REG_OPTION_VOLATILE) throw win32('ERROR_CHILD_MUST_BE_VOLATILE', parent.path);
      if (parent.flags & KEYF_LINK) throw win32('ERROR_KEY_HAS_CHILDREN', `${parent.path} is a symbolic link`);
      if (this.token) {
        const want = KEY_CREATE_SUB_KEY | (isLink ? KEY_CREATE_LINK : 0);
        if (!(options & REG_OPTION_BACKUP_RESTORE)) {
          // SECURITY HOOK: accessCheck on the parent for KEY_CREATE_SUB_KEY (+ KEY_CREATE_LINK)
          if (!this.check(parent.sd, want).allowed) throw win32('ERROR_ACCESS_DENIED', `create under ${parent.path}`);
        } else if (!this.token.privileges.has('SeRestorePrivilege')) {
          throw win32('ERROR_ACCESS_DENIED', 'REG_OPTION_BACKUP_RESTORE create without SeRestorePrivilege');
        }
      }
      const now = this.core.now();
      let parentRec: KeyRecord = parent;
      for (let i = m; i < walk.segs.length; i++) {
        const last = i === walk.segs.length - 1;
        const flags = (keyType === REG_OPTION_VOLATILE ? KEYF_VOLATILE : 0) | (last && isLink ? KEYF_LINK : 0);
        const path = joinPath(parentRec.path, walk.segs[i]!);
        // SECURITY HOOK: a hive's top key (HKU\<sid>) gets its default descriptor (defaultDescriptorFor),
        // others createChildDescriptor(parentSd, explicitSd, token, true)
        const dflt = i === 1 && !(last && opts.securityDescriptor) ? this.core.security.defaultFor(path) : undefined;
        const sd = dflt ?? this.core.security.createChild(parentRec.sd, last ? opts.securityDescriptor : undefined, this.token);
        const rec = await w.createKey({ path, className: last ? className : '', lastWrite: now, flags, sd });
        w.changes.push({ kind: 'key-created', path: rec.path });
        parentRec = rec;
      }
      await w.updateKey(upathOf(parent), { lastWrite: now });
      const granted = this.token ? this.check(parentRec.sd, sam & ~KEY_WOW64_RES) : undefined;
      const access = !this.token ? KEY_ALL_ACCESS | ACCESS_SYSTEM_SECURITY : granted?.allowed ? granted.granted : this.grantCreator(sam);
      if (then) await then(w, parentRec);
      return { rec: parentRec, access, logical, extra, disposition: REG_CREATED_NEW_KEY };
    });
    // The handle is made once the write has committed: a shared backend may run the write again.
    const handle = this.newHandle(made.rec, made.access, made.logical, view, made.extra);
    // §3.1.5.7: UPDATECOPY for a reflected key (created, or changed by `then`).
    if (made.disposition === REG_CREATED_NEW_KEY || then) this.changed(handle);
    return { handle, disposition: made.disposition };
  }

  // The creator gets the access it asked for on the key it made (§3.1.5.7).
  private grantCreator(sam: number): number {
    const desired = sam & ~KEY_WOW64_RES;
    return desired === 0x02000000 ? KEY_ALL_ACCESS : desired | mapGeneric(desired);
  }

  // ---- enumeration (§3.1.5.10, §3.1.5.11) ------------------------------------------------------

  private async subkeysOf(r: StoreReader, h: KeyHandle): Promise<KeyRecord[]> {
    const rec = await this.current(r, h);
    const own = await r.subkeys(upathOf(rec));
    if (!h.classes) return own;
    // HKCR: the union of the caller's and the machine's subkeys, the caller's first on a clash.
    const other = h.path.toUpperCase().startsWith('USER\\') ? ['Machine', 'SOFTWARE', 'Classes', ...h.classes.rel] : ['User', h.classes.sid, 'Software', 'Classes', ...h.classes.rel];
    const ow = await this.walk(r, h.view === 32 ? this.redirect(other) : other, false);
    if (ow.recs.length !== ow.segs.length) return own;
    const more = await r.subkeys(upcase(ow.recs[ow.recs.length - 1]!.path));
    const byName = new Map<string, KeyRecord>();
    const userFirst = h.path.toUpperCase().startsWith('USER\\') ? [own, more] : [more, own];
    for (const list of userFirst) for (const k of list) if (!byName.has(upcase(baseName(k.path)))) byName.set(upcase(baseName(k.path)), k);
    return [...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  async enumKey(hKey: KeyHandle, index: number): Promise<EnumKeyResult> {
    const k = await this.enumKeyAt(hKey, index);
    if (!k) throw expected('ERROR_NO_MORE_ITEMS');
    return k;
  }

  /** BaseRegEnumKey without the throw at the end of the list: undefined there (ERROR_NO_MORE_ITEMS,
   * which the RRP server answers itself). */
  async enumKeyAt(hKey: KeyHandle, index: number): Promise<EnumKeyResult | undefined> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) return undefined;
    this.need(h, KEY_ENUMERATE_SUB_KEYS, 'BaseRegEnumKey');
    return this.exec.read(async (r) => {
      const subs = h.classes ? await this.subkeysOf(r, h) : await r.subkeys(upathOf(await this.current(r, h)));
      const k = index >= 0 ? subs[index] : undefined;
      return k && { name: baseName(k.path), className: k.className, lastWrite: k.lastWrite };
    });
  }

  /** Every subkey at once (tools; the same order and access rule as BaseRegEnumKey). */
  async enumKeys(hKey: KeyHandle): Promise<EnumKeyResult[]> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) return [];
    this.need(h, KEY_ENUMERATE_SUB_KEYS, 'BaseRegEnumKey');
    return this.exec.read(async (r) => {
      const subs = h.classes ? await this.subkeysOf(r, h) : await r.subkeys(upcase((await this.current(r, h)).path));
      return subs.map((k) => ({ name: baseName(k.path), className: k.className, lastWrite: k.lastWrite }));
    });
  }

  /** Every value at once (tools; the same order and access rule as BaseRegEnumValue). */
  async enumValues(hKey: KeyHandle): Promise<ValueRecord[]> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    this.need(h, KEY_QUERY_VALUE, 'BaseRegEnumValue');
    return this.exec.read(async (r) => [...(await this.valuesOf(r, h))]);
  }

  private async valuesOf(r: StoreReader, h: KeyHandle): Promise<ValueRecord[]> {
    if (h.perf) return perfValues(h.perf, this.core.systemName);
    if (!r.keyValues) return r.values(upathOf(await this.current(r, h)));
    const vals = await r.keyValues(h.upath, h.keyId);
    if (vals === 'gone') throw win32('ERROR_KEY_DELETED', h.path);
    return vals;
  }

  /** Value `uname` of the handle's key (ERROR_KEY_DELETED once the key is gone). */
  private async valueOf(r: StoreReader, h: KeyHandle, uname: string): Promise<ValueRecord | undefined> {
    if (!r.keyValue) return r.value(upathOf(await this.current(r, h)), uname);
    const v = await r.keyValue(h.upath, h.keyId, uname);
    if (v === 'gone') throw win32('ERROR_KEY_DELETED', h.path);
    return v;
  }

  async enumValue(hKey: KeyHandle, index: number): Promise<ValueRecord> {
    const v = await this.enumValueAt(hKey, index);
    if (!v) throw expected('ERROR_NO_MORE_ITEMS');
    return v;
  }

  /** BaseRegEnumValue returning undefined past the end instead of throwing ERROR_NO_MORE_ITEMS. */
  async enumValueAt(hKey: KeyHandle, index: number): Promise<ValueRecord | undefined> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    this.need(h, KEY_QUERY_VALUE, 'BaseRegEnumValue');
    return this.exec.read(async (r) => (index >= 0 ? (await this.valuesOf(r, h))[index] : undefined));
  }

  // ---- BaseRegQueryInfoKey (§3.1.5.16) ---------------------------------------------------------

  async queryInfoKey(hKey: KeyHandle): Promise<KeyInfo> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    this.need(h, KEY_QUERY_VALUE, 'BaseRegQueryInfoKey');
    return this.exec.read(async (r) => {
      const vals = await this.valuesOf(r, h);
      const rec = h.perf ? undefined : await this.current(r, h);
      const subs = h.perf ? [] : await this.subkeysOf(r, h);
      let maxSubKeyLen = 0;
      let maxClassLen = 0;
      for (const k of subs) {
        maxSubKeyLen = Math.max(maxSubKeyLen, baseName(k.path).length);
        maxClassLen = Math.max(maxClassLen, k.className.length);
      }
      let maxValueNameLen = 0;
      let maxValueLen = 0;
      for (const v of vals) {
        maxValueNameLen = Math.max(maxValueNameLen, v.name.length);
        maxValueLen = Math.max(maxValueLen, v.data.length);
      }
      return {
        className: rec?.className ?? '',
        subKeys: subs.length,
        maxSubKeyLen,
        maxClassLen,
        values: vals.length,
        maxValueNameLen,
        maxValueLen,
        securityDescriptorSize: rec?.sd.length ?? 0,
        lastWrite: rec?.lastWrite ?? this.core.now(),
      };
    });
  }

  // ---- values (§3.1.5.17, §3.1.5.22, §3.1.5.9) -------------------------------------------------

  async queryValue(hKey: KeyHandle, name: string): Promise<ValueRecord> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    this.need(h, KEY_QUERY_VALUE, 'BaseRegQueryValue');
    const vname = stripNul(name);
    return this.exec.read(async (r) => {
      if (h.perf) {
        const v = perfValues(h.perf, this.core.systemName).find((x) => upcase(x.name) === upcase(vname));
        if (!v) throw win32('ERROR_FILE_NOT_FOUND', vname);
        return v;
      }
      const v = await this.valueOf(r, h, upcase(vname));
      if (!v) throw expected('ERROR_FILE_NOT_FOUND', `value '${vname}'`);
      return v;
    });
  }

  async setValue(hKey: KeyHandle, name: string, type: number, data: Buffer): Promise<void> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) throw win32('ERROR_ACCESS_DENIED', 'performance keys are read-only');
    this.need(h, KEY_SET_VALUE, 'BaseRegSetValue');
    const vname = checkValue(name, type, data);
    await this.exec.write(async (w) => this.setIn(w, await this.current(w, h), vname, type, data));
    this.changed(h); // §3.1.5.22: UPDATECOPY for reflected paths
  }

  /** The write of BaseRegSetValue on a key record (shared with the path API's create-and-set). */
  async setIn(w: StoreWriter, rec: KeyRecord, vname: string, type: number, data: Buffer): Promise<void> {
    if (rec.flags & KEYF_LINK && upcase(vname) !== upcase(SYMLINK_VALUE)) throw win32('ERROR_ACCESS_DENIED', `a link key holds only ${SYMLINK_VALUE}`);
    const up = upathOf(rec);
    const old = await w.value(up, upcase(vname));
    // An overwritten value keeps its name's case and its place (Windows' order).
    await w.setValue(up, { name: old ? old.name : vname, type, data: Buffer.from(data) });
    await w.updateKey(up, { lastWrite: this.core.now() });
    w.changes.push({ kind: 'value-set', path: rec.path, name: old ? old.name : vname });
  }

  async deleteValue(hKey: KeyHandle, name: string): Promise<void> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) throw win32('ERROR_ACCESS_DENIED', 'performance keys are read-only');
    this.need(h, KEY_SET_VALUE, 'BaseRegDeleteValue');
    const vname = stripNul(name);
    await this.exec.write(async (w) => {
      const rec = await this.current(w, h);
      const up = upathOf(rec);
      if (!(await w.deleteValue(up, upcase(vname)))) throw win32('ERROR_FILE_NOT_FOUND', `value '${vname}'`);
      await w.updateKey(up, { lastWrite: this.core.now() });
      w.changes.push({ kind: 'value-deleted', path: rec.path, name: vname });
    });
    this.changed(h);
  }

  // ---- BaseRegDeleteKey / BaseRegDeleteKeyEx (§3.1.5.8, §3.1.5.31) ----------------------------

  /**
   * Deletes `subKey` (relative to hKey; '' = hKey's own key). Refuses keys with subkeys
   * (ERROR_ACCESS_DENIED, as RegDeleteKey) and link sources (ERROR_FILE_NOT_FOUND, §3.1.1.11) unless
   * `link` (a trusted tool removing a link it opened with REG_OPTION_OPEN_LINK). `ex` selects
   * BaseRegDeleteKeyEx's error for a bad handle (0x06 instead of 0x57) and its WOW64 `sam` bits.
   */
  async deleteKey(hKey: KeyHandle, subKey: string, opts: { sam?: number; ex?: boolean; link?: boolean; recursive?: boolean } = {}): Promise<void> {
    const h = this.live(hKey, opts.ex ? 'ERROR_INVALID_HANDLE' : 'ERROR_INVALID_PARAMETER');
    const sam = opts.sam ?? 0;
    if ((sam & KEY_WOW64_RES) === KEY_WOW64_RES) throw win32('ERROR_INVALID_PARAMETER', 'both KEY_WOW64_32KEY and KEY_WOW64_64KEY');
    if (h.perf) throw win32('ERROR_ACCESS_DENIED', 'performance keys are read-only');
    const rel = splitRelative(subKey);
    const view = this.viewOf(sam, h);
    if ((opts.link || opts.recursive) && !this.trusted) throw win32('ERROR_ACCESS_DENIED', 'link/recursive delete is for trusted callers');
    await this.exec.write(async (w) => {
      const base = await this.current(w, h);
      let walk: Walk;
      if (rel.length === 0) {
        walk = { segs: [baseName(base.path)], recs: [base] };
      } else if (h.classes) {
        walk = (await this.classesTarget(w, h.classes.sid, [...h.classes.rel, ...rel], view, true)).walk;
      } else {
        walk = await this.walk(w, this.target(h, rel, view).physical, true);
      }
      if (walk.recs.length !== walk.segs.length) throw win32('ERROR_FILE_NOT_FOUND', subKey);
      const rec = walk.recs[walk.recs.length - 1]!;
      if (rec.flags & KEYF_LINK && !opts.link) throw win32('ERROR_FILE_NOT_FOUND', `${rec.path} is a symbolic link (§3.1.1.11)`);
      const depth = rec.path.split('\\').length;
      if (depth <= 1 || (!this.trusted && depth <= 2)) throw win32('ERROR_ACCESS_DENIED', `${rec.path} is a root key`);
      const up = upathOf(rec);
      // Held until commit: no subkey can be created under it meanwhile (shared backends).
      const locked = await w.lockKey(up);
      if (!locked || locked.id !== rec.id) throw win32('ERROR_FILE_NOT_FOUND', subKey);
      if (!opts.recursive && (await w.subkeyCount(up)) > 0) throw win32('ERROR_ACCESS_DENIED', `${rec.path} has subkeys`);
      if (this.token) {
        // SECURITY HOOK: DELETE on the key itself (Windows; the spec names no right)
        if (!this.check(rec.sd, DELETE).allowed) throw win32('ERROR_ACCESS_DENIED', `delete ${rec.path}`);
      }
      await w.deleteKey(up);
      await w.updateKey(upcase(parentPath(rec.path)), { lastWrite: this.core.now() });
      w.changes.push({ kind: 'key-deleted', path: rec.path });
    });
  }

  // ---- security (§3.1.5.13, §3.1.5.21) -----------------------------------------------------------

  async getKeySecurity(hKey: KeyHandle, secInfo: number): Promise<Buffer> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf && secInfo & SACL_SECURITY_INFORMATION) throw win32('ERROR_PRIVILEGE_NOT_HELD', 'SACL of a performance key');
    if (secInfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION)) this.need(h, READ_CONTROL, 'BaseRegGetKeySecurity');
    if (secInfo & SACL_SECURITY_INFORMATION) this.need(h, ACCESS_SYSTEM_SECURITY, 'BaseRegGetKeySecurity (SACL)');
    if (h.perf) {
      // MS-RRP <15>: the performance keys use the Perflib key's descriptor.
      const perflib = await this.exec.read((r) => r.key('MACHINE\\SOFTWARE\\MICROSOFT\\WINDOWS NT\\CURRENTVERSION\\PERFLIB'));
      const sd = perflib?.sd ?? (await this.exec.read((r) => r.key('MACHINE')))!.sd;
      return this.core.security.subset(sd, secInfo);
    }
    return this.exec.read(async (r) => {
      const rec = await this.current(r, h);
      // SECURITY HOOK: SecurityDescriptor.subset(secInfo)
      return this.core.security.subset(rec.sd, secInfo);
    });
  }

  async setKeySecurity(hKey: KeyHandle, secInfo: number, sd: Buffer): Promise<void> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) throw win32('ERROR_ACCESS_DENIED', 'performance keys are read-only');
    if (!this.core.security.isValid(sd)) throw win32('ERROR_INVALID_PARAMETER', 'invalid security descriptor');
    if (secInfo & DACL_SECURITY_INFORMATION) this.need(h, WRITE_DAC, 'BaseRegSetKeySecurity (DACL)');
    if (secInfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION)) this.need(h, WRITE_OWNER, 'BaseRegSetKeySecurity (owner/group)');
    if (secInfo & SACL_SECURITY_INFORMATION) this.need(h, ACCESS_SYSTEM_SECURITY, 'BaseRegSetKeySecurity (SACL)');
    await this.exec.write(async (w) => {
      // Locked: the merge reads the descriptor and writes it back.
      const rec = await w.lockKey(h.upath);
      if (!rec || rec.id !== h.keyId) throw win32('ERROR_KEY_DELETED', h.path);
      // SECURITY HOOK: SecurityDescriptor.merge(other, secInfo)
      const merged = this.core.security.merge(rec.sd, sd, secInfo);
      await w.updateKey(upathOf(rec), { sd: merged });
      w.changes.push({ kind: 'security', path: rec.path });
    });
  }

  /** KEYF_* flags of the handle's key (tools: is it volatile, a link). */
  async keyFlags(hKey: KeyHandle): Promise<number> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) return 0;
    return this.exec.read(async (r) => (await this.current(r, h)).flags);
  }

  // ---- flush, close, notify ---------------------------------------------------------------------

  /** BaseRegFlushKey (§3.1.5.12): everything acknowledged is durable when this resolves. */
  async flushKey(hKey: KeyHandle): Promise<void> {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    this.need(h, KEY_QUERY_VALUE, 'BaseRegFlushKey');
    try {
      await this.core.backend.flush();
    } catch (err) {
      throw err instanceof Win32Error ? err : win32('ERROR_REGISTRY_IO_FAILED', (err as Error).message);
    }
  }

  /** BaseRegCloseKey (§3.1.5.6). A bad handle throws at once; the promise is that of the copy to
   * the other view when UPDATECOPY is set (§3.1.1.4 <10>), whose errors are not the caller's. */
  closeKey(hKey: KeyHandle): Promise<void> {
    const h = this.live(hKey);
    h.closed = true;
    this.handles.delete(h);
    if (!h.updateCopy) return DONE;
    return this.reflect(h.path).catch(() => undefined);
  }

  /**
   * Copies a key's values and subkeys (recursively) into its peer in the other view (MS-RRP
   * §3.1.1.4 <9>, §3.1.5.6), creating missing keys; values already there are overwritten, nothing
   * there is deleted. Done with the server's rights, not the caller's. `path` is below \Registry;
   * a key that is not reflected is left alone.
   */
  async reflect(path: string): Promise<void> {
    const r = reflectionPeer(path.split('\\'));
    if (!r) return;
    await this.exec.write(async (w) => {
      const now = this.core.now();
      const copy = async (from: KeyRecord, to: string, skip: readonly string[]): Promise<void> => {
        const dst = await this.ensureKey(w, to, from, now);
        const dup = upathOf(dst);
        for (const v of await w.values(upathOf(from))) {
          const old = await w.value(dup, upcase(v.name));
          await w.setValue(dup, { name: old ? old.name : v.name, type: v.type, data: Buffer.from(v.data) });
          w.changes.push({ kind: 'value-set', path: dst.path, name: old ? old.name : v.name });
        }
        await w.updateKey(dup, { lastWrite: now });
        for (const k of await w.subkeys(upathOf(from))) {
          const name = baseName(k.path);
          if (skip.includes(upcase(name)) || k.flags & KEYF_LINK) continue;
          await copy(k, `${dst.path}\\${name}`, []);
        }
      };
      const src = await w.key(upcase(path));
      if (src) await copy(src, r.peer.join('\\'), r.skip);
    });
  }

  /** The key at `path`, made (with any missing parents) if needed, as the source key `like`. */
  private async ensureKey(w: StoreWriter, path: string, like: KeyRecord, now: bigint): Promise<KeyRecord> {
    const have = await w.key(upcase(path));
    if (have) return have;
    const parentPathOf = parentPath(path);
    const parent = await this.ensureKey(w, parentPathOf, like, now);
    const rec = await w.createKey({
      path: joinPath(parent.path, baseName(path)),
      className: upcase(baseName(path)) === upcase(baseName(like.path)) ? like.className : '',
      lastWrite: now,
      flags: parent.flags & KEYF_VOLATILE,
      sd: this.core.security.createChild(parent.sd, undefined, undefined),
    });
    await w.updateKey(upathOf(parent), { lastWrite: now });
    w.changes.push({ kind: 'key-created', path: rec.path });
    return rec;
  }

  /** Watch the handle's key (RegNotifyChangeKeyValue); needs KEY_NOTIFY. */
  watch(hKey: KeyHandle, opts: WatchOptions = {}): Watcher {
    const h = this.live(hKey, 'ERROR_INVALID_PARAMETER');
    if (h.perf) throw win32('ERROR_INVALID_PARAMETER', 'performance keys do not change');
    this.need(h, KEY_NOTIFY, 'notify');
    return this.core.notify.watch(h.path, opts);
  }

  /** Closes every handle of the session (RPC context handle rundown). */
  close(): void {
    for (const h of this.handles) h.closed = true;
    this.handles.clear();
  }

  get openHandles(): number {
    return this.handles.size;
  }
}

export type { Notification };

const DONE = Promise.resolve();

// Handles to one key opened the same way share one `logical` array (a server may hold thousands of
// handles to a few keys). Bounded; the arrays are never changed once made.
const logicals = new Map<string, readonly string[]>();
function internLogical(logical: readonly string[]): readonly string[] {
  const k = logical.join('\\');
  const have = logicals.get(k);
  if (have) return have;
  if (logicals.size >= 4096) logicals.clear();
  logicals.set(k, logical);
  return logical;
}

/** An error that is part of the normal flow (the end of an enumeration, an absent name): clients
 * meet these on every walk, so they are made without a stack trace. */
function expected(name: 'ERROR_NO_MORE_ITEMS' | 'ERROR_FILE_NOT_FOUND', detail?: string): Win32Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return win32(name, detail);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Generic rights mapped for keys (MS-DTYP §2.4.3; KEY_GENERIC_MAPPING in the SDK). */
export function mapGeneric(mask: number): number {
  let m = mask & 0x0fffffff;
  if (mask & 0x80000000) m |= KEY_READ;
  if (mask & 0x40000000) m |= 0x20006;
  if (mask & 0x20000000) m |= KEY_READ;
  if (mask & 0x10000000) m |= KEY_ALL_ACCESS;
  return m >>> 0;
}

/** BaseRegSetValue's checks on the name, type and data (§3.1.5.22; Windows' size limits). */
export function checkValue(name: string, type: number, data: Buffer): string {
  const vname = stripNul(name);
  if (vname.length > MAX_VALUE_NAME) throw win32('ERROR_INVALID_PARAMETER', `value name of ${vname.length} characters (limit ${MAX_VALUE_NAME})`);
  if (data.length > MAX_VALUE_DATA) throw win32('ERROR_INVALID_PARAMETER', `value data of ${data.length} bytes (limit ${MAX_VALUE_DATA})`);
  if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) throw win32('ERROR_INVALID_PARAMETER', `value type ${type}`);
  return vname;
}

function stripNul(name: string): string {
  let s = name;
  while (s.endsWith('\0')) s = s.slice(0, -1);
  return s;
}

/** Where a predefined key lives below \Registry (§3.1.1.1.3, §3.1.1.8; HKCC as Windows maps it). */
export function rootSegments(which: PredefinedKey, sid: string): string[] {
  switch (which) {
    case 'HKEY_LOCAL_MACHINE':
      return ['Machine'];
    case 'HKEY_USERS':
      return ['User'];
    case 'HKEY_CURRENT_USER':
      return ['User', sid];
    case 'HKEY_CURRENT_CONFIG':
      return ['Machine', 'SYSTEM', 'CurrentControlSet', 'Hardware Profiles', 'Current'];
    case 'HKEY_CLASSES_ROOT':
      return ['Machine', 'SOFTWARE', 'Classes'];
    default:
      throw new Win32Error('ERROR_INVALID_PARAMETER', `${which} has no key path`);
  }
}
