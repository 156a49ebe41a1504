// Secret attributes of a GetNCChanges reply (checklist part 6): the session-key layer (MS-DRSR
// §4.1.10.6.17: MD5(session key + salt) -> RC4, CRC32 checked), the RID-keyed DES layer on password
// hashes ([MS-SAMR] §2.2.11.1.1-.3), and supplementalCredentials (USER_PROPERTIES, [MS-SAMR] §2.2.10).
import { createHash } from 'node:crypto';
import { crc32 } from '../../crypto/crc32.js';
import { desDecrypt, expandDesKey } from '../../crypto/des.js';
import { rc4 } from '../../crypto/rc4.js';
import { DrsSecretError } from './errors.js';

// IsSecretAttribute (§4.1.10.3.11), by lDAPDisplayName.
export const SECRET_ATTRIBUTES = new Set([
  'currentValue', 'dBCSPwd', 'initialAuthIncoming', 'initialAuthOutgoing', 'lmPwdHistory', 'ntPwdHistory', 'priorValue',
  'supplementalCredentials', 'trustAuthIncoming', 'trustAuthOutgoing', 'unicodePwd',
]);
/** Attributes whose clear value is still DES-encrypted under keys derived from the RID. */
export const RID_ENCRYPTED = new Set(['unicodePwd', 'dBCSPwd', 'ntPwdHistory', 'lmPwdHistory']);

/** Layer 1 (§4.1.10.6.17): Salt[16] | RC4(MD5(key + salt), CheckSum u32 | data). */
export function decryptSecretValue(sessionKey: Buffer, value: Buffer): Buffer {
  if (value.length < 20) throw new DrsSecretError(`encrypted secret value of ${value.length} bytes (at least 20 needed)`);
  const key = createHash('md5').update(sessionKey).update(value.subarray(0, 16)).digest();
  const plain = rc4(key, value.subarray(16));
  const data = plain.subarray(4);
  if ((crc32(data) >>> 0) !== plain.readUInt32LE(0)) {
    throw new DrsSecretError('secret value checksum mismatch (wrong session key?) (SEC_E_ALGORITHM_MISMATCH)');
  }
  return data;
}

function ridKeys(rid: number): [Buffer, Buffer] {
  const i = Buffer.alloc(4);
  i.writeUInt32LE(rid >>> 0);
  const k1 = Buffer.from([i[0]!, i[1]!, i[2]!, i[3]!, i[0]!, i[1]!, i[2]!]);
  const k2 = Buffer.from([i[3]!, i[0]!, i[1]!, i[2]!, i[3]!, i[0]!, i[1]!]);
  return [expandDesKey(k1), expandDesKey(k2)];
}

/** Layer 2 ([MS-SAMR] §2.2.11.1.1/.3): each 16-byte block is two DES-ECB blocks under the RID keys. */
export function removeRidDes(rid: number, data: Buffer): Buffer {
  if (rid === 0) throw new DrsSecretError('RID-encrypted secret on an object without a RID');
  if (data.length % 16 !== 0) throw new DrsSecretError(`RID-encrypted secret of ${data.length} bytes (not a multiple of 16)`);
  const [k1, k2] = ridKeys(rid);
  const out = Buffer.alloc(data.length);
  for (let p = 0; p < data.length; p += 16) {
    desDecrypt(k1, data.subarray(p, p + 8)).copy(out, p);
    desDecrypt(k2, data.subarray(p + 8, p + 16)).copy(out, p + 8);
  }
  return out;
}

/** Both layers for one value of attribute `name` of the object whose RID is `rid`. */
export function decryptAttribute(name: string, sessionKey: Buffer, rid: number, value: Buffer): Buffer {
  const clear = decryptSecretValue(sessionKey, value);
  return RID_ENCRYPTED.has(name) ? removeRidDes(rid, clear) : clear;
}

/** n x 16-byte hashes (ntPwdHistory, lmPwdHistory) as hex strings. */
export function splitHashes(b: Buffer): string[] {
  const out: string[] = [];
  for (let p = 0; p + 16 <= b.length; p += 16) out.push(b.subarray(p, p + 16).toString('hex'));
  return out;
}

export interface KerberosKey {
  keyType: number;
  /** RFC 3961 name when known. */
  type: string;
  key: string;
  iterationCount?: number;
}

export interface SupplementalCredentials {
  kerberosKeys: KerberosKey[];
  kerberosSalt?: string;
  cleartext?: string;
  wdigest?: string[];
  packages?: string[];
  /** Properties we do not interpret, name -> hex. */
  other: Record<string, string>;
}

const ENCTYPE: Record<number, string> = {
  1: 'des-cbc-crc', 3: 'des-cbc-md5', 17: 'aes128-cts-hmac-sha1-96', 18: 'aes256-cts-hmac-sha1-96', 23: 'rc4-hmac', [-140]: 'rc4-hmac-old',
};

function bad(what: string): never {
  throw new DrsSecretError(`supplementalCredentials: ${what}`);
}

function slice(b: Buffer, off: number, len: number, what: string): Buffer {
  if (off < 0 || len < 0 || off + len > b.length) bad(`${what} outside the blob`);
  return b.subarray(off, off + len);
}

// KERB_STORED_CREDENTIAL_NEW (rev 4, 24-byte key entries) or KERB_STORED_CREDENTIAL (rev 3, 20-byte entries).
function parseKerberos(b: Buffer, out: SupplementalCredentials): void {
  if (b.length < 16) bad('short Kerberos property');
  const rev = b.readUInt16LE(0);
  if (rev !== 3 && rev !== 4) bad(`Kerberos property revision ${rev}`);
  const count = b.readUInt16LE(4);
  const saltLen = rev === 4 ? b.readUInt16LE(12) : b.readUInt16LE(8);
  const saltOff = rev === 4 ? b.readUInt32LE(16) : b.readUInt32LE(12);
  const iterDefault = rev === 4 ? b.readUInt32LE(20) : undefined;
  const base = rev === 4 ? 24 : 16;
  const size = rev === 4 ? 24 : 20;
  if (base + count * size > b.length) bad('Kerberos key count larger than the property');
  if (saltLen) out.kerberosSalt = slice(b, saltOff, saltLen, 'salt').toString('utf16le');
  for (let i = 0; i < count; i++) {
    const e = base + i * size;
    const iter = rev === 4 ? b.readUInt32LE(e + 8) : undefined;
    const keyType = b.readInt32LE(e + (rev === 4 ? 12 : 8));
    const keyLen = b.readUInt32LE(e + (rev === 4 ? 16 : 12));
    const keyOff = b.readUInt32LE(e + (rev === 4 ? 20 : 16));
    const k: KerberosKey = { keyType, type: ENCTYPE[keyType] ?? `etype-${keyType}`, key: slice(b, keyOff, keyLen, 'key').toString('hex') };
    if (iter !== undefined) k.iterationCount = iter || iterDefault!;
    if (!out.kerberosKeys.some((x) => x.keyType === k.keyType && x.key === k.key)) out.kerberosKeys.push(k);
  }
}

/** USER_PROPERTIES ([MS-SAMR] §2.2.10.1): a 112-byte header then (NameLength, ValueLength, Reserved, name, hex value) records. */
export function parseSupplementalCredentials(b: Buffer): SupplementalCredentials {
  const out: SupplementalCredentials = { kerberosKeys: [], other: {} };
  if (b.length < 112) {
    if (b.length >= 8 && b.readUInt32LE(4) === 0) return out; // no properties (Length 0)
    bad(`${b.length}-byte blob (header is 112)`);
  }
  const length = b.readUInt32LE(4);
  if (length + 12 > b.length) bad('Length larger than the blob');
  if (b.readUInt16LE(108) !== 0x50) bad('PropertySignature is not 0x50');
  const count = b.readUInt16LE(110);
  let p = 112;
  for (let i = 0; i < count; i++) {
    if (p + 6 > b.length) bad('property header outside the blob');
    const nameLen = b.readUInt16LE(p);
    const valueLen = b.readUInt16LE(p + 2);
    const name = slice(b, p + 6, nameLen, 'property name').toString('utf16le');
    const hex = slice(b, p + 6 + nameLen, valueLen, 'property value').toString('latin1');
    p += 6 + nameLen + valueLen;
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) bad(`property ${name} is not hex`);
    const v = Buffer.from(hex, 'hex');
    if (name === 'Primary:Kerberos-Newer-Keys' || name === 'Primary:Kerberos') parseKerberos(v, out);
    else if (name === 'Primary:CLEARTEXT') out.cleartext = v.toString('utf16le');
    else if (name === 'Packages') out.packages = v.toString('utf16le').split('\0').filter(Boolean);
    else if (name === 'Primary:WDigest') {
      // WDIGEST_CREDENTIALS: 16-byte header (NumberOfHashes at 3), then 16-byte MD5 hashes
      const n = v.length >= 16 ? v[3]! : 0;
      out.wdigest = splitHashes(v.subarray(16, 16 + 16 * n));
    } else out.other[name] = v.toString('hex');
  }
  return out;
}
