// SECURITY_DESCRIPTOR, self-relative form: MS-DTYP §2.4.6; SDDL in sddl.ts (MS-DTYP §2.5.1);
// SECURITY_INFORMATION subsets for Get/SetKeySecurity: MS-DTYP §2.4.7.
//
// The self-relative form lets the four parts sit in any order with gaps between them (Windows writes
// SACL, DACL, owner, group; Samba's NDR writes owner, group, SACL, DACL). A decoded descriptor keeps its
// layout (order, gap bytes, trailing bytes) so that toBinary() gives back the bytes it came from; a
// descriptor built in code is written in Samba's order, which is also what our differential test checks.

import { FormatError, UsageError } from '../util/errors.js';
import { SYSTEM_MANDATORY_LABEL_ACE_TYPE } from './ace.js';
import { Acl } from './acl.js';
import {
  DACL_CONTROL_BITS, DACL_SECURITY_INFORMATION, GROUP_SECURITY_INFORMATION, LABEL_SECURITY_INFORMATION,
  OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PROTECTED_SACL_SECURITY_INFORMATION,
  SACL_CONTROL_BITS, SACL_SECURITY_INFORMATION, SE_DACL_PRESENT, SE_DACL_PROTECTED, SE_GROUP_DEFAULTED,
  SE_OWNER_DEFAULTED, SE_SACL_PRESENT, SE_SACL_PROTECTED, SE_SELF_RELATIVE, UNPROTECTED_DACL_SECURITY_INFORMATION,
  UNPROTECTED_SACL_SECURITY_INFORMATION,
} from './control.js';
import { formatSddl, parseSddl, type SddlOptions } from './sddl.js';
import { Sid } from './sid.js';

const FORMAT = 'security descriptor';
const HEADER = 20;

type Part = 'owner' | 'group' | 'sacl' | 'dacl';
const DEFAULT_ORDER: readonly Part[] = ['owner', 'group', 'sacl', 'dacl'];
const FIELD_AT: Readonly<Record<Part, number>> = { owner: 4, group: 8, sacl: 12, dacl: 16 };

/** The decoded order, then any part it lacked (one added in code since) in NDR order. */
function completeOrder(order: readonly Part[]): readonly Part[] {
  if (order.length === 4) return order;
  return [...order, ...DEFAULT_ORDER.filter((p) => !order.includes(p))];
}

/** Where the parts sat in the bytes we decoded. */
interface Layout {
  order: Part[];
  /** Bytes between the end of the previous part (or the header) and the start of this one. */
  gaps: Partial<Record<Part, Buffer>>;
  tail?: Buffer;
}

export interface SecurityDescriptorInit {
  owner?: Sid;
  group?: Sid;
  /** undefined: no DACL (DP clear); null: a NULL DACL (DP set, no ACL); Acl: the DACL. */
  dacl?: Acl | null;
  sacl?: Acl | null;
  /** Extra control bits; SR, DP and SP are derived. */
  control?: number;
}

export class SecurityDescriptor {
  revision = 1;
  sbz1 = 0;
  /** SECURITY_DESCRIPTOR_CONTROL. SE_DACL_PRESENT and SE_SACL_PRESENT follow `dacl`/`sacl` when encoding. */
  control: number;
  owner?: Sid;
  group?: Sid;
  dacl?: Acl | null;
  sacl?: Acl | null;
  private layout?: Layout;

  constructor(init: SecurityDescriptorInit = {}) {
    if (init.owner) this.owner = init.owner;
    if (init.group) this.group = init.group;
    if (init.dacl !== undefined) this.dacl = init.dacl;
    if (init.sacl !== undefined) this.sacl = init.sacl;
    this.control = this.syncedControl((init.control ?? 0) | SE_SELF_RELATIVE);
  }

  /** Decodes a self-relative descriptor (MS-DTYP §2.4.6); every offset and count is checked against `buf`. */
  static fromBinary(buf: Buffer): SecurityDescriptor {
    if (buf.length < HEADER) throw new FormatError(FORMAT, 0, 'a 20-byte SECURITY_DESCRIPTOR header', `${buf.length} bytes`);
    const revision = buf[0]!;
    if (revision !== 1) throw new FormatError(FORMAT, 0, 'revision 1', `revision ${revision}`);
    const control = buf.readUInt16LE(2);
    const offsets: Record<Part, number> = {
      owner: buf.readUInt32LE(4),
      group: buf.readUInt32LE(8),
      sacl: buf.readUInt32LE(12),
      dacl: buf.readUInt32LE(16),
    };
    for (const part of DEFAULT_ORDER) {
      const off = offsets[part];
      if (off === 0) continue;
      if (off < HEADER || off >= buf.length) throw new FormatError(FORMAT, FIELD_AT[part], `an ${part} offset inside the descriptor (20..${buf.length - 1})`, `${off}`);
    }
    if (!(control & SE_DACL_PRESENT) && offsets.dacl !== 0) throw new FormatError(FORMAT, 16, 'OffsetDacl 0 when SE_DACL_PRESENT is clear', `${offsets.dacl}`);
    if (!(control & SE_SACL_PRESENT) && offsets.sacl !== 0) throw new FormatError(FORMAT, 12, 'OffsetSacl 0 when SE_SACL_PRESENT is clear', `${offsets.sacl}`);

    const sd = new SecurityDescriptor();
    sd.sbz1 = buf[1]!;
    sd.control = control;
    const spans: { part: Part; start: number; end: number }[] = [];
    if (offsets.owner) {
      sd.owner = Sid.fromBinary(buf, offsets.owner, FORMAT);
      spans.push({ part: 'owner', start: offsets.owner, end: offsets.owner + sd.owner.byteLength });
    }
    if (offsets.group) {
      sd.group = Sid.fromBinary(buf, offsets.group, FORMAT);
      spans.push({ part: 'group', start: offsets.group, end: offsets.group + sd.group.byteLength });
    }
    if (control & SE_SACL_PRESENT) {
      sd.sacl = offsets.sacl ? Acl.fromBinary(buf, offsets.sacl, FORMAT) : null;
      if (sd.sacl) spans.push({ part: 'sacl', start: offsets.sacl, end: offsets.sacl + buf.readUInt16LE(offsets.sacl + 2) });
    }
    if (control & SE_DACL_PRESENT) {
      sd.dacl = offsets.dacl ? Acl.fromBinary(buf, offsets.dacl, FORMAT) : null;
      if (sd.dacl) spans.push({ part: 'dacl', start: offsets.dacl, end: offsets.dacl + buf.readUInt16LE(offsets.dacl + 2) });
    }
    // Keep the layout unless parts overlap (then toBinary writes a canonical, non-overlapping form).
    spans.sort((a, b) => a.start - b.start);
    let prev = HEADER;
    const layout: Layout = { order: [], gaps: {} };
    for (const s of spans) {
      if (s.start < prev) return sd;
      layout.order.push(s.part);
      if (s.start > prev) layout.gaps[s.part] = Buffer.from(buf.subarray(prev, s.start));
      prev = s.end;
    }
    if (prev < buf.length) layout.tail = Buffer.from(buf.subarray(prev));
    sd.layout = layout;
    return sd;
  }

  /** MS-DTYP §2.5.1 SDDL → descriptor. Domain-relative aliases (DA, DU, LA…) need `options.domainSid`. */
  static fromSddl(text: string, options: SddlOptions = {}): SecurityDescriptor {
    return new SecurityDescriptor(parseSddl(text, options));
  }

  toSddl(options: SddlOptions = {}): string {
    return formatSddl(this, options);
  }

  /**
   * Self-relative bytes. By default in the layout the descriptor was decoded from (so decoding and
   * encoding gives the same bytes); `layout: 'ndr'` writes owner, group, SACL, DACL back to back, as
   * NDR (Samba, MS-RRP RPC_SECURITY_DESCRIPTOR payloads built by Samba) does.
   */
  toBinary(options: { layout?: 'kept' | 'ndr' } = {}): Buffer {
    const layout = options.layout === 'ndr' ? undefined : this.layout;
    const order = layout ? completeOrder(layout.order) : DEFAULT_ORDER;
    let size = HEADER + (layout?.tail?.length ?? 0);
    for (const part of order) {
      const v = this.part(part);
      if (v) size += v.byteLength + (layout?.gaps[part]?.length ?? 0);
    }
    // Every byte is written below (absent parts get offset 0), so the buffer need not be zeroed.
    const out = Buffer.allocUnsafe(size);
    out[0] = this.revision;
    out[1] = this.sbz1;
    out.writeUInt16LE(this.syncedControl(this.control), 2);
    out.writeUInt32LE(0, 4);
    out.writeUInt32LE(0, 8);
    out.writeUInt32LE(0, 12);
    out.writeUInt32LE(0, 16);
    let p = HEADER;
    for (const part of order) {
      const v = this.part(part);
      if (!v) continue;
      const gap = layout?.gaps[part];
      if (gap) p += gap.copy(out, p);
      out.writeUInt32LE(p, FIELD_AT[part]);
      p = v.writeTo(out, p);
    }
    if (layout?.tail) layout.tail.copy(out, p);
    return out;
  }

  /** A copy holding only the parts named in `securityInformation` (MS-DTYP §2.4.7), as GetKeySecurity returns. */
  subset(securityInformation: number): SecurityDescriptor {
    let control = SE_SELF_RELATIVE;
    const init: SecurityDescriptorInit = {};
    if (securityInformation & OWNER_SECURITY_INFORMATION) {
      if (this.owner) init.owner = this.owner;
      control |= this.control & SE_OWNER_DEFAULTED;
    }
    if (securityInformation & GROUP_SECURITY_INFORMATION) {
      if (this.group) init.group = this.group;
      control |= this.control & SE_GROUP_DEFAULTED;
    }
    if (securityInformation & DACL_SECURITY_INFORMATION) {
      if (this.dacl !== undefined) init.dacl = this.dacl === null ? null : this.dacl.clone();
      control |= this.control & DACL_CONTROL_BITS;
    }
    if (securityInformation & SACL_SECURITY_INFORMATION) {
      if (this.sacl !== undefined) init.sacl = this.sacl === null ? null : this.sacl.clone();
      control |= this.control & SACL_CONTROL_BITS;
    } else if (securityInformation & LABEL_SECURITY_INFORMATION && this.sacl) {
      // Only the mandatory label: what a caller without SeSecurityPrivilege may read of the SACL.
      const labels = this.sacl.aces.filter((a) => a.type === SYSTEM_MANDATORY_LABEL_ACE_TYPE).map((a) => ({ ...a }));
      init.sacl = new Acl(labels, this.sacl.revision);
      control |= this.control & SACL_CONTROL_BITS;
    }
    init.control = control;
    return new SecurityDescriptor(init);
  }

  /**
   * This descriptor with the parts named in `securityInformation` taken from `other` (SetKeySecurity,
   * MS-RRP §3.1.5.21). The PROTECTED_/UNPROTECTED_ bits set or clear the P flag of the DACL/SACL.
   * Re-applying inheritance from the parent after a DACL change is the caller's job (see inherit.ts).
   */
  merge(other: SecurityDescriptor, securityInformation: number): SecurityDescriptor {
    const out = this.clone();
    if (securityInformation & OWNER_SECURITY_INFORMATION) {
      if (!other.owner) throw new UsageError('OWNER_SECURITY_INFORMATION given but the new descriptor has no owner');
      out.owner = other.owner;
      out.control = (out.control & ~SE_OWNER_DEFAULTED) | (other.control & SE_OWNER_DEFAULTED);
    }
    if (securityInformation & GROUP_SECURITY_INFORMATION) {
      if (!other.group) throw new UsageError('GROUP_SECURITY_INFORMATION given but the new descriptor has no group');
      out.group = other.group;
      out.control = (out.control & ~SE_GROUP_DEFAULTED) | (other.control & SE_GROUP_DEFAULTED);
    }
    if (securityInformation & DACL_SECURITY_INFORMATION) {
      out.dacl = other.dacl === undefined || other.dacl === null ? other.dacl : other.dacl.clone();
      out.control = (out.control & ~DACL_CONTROL_BITS) | (other.control & DACL_CONTROL_BITS);
    }
    if (securityInformation & SACL_SECURITY_INFORMATION) {
      out.sacl = other.sacl === undefined || other.sacl === null ? other.sacl : other.sacl.clone();
      out.control = (out.control & ~SACL_CONTROL_BITS) | (other.control & SACL_CONTROL_BITS);
    } else if (securityInformation & LABEL_SECURITY_INFORMATION) {
      const keep = (out.sacl?.aces ?? []).filter((a) => a.type !== SYSTEM_MANDATORY_LABEL_ACE_TYPE);
      const labels = (other.sacl?.aces ?? []).filter((a) => a.type === SYSTEM_MANDATORY_LABEL_ACE_TYPE).map((a) => ({ ...a }));
      out.sacl = new Acl([...labels, ...keep], out.sacl?.revision);
    }
    if (securityInformation & PROTECTED_DACL_SECURITY_INFORMATION) out.control |= SE_DACL_PROTECTED;
    else if (securityInformation & UNPROTECTED_DACL_SECURITY_INFORMATION) out.control &= ~SE_DACL_PROTECTED;
    if (securityInformation & PROTECTED_SACL_SECURITY_INFORMATION) out.control |= SE_SACL_PROTECTED;
    else if (securityInformation & UNPROTECTED_SACL_SECURITY_INFORMATION) out.control &= ~SE_SACL_PROTECTED;
    out.control = out.syncedControl(out.control);
    out.layout = undefined;
    return out;
  }

  clone(): SecurityDescriptor {
    const c = new SecurityDescriptor();
    c.revision = this.revision;
    c.sbz1 = this.sbz1;
    c.control = this.control;
    if (this.owner) c.owner = this.owner;
    if (this.group) c.group = this.group;
    if (this.dacl !== undefined) c.dacl = this.dacl === null ? null : this.dacl.clone();
    if (this.sacl !== undefined) c.sacl = this.sacl === null ? null : this.sacl.clone();
    c.layout = this.layout;
    return c;
  }

  /** Same bytes when encoded in the same layout: compares meaning, not where the parts sit. */
  equals(other: SecurityDescriptor): boolean {
    return this.toBinary({ layout: 'ndr' }).equals(other.toBinary({ layout: 'ndr' }));
  }

  // Named loads (not this[part]): the descriptor's fields stay monomorphic property accesses.
  private part(part: Part): Sid | Acl | null | undefined {
    switch (part) {
      case 'owner':
        return this.owner;
      case 'group':
        return this.group;
      case 'sacl':
        return this.sacl;
      default:
        return this.dacl;
    }
  }

  private syncedControl(control: number): number {
    let c = control & ~(SE_DACL_PRESENT | SE_SACL_PRESENT);
    if (this.dacl !== undefined) c |= SE_DACL_PRESENT;
    if (this.sacl !== undefined) c |= SE_SACL_PRESENT;
    return c & 0xffff;
  }
}
