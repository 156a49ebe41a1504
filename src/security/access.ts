// Registry access rights (MS-RRP §2.2.3 REGSAM, MS-DTYP §2.4.3 ACCESS_MASK), generic mapping, and the
// access check of MS-DTYP §2.5.3.2 for ordinary (non-object, non-callback) DACLs.

import { ACCESS_ALLOWED_ACE_TYPE, ACCESS_DENIED_ACE_TYPE, INHERIT_ONLY_ACE, isOpaqueAce } from './ace.js';
import type { Acl } from './acl.js';
import type { SecurityDescriptor } from './descriptor.js';
import { WellKnownSids, type Sid } from './sid.js';
import { hasSid, SE_BACKUP_NAME, SE_RESTORE_NAME, SE_SECURITY_NAME, SE_TAKE_OWNERSHIP_NAME, type Token } from './token.js';

// MS-DTYP §2.4.3 standard and generic rights
export const DELETE = 0x00010000;
export const READ_CONTROL = 0x00020000;
export const WRITE_DAC = 0x00040000;
export const WRITE_OWNER = 0x00080000;
export const SYNCHRONIZE = 0x00100000;
export const STANDARD_RIGHTS_REQUIRED = 0x000f0000;
export const STANDARD_RIGHTS_READ = READ_CONTROL;
export const STANDARD_RIGHTS_WRITE = READ_CONTROL;
export const STANDARD_RIGHTS_EXECUTE = READ_CONTROL;
export const ACCESS_SYSTEM_SECURITY = 0x01000000;
export const MAXIMUM_ALLOWED = 0x02000000;
export const GENERIC_ALL = 0x10000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_READ = 0x80000000;

// MS-RRP §2.2.3 REGSAM
export const KEY_QUERY_VALUE = 0x0001;
export const KEY_SET_VALUE = 0x0002;
export const KEY_CREATE_SUB_KEY = 0x0004;
export const KEY_ENUMERATE_SUB_KEYS = 0x0008;
export const KEY_NOTIFY = 0x0010; // missing from the REGSAM table, used by §3.1.5.7 and KEY_READ
export const KEY_CREATE_LINK = 0x0020;
export const KEY_WOW64_64KEY = 0x0100;
export const KEY_WOW64_32KEY = 0x0200;
export const KEY_READ = (STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY) & ~SYNCHRONIZE; // 0x20019
export const KEY_WRITE = (STANDARD_RIGHTS_WRITE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY) & ~SYNCHRONIZE; // 0x20006
export const KEY_EXECUTE = KEY_READ; // 0x20019
export const KEY_ALL_ACCESS =
  (STANDARD_RIGHTS_REQUIRED | KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_CREATE_SUB_KEY | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY | KEY_CREATE_LINK) &
  ~SYNCHRONIZE; // 0xF003F

export interface GenericMapping {
  read: number;
  write: number;
  execute: number;
  all: number;
}

/** What Windows maps GENERIC_* to for registry keys. */
export const KEY_GENERIC_MAPPING: Readonly<GenericMapping> = Object.freeze({
  read: KEY_READ,
  write: KEY_WRITE,
  execute: KEY_EXECUTE,
  all: KEY_ALL_ACCESS,
});

/** Replaces the GENERIC_* bits of `mask` by what `mapping` says they mean. */
export function mapGenericMask(mask: number, mapping: GenericMapping): number {
  let m = mask >>> 0;
  if (m & GENERIC_READ) m |= mapping.read;
  if (m & GENERIC_WRITE) m |= mapping.write;
  if (m & GENERIC_EXECUTE) m |= mapping.execute;
  if (m & GENERIC_ALL) m |= mapping.all;
  return (m & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL)) >>> 0;
}

const OWNER_RIGHTS = WellKnownSids.OwnerRights;
const PRINCIPAL_SELF = WellKnownSids.PrincipalSelf;
const DENIED = (): AccessCheckResult => ({ granted: 0, allowed: false });

export interface AccessCheckOptions {
  /** The caller asked for backup semantics (REG_OPTION_BACKUP_RESTORE): SeBackupPrivilege grants read rights. */
  backupIntent?: boolean;
  /** Likewise for SeRestorePrivilege and write rights. */
  restoreIntent?: boolean;
  /** Replaces PRINCIPAL_SELF (S-1-5-10) in ACEs (MS-DTYP §2.5.3.1.1). */
  principalSelf?: Sid;
}

export interface AccessCheckResult {
  /** The rights granted (for MAXIMUM_ALLOWED, everything that could be granted), 0 when denied. */
  granted: number;
  allowed: boolean;
}

/**
 * MS-DTYP §2.5.3.2 AccessCheck for a registry object. `desired` may contain GENERIC_* bits (mapped first),
 * MAXIMUM_ALLOWED, and ACCESS_SYSTEM_SECURITY. Choices where the pseudocode is loose, following Windows:
 * - the owner's implicit READ_CONTROL | WRITE_DAC is dropped when the DACL has an effective OWNER RIGHTS
 *   (S-1-3-4) ACE, which then speaks for the owner instead;
 * - a NULL DACL (dacl null, or no DACL at all) grants everything in the generic mapping's "all";
 * - privileges: SeSecurityPrivilege → ACCESS_SYSTEM_SECURITY and SeTakeOwnershipPrivilege → WRITE_OWNER,
 *   when asked for by name; with backupIntent, SeBackupPrivilege → READ_CONTROL | mapping.read; with
 *   restoreIntent, SeRestorePrivilege → WRITE_DAC | WRITE_OWNER | DELETE | mapping.write (either also
 *   gives ACCESS_SYSTEM_SECURITY when asked for, as Windows' backup semantics do).
 * Object, callback and opaque ACEs in the DACL are skipped (the registry has no object types).
 * As the spec says, GENERIC_* bits inside ACEs are not mapped here: descriptors are mapped when they are
 * assigned (createChildDescriptor, mapGenericAces), as Windows does.
 */
export function accessCheck(
  token: Token,
  sd: SecurityDescriptor,
  desired: number,
  mapping: GenericMapping = KEY_GENERIC_MAPPING,
  options: AccessCheckOptions = {},
): AccessCheckResult {
  let remaining = mapGenericMask(desired, mapping);
  const maxAllowed = (remaining & MAXIMUM_ALLOWED) !== 0;
  remaining = (remaining & ~MAXIMUM_ALLOWED) >>> 0;

  // Rights that privileges grant whatever the DACL says. SeSecurityPrivilege and SeTakeOwnershipPrivilege
  // count only when their right is asked for by name (not through MAXIMUM_ALLOWED), as in the spec's
  // pseudocode and in Samba; the backup/restore intents are an explicit opt-in and also feed the maximum.
  const asked = remaining;
  let privileged = 0;
  if (asked & ACCESS_SYSTEM_SECURITY && token.privileges.has(SE_SECURITY_NAME)) privileged |= ACCESS_SYSTEM_SECURITY;
  if (asked & WRITE_OWNER && token.privileges.has(SE_TAKE_OWNERSHIP_NAME)) privileged |= WRITE_OWNER;
  if (options.backupIntent && token.privileges.has(SE_BACKUP_NAME)) {
    privileged |= READ_CONTROL | mapping.read | (asked & ACCESS_SYSTEM_SECURITY);
  }
  if (options.restoreIntent && token.privileges.has(SE_RESTORE_NAME)) {
    privileged |= WRITE_DAC | WRITE_OWNER | DELETE | mapping.write | (asked & ACCESS_SYSTEM_SECURITY);
  }
  privileged >>>= 0;
  // ACCESS_SYSTEM_SECURITY can only come from a privilege, never from the DACL.
  if (remaining & ACCESS_SYSTEM_SECURITY && !(privileged & ACCESS_SYSTEM_SECURITY)) return DENIED();

  let granted = (remaining & privileged) >>> 0;
  if (maxAllowed) granted = privileged;
  remaining = (remaining & ~privileged) >>> 0;

  const dacl = sd.dacl;
  if (!dacl) {
    // No DACL, or a NULL DACL: no policy, everything is allowed.
    const all = (mapping.all | privileged | (remaining & ~ACCESS_SYSTEM_SECURITY)) >>> 0;
    return { granted: maxAllowed ? all : (granted | remaining) >>> 0, allowed: true };
  }

  const isOwner = sd.owner !== undefined && hasSid(token, sd.owner);
  const aces = dacl.aces;
  let ownerRightsAce = false;
  if (isOwner) {
    for (const a of aces) {
      if (!(a.flags & INHERIT_ONLY_ACE) && !isOpaqueAce(a) && a.sid.equals(OWNER_RIGHTS)) {
        ownerRightsAce = true;
        break;
      }
    }
  }
  if (isOwner && !ownerRightsAce) {
    const implicit = READ_CONTROL | WRITE_DAC;
    granted = (granted | (maxAllowed ? implicit : remaining & implicit)) >>> 0;
    remaining = (remaining & ~implicit) >>> 0;
  }
  const self = options.principalSelf;
  const sidMatches = (sid: Sid): boolean => {
    if (hasSid(token, sid)) return true;
    if (sid.rid === 4 && sid.equals(OWNER_RIGHTS)) return isOwner;
    return self !== undefined && sid.equals(PRINCIPAL_SELF) && hasSid(token, self);
  };

  if (maxAllowed) {
    // Every ACE counts; a right denied before it is allowed stays denied (ACE order matters).
    let allowedBits = 0;
    let deniedBits = 0;
    for (const ace of aces) {
      if (ace.flags & INHERIT_ONLY_ACE || isOpaqueAce(ace)) continue;
      if (ace.type !== ACCESS_ALLOWED_ACE_TYPE && ace.type !== ACCESS_DENIED_ACE_TYPE) continue;
      if (!sidMatches(ace.sid)) continue;
      const m = ace.mask >>> 0;
      if (ace.type === ACCESS_ALLOWED_ACE_TYPE) allowedBits |= m & ~deniedBits;
      else deniedBits |= m & ~allowedBits;
    }
    granted = (granted | (allowedBits & ~ACCESS_SYSTEM_SECURITY & ~MAXIMUM_ALLOWED)) >>> 0;
    // Rights asked for next to MAXIMUM_ALLOWED must all be in the result.
    const allowed = granted !== 0 && (remaining & ~granted) === 0;
    return allowed ? { granted, allowed } : DENIED();
  }

  for (const ace of aces) {
    if (remaining === 0) break;
    if (ace.flags & INHERIT_ONLY_ACE || isOpaqueAce(ace)) continue;
    if (ace.type !== ACCESS_ALLOWED_ACE_TYPE && ace.type !== ACCESS_DENIED_ACE_TYPE) continue;
    if (!sidMatches(ace.sid)) continue;
    const m = ace.mask >>> 0;
    if (ace.type === ACCESS_ALLOWED_ACE_TYPE) {
      granted = (granted | (remaining & m)) >>> 0;
      remaining = (remaining & ~m) >>> 0;
    } else if (remaining & m) {
      return DENIED();
    }
  }
  return remaining === 0 ? { granted, allowed: true } : DENIED();
}

/**
 * The ACL with GENERIC_* bits of its effective ACEs mapped (what Windows does to a DACL or SACL when a
 * descriptor is assigned to an object). Inherit-only ACEs keep their generic bits for their children.
 */
export function mapGenericAces(acl: Acl, mapping: GenericMapping = KEY_GENERIC_MAPPING): Acl {
  const out = acl.clone();
  out.aces = out.aces.map((a) => (isOpaqueAce(a) || a.flags & INHERIT_ONLY_ACE ? a : { ...a, mask: mapGenericMask(a.mask, mapping) }));
  return out;
}
