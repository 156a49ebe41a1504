// The security descriptor a writer gives keys that bring none of their own (MS-DTYP §2.4.6,
// self-relative): owner and group BUILTIN\Administrators; DACL: SYSTEM and Administrators full
// control, Everyone read, all inherited by subkeys.

const KEY_ALL_ACCESS = 0xf003f;
const KEY_READ = 0x20019;
const CONTAINER_INHERIT_ACE = 0x02;
const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;

// MS-DTYP §2.4.2.2
function sid(authority: number, ...subs: number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b[7] = authority;
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}

// MS-DTYP §2.4.4.2 ACCESS_ALLOWED_ACE
function allow(mask: number, who: Buffer): Buffer {
  const b = Buffer.alloc(8 + who.length);
  b[0] = 0;
  b[1] = CONTAINER_INHERIT_ACE;
  b.writeUInt16LE(b.length, 2);
  b.writeUInt32LE(mask, 4);
  who.copy(b, 8);
  return b;
}

export function defaultSecurityDescriptor(): Buffer {
  const admins = sid(5, 32, 544);
  const system = sid(5, 18);
  const everyone = sid(1, 0);
  const aces = Buffer.concat([allow(KEY_ALL_ACCESS, system), allow(KEY_ALL_ACCESS, admins), allow(KEY_READ, everyone)]);
  // MS-DTYP §2.4.5 ACL header
  const acl = Buffer.alloc(8);
  acl[0] = 2;
  acl.writeUInt16LE(8 + aces.length, 2);
  acl.writeUInt16LE(3, 4);
  // MS-DTYP §2.4.6 SECURITY_DESCRIPTOR: owner, group, then DACL
  const head = Buffer.alloc(20);
  head[0] = 1;
  head.writeUInt16LE(SE_DACL_PRESENT | SE_SELF_RELATIVE, 2);
  head.writeUInt32LE(20, 4);
  head.writeUInt32LE(20 + admins.length, 8);
  head.writeUInt32LE(0, 12);
  head.writeUInt32LE(20 + 2 * admins.length, 16);
  return Buffer.concat([head, admins, admins, acl, aces]);
}
