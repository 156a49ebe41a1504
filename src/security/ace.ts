// ACE: MS-DTYP §2.4.4. One codec for every ACE type: Header, Mask, [object part], Sid, then whatever
// AceSize still covers (callback conditions, resource attributes, padding) kept as applicationData so
// that re-encoding gives the same bytes. Types whose body has another shape (the reserved compound ACE,
// unknown future types) are kept opaque.

import { FormatError } from '../util/errors.js';
import { guidFromBytes, guidToBytes, isGuidString } from './guid.js';
import { decodeSid, type Sid } from './sid.js';

// MS-DTYP §2.4.4.1 AceType
export const ACCESS_ALLOWED_ACE_TYPE = 0x00;
export const ACCESS_DENIED_ACE_TYPE = 0x01;
export const SYSTEM_AUDIT_ACE_TYPE = 0x02;
export const SYSTEM_ALARM_ACE_TYPE = 0x03;
export const ACCESS_ALLOWED_COMPOUND_ACE_TYPE = 0x04;
export const ACCESS_ALLOWED_OBJECT_ACE_TYPE = 0x05;
export const ACCESS_DENIED_OBJECT_ACE_TYPE = 0x06;
export const SYSTEM_AUDIT_OBJECT_ACE_TYPE = 0x07;
export const SYSTEM_ALARM_OBJECT_ACE_TYPE = 0x08;
export const ACCESS_ALLOWED_CALLBACK_ACE_TYPE = 0x09;
export const ACCESS_DENIED_CALLBACK_ACE_TYPE = 0x0a;
export const ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE = 0x0b;
export const ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE = 0x0c;
export const SYSTEM_AUDIT_CALLBACK_ACE_TYPE = 0x0d;
export const SYSTEM_ALARM_CALLBACK_ACE_TYPE = 0x0e;
export const SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE = 0x0f;
export const SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE = 0x10;
export const SYSTEM_MANDATORY_LABEL_ACE_TYPE = 0x11;
export const SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE = 0x12;
export const SYSTEM_SCOPED_POLICY_ID_ACE_TYPE = 0x13;

// MS-DTYP §2.4.4.1 AceFlags
export const OBJECT_INHERIT_ACE = 0x01;
export const CONTAINER_INHERIT_ACE = 0x02;
export const NO_PROPAGATE_INHERIT_ACE = 0x04;
export const INHERIT_ONLY_ACE = 0x08;
export const INHERITED_ACE = 0x10;
export const SUCCESSFUL_ACCESS_ACE_FLAG = 0x40;
export const FAILED_ACCESS_ACE_FLAG = 0x80;

// MS-DTYP §2.4.4.3 object ACE Flags
export const ACE_OBJECT_TYPE_PRESENT = 0x1;
export const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

// MS-DTYP §2.4.4.13 SYSTEM_MANDATORY_LABEL_ACE mask
export const SYSTEM_MANDATORY_LABEL_NO_WRITE_UP = 0x1;
export const SYSTEM_MANDATORY_LABEL_NO_READ_UP = 0x2;
export const SYSTEM_MANDATORY_LABEL_NO_EXECUTE_UP = 0x4;

const OBJECT_ACE_TYPES = new Set([
  ACCESS_ALLOWED_OBJECT_ACE_TYPE, ACCESS_DENIED_OBJECT_ACE_TYPE, SYSTEM_AUDIT_OBJECT_ACE_TYPE, SYSTEM_ALARM_OBJECT_ACE_TYPE,
  ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE, ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE, SYSTEM_AUDIT_CALLBACK_OBJECT_ACE_TYPE,
  SYSTEM_ALARM_CALLBACK_OBJECT_ACE_TYPE,
]);
const MASK_SID_ACE_TYPES = new Set([
  ACCESS_ALLOWED_ACE_TYPE, ACCESS_DENIED_ACE_TYPE, SYSTEM_AUDIT_ACE_TYPE, SYSTEM_ALARM_ACE_TYPE,
  ACCESS_ALLOWED_CALLBACK_ACE_TYPE, ACCESS_DENIED_CALLBACK_ACE_TYPE, SYSTEM_AUDIT_CALLBACK_ACE_TYPE, SYSTEM_ALARM_CALLBACK_ACE_TYPE,
  SYSTEM_MANDATORY_LABEL_ACE_TYPE, SYSTEM_RESOURCE_ATTRIBUTE_ACE_TYPE, SYSTEM_SCOPED_POLICY_ID_ACE_TYPE,
]);

export function isObjectAceType(type: number): boolean {
  return OBJECT_ACE_TYPES.has(type);
}

/** An ACE of a type with a mask and a trustee SID (every defined type except the reserved compound one). */
export interface Ace {
  type: number;
  flags: number;
  /** ACCESS_MASK, unsigned. */
  mask: number;
  sid: Sid;
  /** Object ACE types only: the Flags field, and the GUIDs it says are present. */
  objectFlags?: number;
  objectType?: string;
  inheritedObjectType?: string;
  /** Bytes after the SID that AceSize still covers (callback condition, attribute data, or padding). */
  applicationData?: Buffer;
}

/** An ACE whose body we do not interpret: kept as bytes so that it survives a round trip. */
export interface OpaqueAce {
  type: number;
  flags: number;
  /** Everything after the 4-byte ACE_HEADER. */
  body: Buffer;
}

export type AnyAce = Ace | OpaqueAce;

export function isOpaqueAce(ace: AnyAce): ace is OpaqueAce {
  return (ace as OpaqueAce).body !== undefined;
}

export function aceByteLength(ace: AnyAce): number {
  if (isOpaqueAce(ace)) return 4 + ace.body.length;
  let n = 8 + ace.sid.byteLength + (ace.applicationData?.length ?? 0);
  if (isObjectAceType(ace.type)) {
    n += 4;
    if (ace.objectType !== undefined) n += 16;
    if (ace.inheritedObjectType !== undefined) n += 16;
  }
  return n;
}

/** Decodes the ACE at `offset`; `limit` is the end of the enclosing ACL. Returns the ACE and its AceSize. */
export function decodeAce(buf: Buffer, offset: number, limit: number, format: string): { ace: AnyAce; size: number } {
  if (offset + 4 > limit) throw new FormatError(format, offset, 'a 4-byte ACE_HEADER', `${limit - offset} bytes left in the ACL`);
  const type = buf[offset]!;
  const flags = buf[offset + 1]!;
  const size = buf.readUInt16LE(offset + 2);
  if (size < 4) throw new FormatError(format, offset + 2, 'an AceSize of at least 4', `${size}`);
  if (offset + size > limit) throw new FormatError(format, offset + 2, `an AceSize within the ACL (${limit - offset} bytes left)`, `${size}`);
  const end = offset + size;
  if (!MASK_SID_ACE_TYPES.has(type) && !OBJECT_ACE_TYPES.has(type)) {
    return { ace: { type, flags, body: Buffer.from(buf.subarray(offset + 4, end)) }, size };
  }
  let p = offset + 4;
  if (p + 4 > end) throw new FormatError(format, p, 'a 4-byte access mask inside the ACE', `AceSize ${size}`);
  const mask = buf.readUInt32LE(p);
  p += 4;
  if (!OBJECT_ACE_TYPES.has(type)) {
    // The SID is bounded by the ACE, not by the buffer: a SID running past AceSize is an error here.
    const sid = decodeSid(buf, p, end, format);
    p += sid.byteLength;
    const ace: Ace = { type, flags, mask, sid };
    if (p < end) ace.applicationData = Buffer.from(buf.subarray(p, end));
    return { ace, size };
  }
  if (p + 4 > end) throw new FormatError(format, p, 'the 4-byte object ACE Flags', `AceSize ${size}`);
  const objectFlags = buf.readUInt32LE(p);
  p += 4;
  let objectType: string | undefined;
  let inheritedObjectType: string | undefined;
  if (objectFlags & ACE_OBJECT_TYPE_PRESENT) {
    if (p + 16 > end) throw new FormatError(format, p, 'a 16-byte ObjectType GUID', `AceSize ${size}`);
    objectType = guidFromBytes(buf, p);
    p += 16;
  }
  if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
    if (p + 16 > end) throw new FormatError(format, p, 'a 16-byte InheritedObjectType GUID', `AceSize ${size}`);
    inheritedObjectType = guidFromBytes(buf, p);
    p += 16;
  }
  const sid = decodeSid(buf, p, end, format);
  p += sid.byteLength;
  const ace: Ace = { type, flags, mask, sid, objectFlags };
  if (objectType !== undefined) ace.objectType = objectType;
  if (inheritedObjectType !== undefined) ace.inheritedObjectType = inheritedObjectType;
  if (p < end) ace.applicationData = Buffer.from(buf.subarray(p, end));
  return { ace, size };
}

/** Writes the ACE at `offset`; returns the offset after it. */
export function encodeAce(ace: AnyAce, out: Buffer, offset: number): number {
  const end = writeAceBody(ace, out, offset);
  const size = end - offset;
  if (size > 0xffff) throw new RangeError(`ACE too large (${size} bytes)`);
  out.writeUInt16LE(size, offset + 2);
  return end;
}

function writeAceBody(ace: AnyAce, out: Buffer, offset: number): number {
  out[offset] = ace.type;
  out[offset + 1] = ace.flags;
  let p = offset + 4;
  if (isOpaqueAce(ace)) {
    ace.body.copy(out, p);
    return p + ace.body.length;
  }
  out.writeUInt32LE(ace.mask >>> 0, p);
  p += 4;
  if (isObjectAceType(ace.type)) {
    // Presence follows the GUIDs we hold; other bits of the Flags field are kept as they came.
    let objectFlags = (ace.objectFlags ?? 0) & ~(ACE_OBJECT_TYPE_PRESENT | ACE_INHERITED_OBJECT_TYPE_PRESENT);
    if (ace.objectType !== undefined) objectFlags |= ACE_OBJECT_TYPE_PRESENT;
    if (ace.inheritedObjectType !== undefined) objectFlags |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
    out.writeUInt32LE(objectFlags >>> 0, p);
    p += 4;
    for (const g of [ace.objectType, ace.inheritedObjectType]) {
      if (g !== undefined && !isGuidString(g)) throw new RangeError(`not a GUID: ${JSON.stringify(g)}`);
    }
    if (ace.objectType !== undefined) {
      guidToBytes(ace.objectType, out, p);
      p += 16;
    }
    if (ace.inheritedObjectType !== undefined) {
      guidToBytes(ace.inheritedObjectType, out, p);
      p += 16;
    }
  }
  p = ace.sid.writeTo(out, p);
  if (ace.applicationData) {
    ace.applicationData.copy(out, p);
    p += ace.applicationData.length;
  }
  return p;
}

export function cloneAce<T extends AnyAce>(ace: T): T {
  return { ...ace };
}

/** Same type, flags, mask, trustee, object GUIDs and trailing data. */
export function aceEquals(a: AnyAce, b: AnyAce): boolean {
  if (a.type !== b.type || a.flags !== b.flags) return false;
  if (isOpaqueAce(a) || isOpaqueAce(b)) return isOpaqueAce(a) && isOpaqueAce(b) && a.body.equals(b.body);
  const bufEq = (x?: Buffer, y?: Buffer) => (x ?? Buffer.alloc(0)).equals(y ?? Buffer.alloc(0));
  return (
    a.mask >>> 0 === b.mask >>> 0 &&
    a.sid.equals(b.sid) &&
    (a.objectFlags ?? 0) === (b.objectFlags ?? 0) &&
    a.objectType === b.objectType &&
    a.inheritedObjectType === b.inheritedObjectType &&
    bufEq(a.applicationData, b.applicationData)
  );
}
