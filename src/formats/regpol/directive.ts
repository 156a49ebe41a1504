// Special value names of registry.pol (MS-GPREG §3.2.5.1.2): instructions that delete or guard values
// instead of setting them. Recognised case-insensitively; whole names are matched before prefixes,
// because "**delvals." and "**del.x" share their first five characters.

import { decodeString, REG_DWORD, REG_SZ } from '../value.js';

export type PolDirective =
  | { kind: 'deleteValue'; name: string } // **del.<name>
  | { kind: 'deleteAllValues' } // **delvals.
  | { kind: 'deleteValues'; names: string[] } // **DeleteValues  "a;b;c"
  | { kind: 'deleteKeys'; names: string[] } // **DeleteKeys    "k1;k2"
  | { kind: 'secureKey'; secure: boolean } // **SecureKey     DWORD 1 or other
  | { kind: 'soft'; name: string } // **soft.<name>  set only when absent
  | { kind: 'unknown'; name: string }; // any other **name: kept, never an error

/** The directive a value name stands for, or undefined for an ordinary value. */
export function parseDirective(valueName: string, type: number, data: Buffer): PolDirective | undefined {
  if (valueName.length < 2 || valueName.charCodeAt(0) !== 0x2a || valueName.charCodeAt(1) !== 0x2a) return undefined;
  const lower = valueName.toLowerCase();
  switch (lower) {
    case '**delvals.':
      return { kind: 'deleteAllValues' };
    case '**deletevalues':
      return { kind: 'deleteValues', names: splitList(type, data) };
    case '**deletekeys':
      return { kind: 'deleteKeys', names: splitList(type, data) };
    case '**securekey':
      return { kind: 'secureKey', secure: type === REG_DWORD && data.length === 4 && data.readUInt32LE(0) === 1 };
  }
  if (lower.startsWith('**del.')) return { kind: 'deleteValue', name: valueName.slice(6) };
  if (lower.startsWith('**soft.')) return { kind: 'soft', name: valueName.slice(7) };
  return { kind: 'unknown', name: valueName };
}

// "a;;b;" -> ['a', 'b']: empty items dropped, spaces kept (value names may contain them).
function splitList(type: number, data: Buffer): string[] {
  if (type !== REG_SZ && type !== 2) return [];
  return decodeString(data)
    .split(';')
    .filter((s) => s.length > 0);
}

/** What a directive does, in words (for `pol show`). */
export function describeDirective(d: PolDirective): string {
  switch (d.kind) {
    case 'deleteValue':
      return d.name === '' ? 'delete the default value' : `delete value ${d.name}`;
    case 'deleteAllValues':
      return 'delete all values';
    case 'deleteValues':
      return `delete values ${d.names.join(', ') || '(none listed)'}`;
    case 'deleteKeys':
      return `delete subkeys ${d.names.join(', ') || '(none listed)'}`;
    case 'secureKey':
      return d.secure ? 'secure the key (Administrators and SYSTEM full control, users read)' : 'reset the key security to the root default';
    case 'soft':
      return `set value ${d.name} only if it does not exist`;
    case 'unknown':
      return `unknown directive ${d.name} (written as a plain value)`;
  }
}

/** Value name and data of the instruction that performs a directive, as Windows writes them. */
export function directiveInstruction(d: PolDirective): { valueName: string; type: number; data: Buffer } {
  const space = Buffer.from(' \0', 'utf16le');
  switch (d.kind) {
    case 'deleteValue':
      return { valueName: '**del.' + d.name, type: REG_SZ, data: space };
    case 'deleteAllValues':
      return { valueName: '**delvals.', type: REG_SZ, data: space };
    case 'deleteValues':
      return { valueName: '**DeleteValues', type: REG_SZ, data: Buffer.from(d.names.join(';') + '\0', 'utf16le') };
    case 'deleteKeys':
      return { valueName: '**DeleteKeys', type: REG_SZ, data: Buffer.from(d.names.join(';') + '\0', 'utf16le') };
    case 'secureKey': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(d.secure ? 1 : 0, 0);
      return { valueName: '**SecureKey', type: REG_DWORD, data: b };
    }
    case 'soft':
    case 'unknown':
      throw new TypeError(`a ${d.kind} directive carries its own value; write it as a value named ${d.kind === 'soft' ? '**soft.' + d.name : d.name}`);
  }
}
