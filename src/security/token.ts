// The caller's identity for access checks: the parts of MS-DTYP §2.5.2 Token that the registry uses.

import { Acl } from './acl.js';
import { ACCESS_ALLOWED_ACE_TYPE } from './ace.js';
import { Sid, WellKnownSids } from './sid.js';

export const SE_BACKUP_NAME = 'SeBackupPrivilege';
export const SE_RESTORE_NAME = 'SeRestorePrivilege';
export const SE_TAKE_OWNERSHIP_NAME = 'SeTakeOwnershipPrivilege';
export const SE_SECURITY_NAME = 'SeSecurityPrivilege';

export interface Token {
  user: Sid;
  /** Group SIDs the user is a member of (Everyone, Authenticated Users, … are not implied: list them). */
  groups: Sid[];
  /** Enabled privileges by name, e.g. 'SeBackupPrivilege'. */
  privileges: Set<string>;
  /** TokenOwner: owner of objects this token creates. Default: see defaultOwner(). */
  owner?: Sid;
  /** TokenPrimaryGroup: group of objects this token creates. Default: the user SID. */
  primaryGroup?: Sid;
  /** TokenDefaultDacl: DACL for new objects that inherit nothing. Default: see defaultDacl(). */
  defaultDacl?: Acl;
}

export function makeToken(user: Sid | string, groups: (Sid | string)[] = [], privileges: Iterable<string> = []): Token {
  const toSid = (s: Sid | string) => (typeof s === 'string' ? Sid.parse(s) : s);
  return { user: toSid(user), groups: groups.map(toSid), privileges: new Set(privileges) };
}

/** Every SID of the token: the user first, then its groups. */
export function tokenSids(token: Token): Sid[] {
  return [token.user, ...token.groups];
}

export function hasSid(token: Token, sid: Sid): boolean {
  if (token.user.equals(sid)) return true;
  for (const g of token.groups) if (g.equals(sid)) return true;
  return false;
}

/** Member of BUILTIN\Administrators, or LocalSystem itself. */
export function isAdmin(token: Token): boolean {
  return hasSid(token, WellKnownSids.Administrators) || token.user.equals(WellKnownSids.LocalSystem);
}

/**
 * Owner for new objects. Windows makes BUILTIN\Administrators the default owner in the (elevated)
 * token of an administrator and the user otherwise; LocalSystem owns what it creates.
 */
export function defaultOwner(token: Token): Sid {
  if (token.owner) return token.owner;
  if (token.user.equals(WellKnownSids.LocalSystem)) return token.user;
  return hasSid(token, WellKnownSids.Administrators) ? WellKnownSids.Administrators : token.user;
}

export function defaultGroup(token: Token): Sid {
  return token.primaryGroup ?? token.user;
}

/** Windows' usual TokenDefaultDacl: GENERIC_ALL for the default owner and for SYSTEM. */
export function defaultDacl(token: Token): Acl {
  if (token.defaultDacl) return token.defaultDacl.clone();
  const owner = defaultOwner(token);
  const aces = [{ type: ACCESS_ALLOWED_ACE_TYPE, flags: 0, mask: 0x10000000, sid: owner }];
  if (!owner.equals(WellKnownSids.LocalSystem)) aces.push({ type: ACCESS_ALLOWED_ACE_TYPE, flags: 0, mask: 0x10000000, sid: WellKnownSids.LocalSystem });
  return new Acl(aces);
}
