// ATTRVAL payloads (MS-DRSR §5.16.3, raw little-endian layouts, not NDR) -> plain JSON-friendly values,
// chosen by attributeSyntax 2.5.5.x ([MS-ADTS] §3.1.1.2.2.2). Strings and numbers as such, 64-bit
// integers as decimal strings, times as LDAP GeneralizedTime, SIDs/GUIDs/SDDL as text, DNs as strings
// (DN-binary "B:n:hex:dn", DN-string "S:n:text:dn"), OIDs dotted, other octet strings base64.
import { guidToString } from '../../../ndr/index.js';
import { SecurityDescriptor } from '../../../security/descriptor.js';
import { Sid } from '../../../security/sid.js';
import { DrsError } from '../errors.js';
import type { PrefixTable } from '../prefix-table.js';
import { readDistnameBinary, readPackedDsname } from './dsname.js';
import type { AttributeInfo, Schema } from './schema.js';

export type PlainValue = string | number | boolean;

// OID-valued attributes whose values LDAP shows as class or attribute names.
const CLASS_VALUED = new Set(['objectClass', 'subClassOf', 'auxiliaryClass', 'systemAuxiliaryClass', 'possSuperiors', 'systemPossSuperiors']);
const ATTR_VALUED = new Set(['mustContain', 'mayContain', 'systemMustContain', 'systemMayContain']);

const sddlCache = new Map<string, string>();

function need(v: Buffer, n: number, a: AttributeInfo): void {
  if (v.length !== n) throw new DrsError('client', 0x57, `${a.name}: ${v.length}-byte value, syntax 2.5.5.${a.syntax} needs ${n}`);
}

/** DSTIME (seconds since 1601-01-01 UTC, §5.51) as LDAP GeneralizedTime 'YYYYMMDDHHMMSS.0Z'. */
export function dstimeToGeneralized(t: bigint): string {
  const ms = Number(t - 11644473600n) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(t);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}.0Z`;
}

function isGuidAttribute(name: string): boolean {
  return /guid$/i.test(name) || name === 'invocationId' || name === 'msDS-ReplicationEpochGuid';
}

export function decodeValue(a: AttributeInfo, v: Buffer, pt: PrefixTable, schema: Schema): PlainValue {
  switch (a.syntax) {
    case 1: // DS-DN
      return readPackedDsname(v).dn;
    case 2: { // OID: an ATTRTYP mapped through the reply's prefix table (§5.16.3.8)
      need(v, 4, a);
      const t = v.readUInt32LE(0);
      const oid = pt.oidFromAttid(t) ?? `ATTRTYP:0x${t.toString(16)}`;
      if (CLASS_VALUED.has(a.name)) return schema.className(oid) ?? oid;
      if (ATTR_VALUED.has(a.name)) return schema.attribute(oid)?.name ?? oid;
      return oid;
    }
    case 3: case 4: case 5: case 6: // 8-bit strings (§5.16.3.6)
      return v.toString('utf8');
    case 7: { // DN-Binary / OR-Name (§5.16.3.11)
      const { name, data } = readDistnameBinary(v);
      return `B:${data.length * 2}:${data.toString('hex').toUpperCase()}:${name.dn}`;
    }
    case 8: // Boolean (§5.16.3.1)
      need(v, 4, a);
      return v.readInt32LE(0) !== 0;
    case 9: // Integer / Enumeration (§5.16.3.2)
      need(v, 4, a);
      return v.readInt32LE(0);
    case 11: // UTC / Generalized time: DSTIME (§5.16.3.9)
      need(v, 8, a);
      return dstimeToGeneralized(v.readBigInt64LE(0));
    case 12: // Unicode string (§5.16.3.7)
      return v.toString('utf16le');
    case 13: { // Presentation address: SYNTAX_ADDRESS (§5.16.3.4)
      if (v.length < 4) need(v, 4, a);
      return v.toString('utf16le', 4, Math.min(v.length, v.readUInt32LE(0)));
    }
    case 14: { // DN-String (§5.16.3.12)
      const { name, data } = readDistnameBinary(v);
      const s = data.toString('utf16le');
      return `S:${s.length}:${s}:${name.dn}`;
    }
    case 15: { // NT security descriptor (§5.16.3.16); objects of one class mostly share theirs
      const key = v.toString('latin1');
      const hit = sddlCache.get(key);
      if (hit !== undefined) return hit;
      let sddl: string;
      try {
        sddl = SecurityDescriptor.fromBinary(v).toSddl();
      } catch (err) {
        throw new DrsError('client', 0x57, `${a.name}: bad security descriptor`, { cause: err });
      }
      if (sddlCache.size >= 4096) sddlCache.clear();
      sddlCache.set(key, sddl);
      return sddl;
    }
    case 16: // Large integer (§5.16.3.3)
      need(v, 8, a);
      return v.readBigInt64LE(0).toString();
    case 17: // SID (§5.16.3.15)
      try {
        return Sid.fromBinary(v).toString();
      } catch (err) {
        throw new DrsError('client', 0x57, `${a.name}: bad SID`, { cause: err });
      }
    case 10: // Octet string (§5.16.3.5)
    default:
      if (v.length === 16 && isGuidAttribute(a.name)) return guidToString(v);
      return v.toString('base64');
  }
}
