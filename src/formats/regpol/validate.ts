// `pol validate`: every structural problem (errors: the file cannot be applied, MS-GPREG §3.2.5.1.2
// skips it) and every departure from the §2.2.1 ABNF that Windows tolerates (warnings).

import { REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ, regTypeName } from '../value.js';
import { POL_MAX_DATA, POL_MAX_VALUE_NAME, POL_TYPES } from './file.js';
import type { PolEntry } from './entry.js';
import { iteratePol } from './parser.js';
import type { FormatError } from '../../util/errors.js';

export interface PolProblem {
  severity: 'error' | 'warning';
  offset: number;
  message: string;
}

export interface PolValidation {
  entries: number;
  problems: PolProblem[];
  valid: boolean;
}

const SPACE_NUL = Buffer.from(' \0', 'utf16le');

function entryWarnings(e: PolEntry): string[] {
  const w: string[] = [];
  const lower = e.valueName.toLowerCase();
  const d = e.directive;
  const soft = d?.kind === 'soft';
  if (e.key.startsWith('\\') || e.key.endsWith('\\') || e.key.includes('\\\\')) w.push(`key '${e.key}' has an empty component`);
  if (/^(HKLM|HKCU|HKEY_)/i.test(e.key)) w.push(`key '${e.key}' names a registry root (keys are relative to HKLM/HKCU)`);
  if (e.valueName === '') {
    if (!(e.type === REG_NONE && e.data.length === 0)) w.push('empty value name (the ABNF requires 1 to 259 characters; applied as the default value)');
  } else if (e.valueName.length > POL_MAX_VALUE_NAME) w.push(`value name of ${e.valueName.length} characters (at most ${POL_MAX_VALUE_NAME})`);
  if (!soft && !POL_TYPES.has(e.type) && !(e.type === REG_NONE && e.valueName === '' && e.data.length === 0)) {
    w.push(`type ${regTypeName(e.type)} (${e.type}) is outside the types §2.2.1 allows`);
  }
  if (e.data.length > POL_MAX_DATA) w.push(`data of ${e.data.length} bytes (at most ${POL_MAX_DATA})`);
  if (e.type === REG_DWORD && e.data.length !== 4) w.push(`REG_DWORD with ${e.data.length} bytes of data`);
  if (e.type === REG_QWORD && e.data.length !== 8) w.push(`REG_QWORD with ${e.data.length} bytes of data`);
  if ((e.type === REG_SZ || e.type === REG_EXPAND_SZ) && e.data.length > 0) {
    if (e.data.length % 2 !== 0) w.push(`${regTypeName(e.type)} with an odd size (${e.data.length})`);
    else if (e.data.readUInt16LE(e.data.length - 2) !== 0) w.push(`${regTypeName(e.type)} without a terminating NUL`);
  }
  if (e.type === REG_MULTI_SZ && e.data.length >= 2 && e.data.readUInt16LE(e.data.length - 2) !== 0) w.push('REG_MULTI_SZ without a terminating NUL');
  if (d) {
    if ((d.kind === 'deleteValue' || d.kind === 'deleteAllValues') && (e.type !== REG_SZ || !e.data.equals(SPACE_NUL))) {
      w.push(`${e.valueName}: data should be REG_SZ " " (20 00 00 00)`);
    }
    if ((d.kind === 'deleteValues' || d.kind === 'deleteKeys') && e.type !== REG_SZ) w.push(`${e.valueName}: type should be REG_SZ`);
    if (d.kind === 'secureKey' && (e.type !== REG_DWORD || e.data.length !== 4)) w.push('**SecureKey: type should be REG_DWORD with 4 bytes');
    if (d.kind === 'unknown' && lower.startsWith('**')) w.push(`unknown special name ${e.valueName} (applied as an ordinary value)`);
  }
  return w;
}

export function validatePol(buf: Buffer): PolValidation {
  const errors: FormatError[] = [];
  const problems: PolProblem[] = [];
  let entries = 0;
  for (const e of iteratePol(buf, { lenient: true }, errors)) {
    entries++;
    for (const message of entryWarnings(e)) problems.push({ severity: 'warning', offset: e.offset, message });
  }
  for (const err of errors) problems.push({ severity: 'error', offset: err.offset, message: `expected ${err.expected}${err.detail ? ` (${err.detail})` : ''}` });
  problems.sort((a, b) => a.offset - b.offset);
  return { entries, problems, valid: errors.length === 0 };
}
