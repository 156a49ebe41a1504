// Registry paths as tools write them ("HKLM\Software\X", "HKEY_USERS\S-1-5-18\...") and as the kernel
// names keys ("\Registry\Machine\...", MS-RRP §3.1.1.1.3), and the name rules of §3.1.1.1 with
// Windows' size limits.

import { win32 } from '../util/win32.js';
import { MAX_DEPTH, MAX_KEY_NAME } from './constants.js';
import { upcase } from './backend.js';

/** The predefined keys of MS-RRP §3.1.1.7, by their RRP open method. */
export type PredefinedKey =
  | 'HKEY_CLASSES_ROOT' // OpenClassesRoot §3.1.5.1
  | 'HKEY_CURRENT_USER' // OpenCurrentUser §3.1.5.2
  | 'HKEY_LOCAL_MACHINE' // OpenLocalMachine §3.1.5.3
  | 'HKEY_PERFORMANCE_DATA' // OpenPerformanceData §3.1.5.4
  | 'HKEY_USERS' // OpenUsers §3.1.5.5
  | 'HKEY_CURRENT_CONFIG' // OpenCurrentConfig §3.1.5.25
  | 'HKEY_PERFORMANCE_TEXT' // OpenPerformanceText §3.1.5.28
  | 'HKEY_PERFORMANCE_NLSTEXT'; // OpenPerformanceNlsText §3.1.5.29

const ROOT_NAMES: Record<string, PredefinedKey> = {
  HKEY_CLASSES_ROOT: 'HKEY_CLASSES_ROOT',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKEY_CURRENT_USER: 'HKEY_CURRENT_USER',
  HKCU: 'HKEY_CURRENT_USER',
  HKEY_LOCAL_MACHINE: 'HKEY_LOCAL_MACHINE',
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKEY_USERS: 'HKEY_USERS',
  HKU: 'HKEY_USERS',
  HKEY_CURRENT_CONFIG: 'HKEY_CURRENT_CONFIG',
  HKCC: 'HKEY_CURRENT_CONFIG',
  HKEY_PERFORMANCE_DATA: 'HKEY_PERFORMANCE_DATA',
  HKPD: 'HKEY_PERFORMANCE_DATA',
  HKEY_PERFORMANCE_TEXT: 'HKEY_PERFORMANCE_TEXT',
  HKEY_PERFORMANCE_NLSTEXT: 'HKEY_PERFORMANCE_NLSTEXT',
};

export interface ToolPath {
  root: PredefinedKey;
  /** The path below the root, '' for the root itself (backslashes, no leading one). */
  subkey: string;
}

/** "HKLM\Software\X" → { root: 'HKEY_LOCAL_MACHINE', subkey: 'Software\X' }. `\Registry\Machine\...`
 * and `\Registry\User\...` object names are accepted too. */
const parsed = new Map<string, ToolPath>();

export function parseToolPath(path: string): ToolPath {
  // Tools hit the same keys over and over: remember recent answers (bounded).
  const hit = parsed.get(path);
  if (hit) return hit;
  const tp = parseToolPathUncached(path);
  if (parsed.size >= 4096) parsed.clear();
  parsed.set(path, tp);
  return tp;
}

function parseToolPathUncached(path: string): ToolPath {
  const trimmed = path.charCodeAt(0) === 0x5c || path.endsWith('\\') ? path.replace(/^\\+|\\+$/g, '') : path;
  const segs = trimmed.split('\\');
  if (upcase(segs[0] ?? '') === 'REGISTRY') {
    const top = upcase(segs[1] ?? '');
    if (top === 'MACHINE') return { root: 'HKEY_LOCAL_MACHINE', subkey: segs.slice(2).join('\\') };
    if (top === 'USER') return { root: 'HKEY_USERS', subkey: segs.slice(2).join('\\') };
    throw win32('ERROR_INVALID_PARAMETER', `unknown object name ${path}`);
  }
  const root = ROOT_NAMES[upcase(segs[0] ?? '')];
  if (!root) throw win32('ERROR_INVALID_PARAMETER', `'${path}' does not start with a predefined key (HKLM, HKU, HKCU, HKCR, HKCC)`);
  return { root, subkey: segs.slice(1).join('\\') };
}

/** Splits a relative name (RN, §3.1.1.1.2) into key names; '' means the key itself. Empty components
 * (a\\b) and over-long names are refused with ERROR_INVALID_PARAMETER; trailing NULs dropped (§2.2.4). */
export function splitRelative(rn: string): string[] {
  let s = rn;
  while (s.endsWith('\0')) s = s.slice(0, -1);
  if (s.startsWith('\\')) throw win32('ERROR_INVALID_PARAMETER', `'${rn}' is not a relative name`);
  if (s.endsWith('\\')) s = s.slice(0, -1);
  if (s === '') return [];
  const segs = s.split('\\');
  for (const seg of segs) {
    if (seg === '') throw win32('ERROR_INVALID_PARAMETER', `empty key name in '${rn}'`);
    if (seg.length > MAX_KEY_NAME) throw win32('ERROR_INVALID_PARAMETER', `key name of ${seg.length} characters (limit ${MAX_KEY_NAME})`);
  }
  return segs;
}

/** Refuses paths deeper than Windows allows (512 levels below \Registry\Machine or \Registry\User). */
export function checkDepth(segs: readonly string[]): void {
  // segs start with 'Machine'/'User': depth counts the levels below that root
  if (segs.length - 1 > MAX_DEPTH) throw win32('ERROR_INVALID_PARAMETER', `key nesting of ${segs.length - 1} levels (limit ${MAX_DEPTH})`);
}

/** A key's FQN in the kernel's form (§3.1.1.1.3): "\Registry\Machine\SOFTWARE\X". */
export function objectName(path: string): string {
  return '\\Registry\\' + path;
}

/** Segments of a `\Registry\...` object name (a SymbolicLinkValue), or undefined if it is not one. */
export function parseObjectName(name: string): string[] | undefined {
  const segs = name.replace(/\0+$/, '').split('\\');
  if (segs[0] !== '' || upcase(segs[1] ?? '') !== 'REGISTRY' || segs.length < 3) return undefined;
  const rest = segs.slice(2);
  if (rest.some((s) => s === '')) return undefined;
  const top = upcase(rest[0]!);
  if (top !== 'MACHINE' && top !== 'USER') return undefined;
  return rest;
}

/** "Machine\SOFTWARE\X" → "HKEY_LOCAL_MACHINE\SOFTWARE\X" for display. */
export function toolName(path: string): string {
  const segs = path.split('\\');
  const top = upcase(segs[0] ?? '');
  const root = top === 'MACHINE' ? 'HKEY_LOCAL_MACHINE' : top === 'USER' ? 'HKEY_USERS' : '\\Registry';
  return [root, ...segs.slice(1)].join('\\');
}
