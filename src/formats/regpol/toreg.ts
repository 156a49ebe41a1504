// registry.pol → .reg text. Machine files apply under HKEY_LOCAL_MACHINE and user files under
// HKEY_CURRENT_USER (MS-GPREG §2.2.1 "Key"). Directives become .reg deletions where .reg can say the
// same thing; the others (delete all values, set-if-absent, SecureKey) are kept as comments.

import { CRLF, formatKey, formatValue, formatValueDeletion, REG4_HEADER, REG5_HEADER } from '../regtext/writer.js';
import { describeDirective, parseDirective } from './directive.js';
import type { PolInstruction } from './entry.js';

export type PolScope = 'machine' | 'user';

export function scopeRoot(scope: PolScope): string {
  return scope === 'machine' ? 'HKEY_LOCAL_MACHINE' : 'HKEY_CURRENT_USER';
}

/** Key path as the registry sees it: no leading, trailing or doubled backslashes. */
export function normalizeKeyPath(key: string): string {
  return key.split('\\').filter((c) => c.length > 0).join('\\');
}

export function polToReg(entries: Iterable<PolInstruction>, scope: PolScope, version: 4 | 5 = 5): string {
  const root = scopeRoot(scope);
  const lines: string[] = [version === 5 ? REG5_HEADER : REG4_HEADER, ''];
  let open: string | undefined; // the key whose [header] was written last
  const openKey = (path: string): void => {
    if (open === path) return;
    if (open !== undefined) lines.push('');
    lines.push(formatKey(path));
    open = path;
  };
  for (const e of entries) {
    const path = root + '\\' + normalizeKeyPath(e.key);
    const d = parseDirective(e.valueName, e.type, e.data);
    if (!d || d.kind === 'unknown') {
      openKey(path);
      // an empty name with no data only makes sure the key exists: the header says that
      if (!(e.valueName === '' && e.data.length === 0)) lines.push(formatValue(e.valueName, e.type, e.data, version));
      continue;
    }
    switch (d.kind) {
      case 'deleteValue':
        openKey(path);
        lines.push(formatValueDeletion(d.name));
        break;
      case 'deleteValues':
        openKey(path);
        for (const n of d.names) lines.push(formatValueDeletion(n));
        break;
      case 'deleteKeys':
        for (const n of d.names) {
          if (open !== undefined) lines.push('');
          lines.push(formatKey(path + '\\' + n, true));
          open = '-';
        }
        break;
      case 'soft':
        openKey(path);
        lines.push(`; ${describeDirective(d)}:`);
        lines.push('; ' + formatValue(d.name, e.type, e.data, version).replace(/\r\n/g, '\r\n; '));
        break;
      default:
        openKey(path);
        lines.push(`; ${e.valueName}: ${describeDirective(d)} (no .reg equivalent)`);
    }
  }
  if (open !== undefined) lines.push('');
  lines.push('');
  return lines.join(CRLF);
}
