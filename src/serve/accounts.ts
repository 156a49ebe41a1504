// Configured users → the Accounts NTLM checks logons against, with the SID, groups and privileges
// that become the caller's token in the RRP server (MS-DTYP §2.5.2).
import type { Account } from '../auth/types.js';
import type { UserConfig } from './config.js';

export const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';
export const BUILTIN_USERS = 'S-1-5-32-545';
/** What Windows gives BUILTIN\Administrators that matters to winreg. */
export const ADMIN_PRIVILEGES = ['SeBackupPrivilege', 'SeRestorePrivilege', 'SeSecurityPrivilege', 'SeTakeOwnershipPrivilege', 'SeRemoteShutdownPrivilege'];

export function accountsFrom(users: UserConfig[], machineSid: string): Account[] {
  return users.map((u, i) => {
    const sid = u.sid ?? `${machineSid}-${u.rid ?? 1000 + i}`;
    const groups = new Set([BUILTIN_USERS, ...(u.admin ? [BUILTIN_ADMINISTRATORS] : []), ...(u.groups ?? [])]);
    const privileges = new Set([...(u.admin ? ADMIN_PRIVILEGES : []), ...(u.privileges ?? [])]);
    const a: Account = { user: u.name, sid, groups: [...groups], privileges: [...privileges] };
    if (u.domain) a.domain = u.domain;
    if (u.password !== undefined) a.password = u.password;
    if (u.ntHash) a.ntHash = Buffer.from(u.ntHash, 'hex');
    return a;
  });
}
