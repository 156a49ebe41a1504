// Semantic difference of two registry.pol files: which settings (key, value name) were added, removed
// or changed. Names compare case-insensitively as Windows compares registry names; within one file a
// later instruction for the same setting replaces an earlier one (the apply order of MS-GPREG §3.2.5.1.2).

import type { PolInstruction } from './entry.js';

export interface PolChange {
  change: 'added' | 'removed' | 'changed';
  key: string;
  valueName: string;
  before?: PolInstruction;
  after?: PolInstruction;
}

/** Registry names compare by their uppercase form (case-insensitive, case-preserving). */
export function settingId(key: string, valueName: string): string {
  return key.replace(/^\\+|\\+$/g, '').toUpperCase() + '\0' + valueName.toUpperCase();
}

function effective(entries: Iterable<PolInstruction>): Map<string, PolInstruction> {
  const m = new Map<string, PolInstruction>();
  for (const e of entries) {
    const id = settingId(e.key, e.valueName);
    m.delete(id); // the last write wins and takes the last position
    m.set(id, e);
  }
  return m;
}

/** Changes from `a` to `b`: removed and changed in a's order, then added in b's order. */
export function diffPol(a: Iterable<PolInstruction>, b: Iterable<PolInstruction>): PolChange[] {
  const before = effective(a);
  const after = effective(b);
  const out: PolChange[] = [];
  for (const [id, x] of before) {
    const y = after.get(id);
    if (!y) out.push({ change: 'removed', key: x.key, valueName: x.valueName, before: x });
    else if (x.type !== y.type || !x.data.equals(y.data)) out.push({ change: 'changed', key: y.key, valueName: y.valueName, before: x, after: y });
  }
  for (const [id, y] of after) {
    if (!before.has(id)) out.push({ change: 'added', key: y.key, valueName: y.valueName, after: y });
  }
  return out;
}
