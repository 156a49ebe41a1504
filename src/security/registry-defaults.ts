// Default security of the predefined keys, modelled on a default Windows 10 / Server 2019 install as
// `Get-Acl <key> | Select Sddl` and regedit's Permissions dialog show it (written from those listings,
// simplified: capability SIDs like ALL RESTRICTED APPLICATION PACKAGES are left out). Keys below these
// inherit from them (inherit.ts), as Windows keys do.

import { SecurityDescriptor } from './descriptor.js';
import { Sid } from './sid.js';

/** SDDL by canonical path (upper case, HKEY_* long root names, no trailing backslash). */
export const REGISTRY_DEFAULT_SDDL: Readonly<Record<string, string>> = Object.freeze({
  // \REGISTRY\MACHINE: everyone may read the root, SYSTEM and Administrators have full control,
  // RESTRICTED code may read. Not inheritable: each hive root below has its own protected DACL.
  HKEY_LOCAL_MACHINE: 'O:SYG:SYD:P(A;;KR;;;WD)(A;;KA;;;SY)(A;;KA;;;BA)(A;;KR;;;RC)',
  // HKLM\SOFTWARE: Users and app containers read, Administrators and SYSTEM full control, and the creator
  // of a subkey gets full control of it (CREATOR OWNER, inherit-only).
  'HKEY_LOCAL_MACHINE\\SOFTWARE': 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)',
  // HKLM\SYSTEM: as SOFTWARE (Server Operators and capability ACEs omitted).
  'HKEY_LOCAL_MACHINE\\SYSTEM': 'O:BAG:SYD:PAI(A;CIIO;KA;;;CO)(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;BU)(A;CI;KR;;;AC)',
  // HKLM\HARDWARE: read for users, everyone restricted and app containers; full control for admins/SYSTEM.
  'HKEY_LOCAL_MACHINE\\HARDWARE': 'O:BAG:SYD:PAI(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)(A;CI;KR;;;RC)(A;CI;KR;;;AC)',
  // HKLM\SAM and HKLM\SECURITY: only SYSTEM reads them; Administrators may read and change the DACL
  // (READ_CONTROL | WRITE_DAC), which is why reading SAM needs SYSTEM or backup privilege.
  'HKEY_LOCAL_MACHINE\\SAM': 'O:BAG:SYD:P(A;CI;KA;;;SY)(A;CI;RCWD;;;BA)',
  'HKEY_LOCAL_MACHINE\\SECURITY': 'O:BAG:SYD:P(A;CI;KA;;;SY)(A;CI;RCWD;;;BA)',
  // HKCR is the merged view of HKLM\SOFTWARE\Classes, which carries SOFTWARE's inherited ACEs.
  HKEY_CLASSES_ROOT: 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)',
  // HKCC is HKLM\SYSTEM\CurrentControlSet\Hardware Profiles\Current: SYSTEM's ACEs, inherited.
  HKEY_CURRENT_CONFIG: 'O:BAG:SYD:AI(A;CIIOID;KA;;;CO)(A;CIID;KA;;;SY)(A;CIID;KA;;;BA)(A;CIID;KR;;;BU)(A;CIID;KR;;;AC)',
  // \REGISTRY\USER: like the machine root.
  HKEY_USERS: 'O:SYG:SYD:P(A;;KR;;;WD)(A;;KA;;;SY)(A;;KA;;;BA)(A;;KR;;;RC)',
  // HKU\.DEFAULT (the profile of LocalSystem and the logon screen).
  'HKEY_USERS\\.DEFAULT': 'O:SYG:SYD:PAI(A;CI;KR;;;BU)(A;CI;KA;;;BA)(A;CI;KA;;;SY)(A;CI;KR;;;RC)',
});

/**
 * HKU\<sid> (a loaded user profile, seen as HKCU by that user): the user, SYSTEM and Administrators have
 * full control, restricted code may read; owner Administrators, as a profile hive loaded by the system has.
 */
export function userHiveSddl(userSid: Sid): string {
  const u = userSid.toString();
  return `O:BAG:SYD:PAI(A;CI;KA;;;${u})(A;CI;KA;;;SY)(A;CI;KA;;;BA)(A;CI;KR;;;RC)`;
}

const ROOT_NAMES: Readonly<Record<string, string>> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKU: 'HKEY_USERS',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKCC: 'HKEY_CURRENT_CONFIG',
  HKCU: 'HKEY_CURRENT_USER',
};

/** 'hklm\\Software\\' → 'HKEY_LOCAL_MACHINE\\SOFTWARE'. */
export function canonicalKeyPath(path: string): string {
  const parts = path.split('\\').filter((p) => p !== '');
  if (parts.length === 0) return '';
  const root = parts[0]!.toUpperCase();
  parts[0] = ROOT_NAMES[root] ?? root;
  return parts.map((p) => p.toUpperCase()).join('\\');
}

/**
 * The default descriptor of a predefined key, or undefined for keys that simply inherit from their
 * parent. HKU\<sid> gets userHiveSddl(); HKCU needs `currentUser` and is treated as HKU\<that sid>.
 */
export function defaultDescriptorFor(path: string, options: { currentUser?: Sid } = {}): SecurityDescriptor | undefined {
  const canonical = canonicalKeyPath(path);
  const fixed = REGISTRY_DEFAULT_SDDL[canonical];
  if (fixed) return SecurityDescriptor.fromSddl(fixed);
  const parts = canonical.split('\\');
  if (parts.length === 1 && parts[0] === 'HKEY_CURRENT_USER' && options.currentUser) {
    return SecurityDescriptor.fromSddl(userHiveSddl(options.currentUser));
  }
  if (parts.length === 2 && parts[0] === 'HKEY_USERS' && /^S-1-/.test(parts[1]!)) {
    try {
      return SecurityDescriptor.fromSddl(userHiveSddl(Sid.parse(parts[1]!)));
    } catch {
      return undefined; // HKU\S-1-5-21-…_Classes and other non-SID names inherit
    }
  }
  return undefined;
}
