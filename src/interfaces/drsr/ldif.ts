// Replicated objects and link values as LDIF change records (RFC 2849), the form an LDIF consumer such
// as ldapmodify applies in order: a new object is an `add`, a known one a `modify` replacing the
// attributes the DC sent (a `moddn` first when it moved), a deletion a `delete` of the DN it had; link
// values (LVR, MS-DRSR §5.167) are `modify` records adding present values and deleting absent ones.
// Tombstones of objects the consumer never had are comments, as there is nothing to delete.
import type { ReplicatedLink, ReplicatedObject } from './replicate.js';
import { firstRdn } from './replicate.js';

/** What the consumer knew of an object before this page: the DN it had, or undefined when new. */
export type Before = { dn: string } | undefined;

// RFC 2849 SAFE-STRING: printable ASCII, not starting with space, ':' or '<', not ending with space.
const safe = (s: string) => /^[\x20-\x7e]*$/.test(s) && !/^[ :<]/.test(s) && !s.endsWith(' ');

function line(name: string, value: string): string {
  return safe(value) ? `${name}: ${value}\n` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}\n`;
}

export function ldifValue(v: unknown): string {
  if (v === true) return 'TRUE';
  if (v === false) return 'FALSE';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object' && v !== null) return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** The DN without its first RDN. */
function parentDn(dn: string): string {
  const rdn = firstRdn(dn);
  return dn.length > rdn.length ? dn.slice(rdn.length + 1) : '';
}

const keep = (attrs: Set<string> | undefined, name: string) => !attrs || attrs.has(name.toLowerCase());

/** One object as LDIF records; `attrs` (lower-case names) limits the attributes written. */
export function objectToLdif(o: ReplicatedObject, before: Before, attrs?: Set<string>): string {
  if (o.deleted) {
    return before ? line('dn', before.dn) + 'changetype: delete\n\n' : `# deleted, never delivered: ${o.guid}\n\n`;
  }
  const entries = Object.entries(o.attributes).filter(([k]) => keep(attrs, k));
  if (!before) {
    let s = line('dn', o.dn) + 'changetype: add\n' + line('objectGUID', o.guid);
    for (const [k, vals] of entries) for (const v of vals) s += line(k, ldifValue(v));
    return s + '\n';
  }
  let s = '';
  if (before.dn.toLowerCase() !== o.dn.toLowerCase()) {
    s += line('dn', before.dn) + 'changetype: moddn\n' + line('newrdn', firstRdn(o.dn)) + 'deleteoldrdn: 1\n';
    if (parentDn(before.dn).toLowerCase() !== parentDn(o.dn).toLowerCase()) s += line('newsuperior', parentDn(o.dn));
    s += '\n';
  }
  if (entries.length) {
    s += line('dn', o.dn) + 'changetype: modify\n';
    // replace with no values removes the attribute (RFC 2849 "replace:" with an empty value list)
    for (const [k, vals] of entries) {
      s += `replace: ${k}\n`;
      for (const v of vals) s += line(k, ldifValue(v));
      s += '-\n';
    }
    s += '\n';
  }
  return s;
}

/** Link values as modify records, one per holder and attribute run; absent values are deletes. */
export function linksToLdif(links: ReplicatedLink[], attrs?: Set<string>): string {
  let s = '';
  let holder = '';
  for (const l of links) {
    if (!keep(attrs, l.attribute)) continue;
    if (l.dn !== holder) {
      if (holder) s += '\n';
      holder = l.dn;
      s += line('dn', l.dn) + 'changetype: modify\n';
    }
    s += `${l.present ? 'add' : 'delete'}: ${l.attribute}\n` + line(l.attribute, ldifValue(l.value)) + '-\n';
  }
  return holder ? s + '\n' : s;
}
