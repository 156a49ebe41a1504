// Differences between two registry trees, as reg.exe's `compare` reports them: keys or values only on
// one side, and values whose type or data differ.
import { findSubkey, type RegTreeKey } from '../formats/tree.js';

export type Difference =
  | { kind: 'key'; side: 'left' | 'right'; path: string }
  | { kind: 'value'; side: 'left' | 'right' | 'both'; path: string; name: string };

/** `recursive`: subkeys are compared too (else only their presence). */
export function compareTrees(left: RegTreeKey, right: RegTreeKey, recursive: boolean, path = ''): Difference[] {
  const out: Difference[] = [];
  const rv = new Map(right.values.map((v) => [v.name.toUpperCase(), v]));
  for (const v of left.values) {
    const o = rv.get(v.name.toUpperCase());
    if (!o) out.push({ kind: 'value', side: 'left', path, name: v.name });
    else if (o.type !== v.type || !o.data.equals(v.data)) out.push({ kind: 'value', side: 'both', path, name: v.name });
    rv.delete(v.name.toUpperCase());
  }
  for (const v of rv.values()) out.push({ kind: 'value', side: 'right', path, name: v.name });
  for (const s of left.subkeys) {
    const o = findSubkey(right, s.name);
    const p = path ? `${path}\\${s.name}` : s.name;
    if (!o) out.push({ kind: 'key', side: 'left', path: p });
    else if (recursive) out.push(...compareTrees(s, o, true, p));
  }
  for (const s of right.subkeys) {
    if (!findSubkey(left, s.name)) out.push({ kind: 'key', side: 'right', path: path ? `${path}\\${s.name}` : s.name });
  }
  return out;
}
