// The store's one door to access control (MS-RRP §3.1.1.10; MS-DTYP §2.4.6, §2.5.3.2). Keys hold their
// security descriptor as self-relative bytes; every decision goes through a SecurityModel, so the
// rules live in src/security and the store only says where they apply (the "SECURITY HOOK" comments
// in session.ts and store.ts). `windowsSecurity` is the default; tests may plug in another model.

import {
  SecurityDescriptor,
  accessCheck,
  createChildDescriptor,
  defaultDescriptorFor,
  makeToken,
  KEY_GENERIC_MAPPING,
  type Token,
} from '../security/index.js';
import { toolName } from './path.js';

export type { Token };

export interface AccessResult {
  granted: number;
  allowed: boolean;
}

export interface SecurityModel {
  /** MS-DTYP §2.5.3.2 with the key generic mapping, MAXIMUM_ALLOWED and backup/restore intent. */
  accessCheck(token: Token, sd: Buffer, desired: number, intent: { backupIntent?: boolean; restoreIntent?: boolean }): AccessResult;
  /** The descriptor of a new key: inherited from the parent, or built from an explicit one (§3.1.5.7).
   * No token: created by the trusted side (SYSTEM). */
  createChild(parentSd: Buffer, explicitSd: Buffer | undefined, token: Token | undefined): Buffer;
  /** Windows' default descriptor for a predefined key ("Machine\SOFTWARE", "User\S-1-5-21-…"), or
   * undefined for keys that inherit from their parent. */
  defaultFor(path: string): Buffer | undefined;
  /** The parts of `sd` selected by SECURITY_INFORMATION (BaseRegGetKeySecurity §3.1.5.13). */
  subset(sd: Buffer, secInfo: number): Buffer;
  /** `sd` with the parts selected by secInfo replaced from `update` (BaseRegSetKeySecurity §3.1.5.21). */
  merge(sd: Buffer, update: Buffer, secInfo: number): Buffer;
  /** True when `sd` is a well-formed self-relative descriptor. */
  isValid(sd: Buffer): boolean;
}

// Parsed descriptors by the Buffer that holds them: a key's descriptor bytes are one shared object,
// so each is decoded once however often it is checked.
const parsedSd = new WeakMap<Buffer, SecurityDescriptor>();
function parse(sd: Buffer): SecurityDescriptor {
  let d = parsedSd.get(sd);
  if (!d) {
    d = SecurityDescriptor.fromBinary(sd);
    parsedSd.set(sd, d);
  }
  return d;
}

/** The trusted side creates keys as LocalSystem, a member of Administrators. */
const SYSTEM_TOKEN = makeToken('S-1-5-18', ['S-1-5-32-544', 'S-1-1-0', 'S-1-5-11']);

// Descriptor bytes are interned: the thousands of keys that inherit the same ACEs share one Buffer
// (memory), and a child's descriptor is computed once per (parent descriptor, creator).
const interned = new Map<string, Buffer>();
function intern(b: Buffer): Buffer {
  const k = b.toString('latin1');
  let v = interned.get(k);
  if (!v) {
    if (interned.size > 10_000) interned.clear();
    interned.set(k, (v = b));
  }
  return v;
}
const childCache = new WeakMap<Buffer, Map<string, Buffer>>();

function createChild(parentSd: Buffer, explicitSd: Buffer | undefined, token: Token | undefined): Buffer {
  if (explicitSd) return intern(createChildDescriptor(parse(parentSd), SecurityDescriptor.fromBinary(explicitSd), token ?? SYSTEM_TOKEN, true).toBinary());
  const who = token ? `${token.user}|${token.owner ?? ''}|${token.primaryGroup ?? ''}|${token.groups.join(',')}|${token.defaultDacl ? 'dacl' : ''}` : '';
  let m = childCache.get(parentSd);
  if (!m) childCache.set(parentSd, (m = new Map()));
  let sd = m.get(who);
  if (!sd) {
    sd = intern(createChildDescriptor(parse(parentSd), undefined, token ?? SYSTEM_TOKEN, true).toBinary());
    if (m.size > 1000) m.clear();
    m.set(who, sd);
  }
  return sd;
}

/** Windows' rules, from src/security. */
export const windowsSecurity: SecurityModel = {
  accessCheck: (token, sd, desired, intent) => accessCheck(token, parse(sd), desired, KEY_GENERIC_MAPPING, intent),
  createChild,
  defaultFor: (path) => defaultDescriptorFor(toolName(path))?.toBinary(),
  subset: (sd, secInfo) => parse(sd).subset(secInfo).toBinary(),
  merge: (sd, update, secInfo) => intern(parse(sd).merge(SecurityDescriptor.fromBinary(update), secInfo).toBinary()),
  isValid: (sd) => {
    try {
      SecurityDescriptor.fromBinary(sd);
      return true;
    } catch {
      return false;
    }
  },
};

// A self-relative descriptor with SE_DACL_PRESENT and a NULL DACL: grants everyone everything.
const NULL_DACL_SD = Buffer.from([1, 0, 0x04, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** No access control at all (every key has a NULL DACL): throwaway stores for tools and tests. */
export const permissiveSecurity: SecurityModel = {
  accessCheck: (_t, _sd, desired) => ({ granted: desired, allowed: true }),
  createChild: (parentSd, explicitSd) => explicitSd ?? parentSd,
  defaultFor: () => NULL_DACL_SD,
  subset: (sd) => sd,
  merge: (_sd, update) => update,
  isValid: (sd) => sd.length >= 20 && sd[0] === 1 && (sd.readUInt16LE(2) & 0x8000) !== 0,
};

export function defaultSecurityModel(): SecurityModel {
  return windowsSecurity;
}
