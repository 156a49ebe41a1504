// The 32-bit view of the registry (MS-RRP §3.1.1.4): which paths a KEY_WOW64_32KEY request is sent
// to under Wow6432Node, and which keys stay shared between the views.

import { upcase } from './backend.js';

const WOW = 'WOW6432NODE';
export const WOW6432NODE = 'Wow6432Node';

// Keys under HKLM\SOFTWARE shared by both views (MS-RRP <6> leaves the list to the implementation).
// Source: Microsoft Learn, "Registry Keys Affected by WOW64" (win32/winprog64/shared-registry-keys),
// the "Shared" rows for Windows 7 / Windows Server 2008 R2 and later, relative to HKLM\SOFTWARE.
export const SHARED_KEYS: readonly string[] = [
  'Classes\\HCP',
  'Microsoft\\COM3',
  'Microsoft\\Cryptography\\Calais\\Current',
  'Microsoft\\Cryptography\\Calais\\Readers',
  'Microsoft\\Cryptography\\Services',
  'Microsoft\\CTF\\SystemShared',
  'Microsoft\\CTF\\TIP',
  'Microsoft\\DFS',
  'Microsoft\\Driver Signing',
  'Microsoft\\EnterpriseCertificates',
  'Microsoft\\EventSystem',
  'Microsoft\\MSMQ',
  'Microsoft\\Non-Driver Signing',
  'Microsoft\\Notepad\\DefaultFonts',
  'Microsoft\\OLE',
  'Microsoft\\RAS',
  'Microsoft\\RPC',
  'Microsoft\\SOFTWARE\\Microsoft\\Shared Tools\\MSInfo',
  'Microsoft\\SystemCertificates',
  'Microsoft\\TermServLicensing',
  'Microsoft\\Transaction Server',
  'Microsoft\\Windows\\CurrentVersion\\App Paths',
  'Microsoft\\Windows\\CurrentVersion\\Control Panel\\Cursors\\Schemes',
  'Microsoft\\Windows\\CurrentVersion\\Explorer\\AutoplayHandlers',
  'Microsoft\\Windows\\CurrentVersion\\Explorer\\DriveIcons',
  'Microsoft\\Windows\\CurrentVersion\\Explorer\\KindMap',
  'Microsoft\\Windows\\CurrentVersion\\Group Policy',
  'Microsoft\\Windows\\CurrentVersion\\Policies',
  'Microsoft\\Windows\\CurrentVersion\\PreviewHandlers',
  'Microsoft\\Windows\\CurrentVersion\\Setup',
  'Microsoft\\Windows\\CurrentVersion\\Telephony\\Locations',
  'Microsoft\\Windows NT\\CurrentVersion\\Console',
  'Microsoft\\Windows NT\\CurrentVersion\\FontDpi',
  'Microsoft\\Windows NT\\CurrentVersion\\FontLink',
  'Microsoft\\Windows NT\\CurrentVersion\\FontMapper',
  'Microsoft\\Windows NT\\CurrentVersion\\Fonts',
  'Microsoft\\Windows NT\\CurrentVersion\\FontSubstitutes',
  'Microsoft\\Windows NT\\CurrentVersion\\Gre_Initialize',
  'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options',
  'Microsoft\\Windows NT\\CurrentVersion\\LanguagePack',
  'Microsoft\\Windows NT\\CurrentVersion\\NetworkCards',
  'Microsoft\\Windows NT\\CurrentVersion\\Perflib',
  'Microsoft\\Windows NT\\CurrentVersion\\Ports',
  'Microsoft\\Windows NT\\CurrentVersion\\Print',
  'Microsoft\\Windows NT\\CurrentVersion\\ProfileList',
  'Microsoft\\Windows NT\\CurrentVersion\\Time Zones',
  'Policies',
  'RegisteredApplications',
];

const SHARED_UPPER = SHARED_KEYS.map((k) => upcase(k).split('\\'));

/** Reflection (MS-RRP §3.1.1.4 <9>, <10>; the UPDATECOPY column of §3.1.1 HANDLETABLE): 'none' as
 * Windows 7 and later, which dropped it; 'vista' as Windows XP to Windows Server 2008, which copy
 * updates between the views for the keys of <9>, when the handle is closed. */
export type Reflection = 'none' | 'vista';

// <9>: HKLM\SOFTWARE\Classes (minus Classes\HCP), these four under HKLM\SOFTWARE\Microsoft, and
// HKCU\SOFTWARE\Classes. With 'vista' the four are separate keys in each view (reflected), not shared.
const REFLECTED_MICROSOFT = ['COM3', 'EVENTSYSTEM', 'OLE', 'RPC'];

function isShared(rest: readonly string[], reflection: Reflection): boolean {
  const up = rest.map(upcase);
  if (reflection === 'vista' && up[0] === 'MICROSOFT' && REFLECTED_MICROSOFT.includes(up[1] ?? '')) return false;
  return SHARED_UPPER.some((s) => s.length <= up.length && s.every((seg, i) => seg === up[i]));
}

/**
 * The key in the other view that a key's updates are copied to under reflection (<9>), given the
 * key's physical segments below \Registry; undefined when the key is not reflected. For the 64-bit
 * Classes key itself, `skip` names the subkeys that are not copied (the 32-bit view's Wow6432Node
 * inside it, and the HCP subtree).
 */
export function reflectionPeer(segs: readonly string[]): { peer: string[]; skip: string[] } | undefined {
  const up = segs.map(upcase);
  if (up[0] === 'MACHINE' && up[1] === 'SOFTWARE') {
    if (up[2] === 'CLASSES') {
      if (up[3] === 'HCP') return undefined;
      if (up[3] === WOW) return { peer: [...segs.slice(0, 3), ...segs.slice(4)], skip: [WOW, 'HCP'] };
      return { peer: [...segs.slice(0, 3), WOW6432NODE, ...segs.slice(3)], skip: segs.length === 3 ? [WOW, 'HCP'] : [] };
    }
    if (up[2] === 'MICROSOFT' && REFLECTED_MICROSOFT.includes(up[3] ?? '')) return { peer: [...segs.slice(0, 2), WOW6432NODE, ...segs.slice(2)], skip: [] };
    if (up[2] === WOW && up[3] === 'MICROSOFT' && REFLECTED_MICROSOFT.includes(up[4] ?? '')) return { peer: [...segs.slice(0, 2), ...segs.slice(3)], skip: [] };
    return undefined;
  }
  if (up[0] === 'USER' && segs.length >= 4 && up[2] === 'SOFTWARE' && up[3] === 'CLASSES') {
    if (up[4] === WOW) return { peer: [...segs.slice(0, 4), ...segs.slice(5)], skip: [WOW] };
    return { peer: [...segs.slice(0, 4), WOW6432NODE, ...segs.slice(4)], skip: segs.length === 4 ? [WOW] : [] };
  }
  return undefined;
}

/**
 * The segments a 32-bit request for `segs` (a path below \Registry, e.g. ['Machine','SOFTWARE','X'])
 * is served from (§3.1.1.4 table): HKLM\Software\X → HKLM\Software\Wow6432Node\X, HKU\*\Software\X →
 * HKU\*\Software\Wow6432Node\X, HKU\*\Software\Classes\X → HKU\*\Software\Classes\Wow6432Node\X.
 * HKLM\Software\Classes reaches Classes\Wow6432Node through the link the store keeps at
 * HKLM\Software\Wow6432Node\Classes (§3.1.1.4). Shared keys and paths already in a Wow6432Node are
 * left alone.
 */
export function redirect32(segs: readonly string[], reflection: Reflection = 'none'): string[] {
  const up = segs.map(upcase);
  if (up[0] === 'MACHINE' && up[1] === 'SOFTWARE') {
    if (up[2] === WOW) return [...segs];
    if (segs.length > 2 && isShared(segs.slice(2), reflection)) return [...segs];
    return [...segs.slice(0, 2), WOW6432NODE, ...segs.slice(2)];
  }
  if (up[0] === 'USER' && segs.length >= 3 && up[2] === 'SOFTWARE') {
    if (up[3] === WOW) return [...segs];
    if (up[3] === 'CLASSES') {
      if (up[4] === WOW) return [...segs];
      return [...segs.slice(0, 4), WOW6432NODE, ...segs.slice(4)];
    }
    return [...segs.slice(0, 3), WOW6432NODE, ...segs.slice(3)];
  }
  return [...segs];
}
