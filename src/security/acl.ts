// ACL: MS-DTYP §2.4.5. AclSize may cover more than the ACEs (Windows allocates ACLs with room to
// grow); those bytes are kept as `slack` so that decoding and re-encoding gives the same bytes.

import { FormatError } from '../util/errors.js';
import { aceByteLength, decodeAce, encodeAce, isObjectAceType, isOpaqueAce, type AnyAce } from './ace.js';

export const ACL_REVISION = 0x02; // MS-DTYP §2.4.5
export const ACL_REVISION_DS = 0x04;
const ACL_HEADER = 8;

export class Acl {
  revision: number;
  aces: AnyAce[];
  /** Reserved bytes, zero on the wire; kept only for exact round trips. */
  sbz1 = 0;
  sbz2 = 0;
  /** Bytes inside AclSize after the last ACE. */
  slack?: Buffer;

  /** Without a revision: 4 if any ACE is an object ACE (as Windows chooses), else 2. */
  constructor(aces: AnyAce[] = [], revision?: number) {
    this.aces = aces;
    this.revision = revision ?? Acl.revisionFor(aces);
  }

  static revisionFor(aces: readonly AnyAce[]): number {
    return aces.some((a) => isObjectAceType(a.type)) ? ACL_REVISION_DS : ACL_REVISION;
  }

  static fromBinary(buf: Buffer, offset = 0, format = 'ACL'): Acl {
    if (offset < 0 || offset + ACL_HEADER > buf.length) throw new FormatError(format, offset, 'an 8-byte ACL header', `${Math.max(0, buf.length - offset)} bytes left`);
    const revision = buf[offset]!;
    if (revision < 2 || revision > 4) throw new FormatError(format, offset, 'ACL revision 2 or 4', `revision ${revision}`);
    const size = buf.readUInt16LE(offset + 2);
    const count = buf.readUInt16LE(offset + 4);
    if (size < ACL_HEADER) throw new FormatError(format, offset + 2, 'an AclSize of at least 8', `${size}`);
    if (offset + size > buf.length) throw new FormatError(format, offset + 2, `an AclSize within the input (${buf.length - offset} bytes left)`, `${size}`);
    // Each ACE takes at least its 4-byte header: a count that cannot fit is a lie, found before any loop.
    if (count * 4 > size - ACL_HEADER) throw new FormatError(format, offset + 4, `an AceCount that fits in AclSize ${size}`, `${count}`);
    const acl = new Acl([], revision);
    acl.sbz1 = buf[offset + 1]!;
    acl.sbz2 = buf.readUInt16LE(offset + 6);
    const end = offset + size;
    let p = offset + ACL_HEADER;
    for (let i = 0; i < count; i++) {
      const { ace, size: aceSize } = decodeAce(buf, p, end, format);
      acl.aces.push(ace);
      p += aceSize;
    }
    if (p < end) acl.slack = Buffer.from(buf.subarray(p, end));
    return acl;
  }

  get byteLength(): number {
    let n = ACL_HEADER + (this.slack?.length ?? 0);
    for (const a of this.aces) n += aceByteLength(a);
    return n;
  }

  toBinary(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength); // writeTo writes every byte
    this.writeTo(out, 0);
    return out;
  }

  writeTo(out: Buffer, offset: number): number {
    if (this.aces.length > 0xffff) throw new RangeError('too many ACEs');
    out[offset] = this.revision;
    out[offset + 1] = this.sbz1;
    out.writeUInt16LE(this.aces.length, offset + 4);
    out.writeUInt16LE(this.sbz2, offset + 6);
    let p = offset + ACL_HEADER;
    for (const a of this.aces) p = encodeAce(a, out, p);
    if (this.slack) p += this.slack.copy(out, p);
    const size = p - offset;
    if (size > 0xffff) throw new RangeError(`ACL too large (${size} bytes)`);
    out.writeUInt16LE(size, offset + 2);
    return p;
  }

  clone(): Acl {
    const c = new Acl(this.aces.map((a) => (isOpaqueAce(a) ? { ...a } : { ...a })), this.revision);
    c.sbz1 = this.sbz1;
    c.sbz2 = this.sbz2;
    if (this.slack) c.slack = this.slack;
    return c;
  }
}
