import { describe, expect, it } from 'vitest';
import {
  ACCESS_ALLOWED_OBJECT_ACE_TYPE, Acl, DACL_SECURITY_INFORMATION, FAILED_ACCESS_ACE_FLAG, GROUP_SECURITY_INFORMATION,
  INHERITED_ACE, isOpaqueAce, LABEL_SECURITY_INFORMATION, OWNER_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION,
  SACL_SECURITY_INFORMATION, SE_DACL_AUTO_INHERITED, SE_DACL_PRESENT, SE_DACL_PROTECTED, SE_SACL_PRESENT,
  SE_SELF_RELATIVE, SecurityDescriptor, Sid, SYSTEM_AUDIT_ACE_TYPE, type Ace,
} from '../../src/security/index.js';
import { fixture } from './helpers.js';

const FIXTURES = ['msdtyp-2.5.1.4.hex', 'msdrsr-5.16.3.16.hex', 'samba-registry-hklm-software.hex'];

describe('SecurityDescriptor binary (MS-DTYP §2.4.6)', () => {
  it.each(FIXTURES)('%s decodes and re-encodes byte for byte', (name) => {
    const bytes = fixture(name);
    const sd = SecurityDescriptor.fromBinary(bytes);
    expect(sd.toBinary().equals(bytes)).toBe(true);
    // a copy that forgets the layout still means the same
    expect(SecurityDescriptor.fromBinary(sd.toBinary()).equals(sd)).toBe(true);
  });

  it('reads the MS-DTYP §2.5.1.4 example as the SDDL it was made from', () => {
    const sd = SecurityDescriptor.fromBinary(fixture('msdtyp-2.5.1.4.hex'));
    expect(sd.control).toBe(0xb014);
    expect(sd.owner!.toString()).toBe('S-1-5-32-544');
    expect(sd.dacl!.revision).toBe(2);
    expect(sd.dacl!.aces).toHaveLength(4);
    const audit = sd.sacl!.aces[0] as Ace;
    expect(audit.type).toBe(SYSTEM_AUDIT_ACE_TYPE);
    expect(audit.flags).toBe(FAILED_ACCESS_ACE_FLAG);
    expect(audit.mask >>> 0).toBe(0x80000000);
    expect(sd.toSddl()).toBe('O:BAG:BAD:P(A;OICI;GRGX;;;BU)(A;OICI;GA;;;BA)(A;OICI;GA;;;SY)(A;OICI;GA;;;CO)S:P(AU;FA;GR;;;WD)');
    // The spec's SDDL says CIOI; the order of flag letters does not matter.
    const fromText = SecurityDescriptor.fromSddl('O:BAG:BAD:P(A;CIOI;GRGX;;;BU)(A;CIOI;GA;;;BA)(A;CIOI;GA;;;SY)(A;CIOI;GA;;;CO)S:P(AU;FA;GR;;;WD)');
    expect(fromText.equals(sd)).toBe(true);
  });

  it('reads the MS-DRSR object ACE', () => {
    const sd = SecurityDescriptor.fromBinary(fixture('msdrsr-5.16.3.16.hex'));
    expect(sd.control & SE_DACL_AUTO_INHERITED).toBeTruthy();
    expect(sd.dacl!.revision).toBe(4);
    const obj = sd.dacl!.aces[0] as Ace;
    expect(obj.type).toBe(ACCESS_ALLOWED_OBJECT_ACE_TYPE);
    expect(obj.objectType).toBe('ab721a53-1e2f-11d0-9819-00aa0040529b'); // Change Password, per the spec's listing
    expect(obj.inheritedObjectType).toBeUndefined();
    expect(obj.sid.toString()).toBe('S-1-5-10');
    expect(sd.dacl!.aces[1]!.flags).toBe(0x12);
    // the spec's own listing of these bytes: Owner/Group S-1-483723680-1502823704-512, control 0x8c04
    expect(sd.owner!.toString()).toBe('S-1-483723680-1502823704-512');
    expect(sd.control).toBe(0x8c04);
    expect(sd.toSddl()).toBe(
      'O:S-1-483723680-1502823704-512G:S-1-483723680-1502823704-512D:AI(OA;;CR;ab721a53-1e2f-11d0-9819-00aa0040529b;;PS)' +
        '(A;CIID;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;CIID;LCRPLORC;;;AU)', // SI without a SACL has no SDDL form (Samba drops it too)
    );
  });

  it('writes a new descriptor in NDR order (owner, group, SACL, DACL) with SR, DP, SP', () => {
    const sd = SecurityDescriptor.fromSddl('O:BAG:SYD:(A;;KA;;;BA)S:(AU;SA;KA;;;WD)');
    const b = sd.toBinary();
    expect(b.readUInt16LE(2)).toBe(SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_SACL_PRESENT);
    const [owner, group, sacl, dacl] = [4, 8, 12, 16].map((o) => b.readUInt32LE(o));
    expect(owner).toBe(20);
    expect(group).toBe(36);
    expect(sacl).toBe(48);
    expect(dacl).toBeGreaterThan(sacl!);
    expect(dacl! + b.readUInt16LE(dacl! + 2)).toBe(b.length);
  });

  it('keeps gaps, ACE padding and ACL slack of what it decoded', () => {
    const base = SecurityDescriptor.fromSddl('O:BAD:(A;;KA;;;SY)').toBinary();
    // owner at 24 (4 zero-ish gap bytes), DACL with 8 bytes of slack and an ACE with 4 bytes of padding
    const owner = base.subarray(20, 36);
    const dacl = Buffer.from(base.subarray(36));
    const ace = Buffer.concat([dacl.subarray(8), Buffer.from('a1a2a3a4', 'hex')]);
    ace.writeUInt16LE(ace.length, 2);
    const acl = Buffer.concat([dacl.subarray(0, 8), ace, Buffer.from('0000000000000000', 'hex')]);
    acl.writeUInt16LE(acl.length, 2);
    const hdr = Buffer.from(base.subarray(0, 20));
    hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(24 + 16, 16);
    const odd = Buffer.concat([hdr, Buffer.from('deadbeef', 'hex'), owner, acl, Buffer.from('ff', 'hex')]);
    const sd = SecurityDescriptor.fromBinary(odd);
    expect((sd.dacl!.aces[0] as Ace).applicationData!.toString('hex')).toBe('a1a2a3a4');
    expect(sd.dacl!.slack!.length).toBe(8);
    expect(sd.toBinary().equals(odd)).toBe(true);
  });

  it('tells a NULL DACL from an empty one and from none', () => {
    const nul = SecurityDescriptor.fromSddl('O:BAD:NO_ACCESS_CONTROL');
    expect(nul.dacl).toBeNull();
    const nb = nul.toBinary();
    expect(nb.readUInt16LE(2) & SE_DACL_PRESENT).toBeTruthy();
    expect(nb.readUInt32LE(16)).toBe(0);
    expect(SecurityDescriptor.fromBinary(nb).dacl).toBeNull();
    expect(nul.toSddl()).toBe('O:BAD:NO_ACCESS_CONTROL');
    const empty = SecurityDescriptor.fromSddl('O:BAD:');
    expect(empty.dacl!.aces).toHaveLength(0);
    expect(SecurityDescriptor.fromBinary(empty.toBinary()).dacl!.aces).toHaveLength(0);
    const none = SecurityDescriptor.fromSddl('O:BA');
    expect(none.dacl).toBeUndefined();
    expect(none.toBinary().readUInt16LE(2) & SE_DACL_PRESENT).toBe(0);
  });

  it('keeps unknown ACE types opaque', () => {
    const sd = SecurityDescriptor.fromSddl('D:(A;;KA;;;SY)');
    const b = sd.toBinary();
    b[28] = 0x42; // ACE type of the only ACE
    const back = SecurityDescriptor.fromBinary(b);
    expect(isOpaqueAce(back.dacl!.aces[0]!)).toBe(true);
    expect(back.toBinary().equals(b)).toBe(true);
  });
});

describe('subset and merge (MS-DTYP §2.4.7)', () => {
  const full = SecurityDescriptor.fromSddl('O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CIID;KR;;;BU)S:AI(AU;SA;KA;;;WD)(ML;;NW;;;LW)');

  it('subset keeps only the parts asked for, with their control bits', () => {
    const d = full.subset(DACL_SECURITY_INFORMATION);
    expect(d.owner).toBeUndefined();
    expect(d.group).toBeUndefined();
    expect(d.sacl).toBeUndefined();
    expect(d.toSddl()).toBe('D:PAI(A;CI;KA;;;BA)(A;CIID;KR;;;BU)');
    expect(d.control & SE_DACL_PROTECTED).toBeTruthy();
    expect(full.subset(OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION).toSddl()).toBe('O:BAG:SY');
    expect(full.subset(SACL_SECURITY_INFORMATION).toSddl()).toBe('S:AI(AU;SA;KA;;;WD)(ML;;NW;;;LW)');
    expect(full.subset(LABEL_SECURITY_INFORMATION).toSddl()).toBe('S:AI(ML;;NW;;;LW)');
    expect(full.subset(0).toSddl()).toBe('');
  });

  it('merge replaces the parts named, keeps the rest', () => {
    const incoming = SecurityDescriptor.fromSddl('O:S-1-5-21-1-2-3-1000D:(A;;KR;;;WD)');
    const m = full.merge(incoming, DACL_SECURITY_INFORMATION);
    expect(m.toSddl()).toBe('O:BAG:SYD:(A;;KR;;;WD)S:AI(AU;SA;KA;;;WD)(ML;;NW;;;LW)');
    const o = full.merge(incoming, OWNER_SECURITY_INFORMATION);
    expect(o.owner!.toString()).toBe('S-1-5-21-1-2-3-1000');
    expect(o.toSddl()).toContain('D:PAI(A;CI;KA;;;BA)');
    const p = full.merge(incoming, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION);
    expect(p.toSddl()).toBe('O:BAG:SYD:P(A;;KR;;;WD)S:AI(AU;SA;KA;;;WD)(ML;;NW;;;LW)');
    expect(() => full.merge(SecurityDescriptor.fromSddl('D:'), OWNER_SECURITY_INFORMATION)).toThrow(/no owner/);
    // the original is untouched
    expect(full.toSddl()).toBe('O:BAG:SYD:PAI(A;CI;KA;;;BA)(A;CIID;KR;;;BU)S:AI(AU;SA;KA;;;WD)(ML;;NW;;;LW)');
  });

  it('an Acl built in code picks revision 4 only for object ACEs', () => {
    const plain = new Acl([{ type: 0, flags: INHERITED_ACE, mask: 1, sid: Sid.parse('S-1-1-0') }]);
    expect(plain.revision).toBe(2);
    const obj = new Acl([{ type: 5, flags: 0, mask: 1, sid: Sid.parse('S-1-1-0'), objectType: 'ab721a53-1e2f-11d0-9819-00aa0040529b' }]);
    expect(obj.revision).toBe(4);
    expect(Acl.fromBinary(obj.toBinary()).aces[0]).toMatchObject({ objectType: 'ab721a53-1e2f-11d0-9819-00aa0040529b', objectFlags: 1 });
  });
});
