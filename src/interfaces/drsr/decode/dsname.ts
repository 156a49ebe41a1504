// Packed DSNAME inside an ATTRVAL (MS-DRSR §5.50, no NDR conformance) and SYNTAX_DISTNAME_BINARY
// (§5.16.2.3): a DSNAME padded to 4 bytes, then a u32 length and the binary/string data.
import { guidToString, NULL_GUID } from '../../../ndr/index.js';
import { Sid } from '../../../security/sid.js';
import { DrsError } from '../errors.js';

export interface PackedDsname {
  dn: string;
  guid: string | null;
  sid: string | null;
  /** Bytes the DSNAME occupies (structLen as read back). */
  size: number;
}

function fail(what: string): never {
  throw new DrsError('client', 0x57, `bad DSNAME value: ${what}`);
}

export function readPackedDsname(b: Buffer, off = 0): PackedDsname {
  if (off + 56 > b.length) fail('shorter than its 56-byte header');
  const structLen = b.readUInt32LE(off);
  const sidLen = b.readUInt32LE(off + 4);
  const nameLen = b.readUInt32LE(off + 52);
  if (sidLen > 28) fail(`SidLen ${sidLen}`);
  const end = off + 56 + 2 * nameLen;
  if (end > b.length) fail(`NameLen ${nameLen} beyond the value`);
  if (structLen > b.length - off) fail(`structLen ${structLen} beyond the value`);
  const g = guidToString(b, off + 8);
  let sid: string | null = null;
  if (sidLen >= 8) {
    try {
      sid = Sid.fromBinary(b.subarray(off + 24, off + 24 + sidLen)).toString();
    } catch {
      fail('bad SID');
    }
  }
  return { dn: b.toString('utf16le', off + 56, end), guid: g === NULL_GUID ? null : g, sid, size: Math.max(structLen, 56 + 2 * (nameLen + 1)) };
}

/** DN-Binary / DN-String payload: the DSNAME, then (4-aligned) dataLen u32 counting itself, then the data. */
export function readDistnameBinary(b: Buffer): { name: PackedDsname; data: Buffer } {
  const name = readPackedDsname(b, 0);
  const at = (name.size + 3) & ~3;
  if (at + 4 > b.length) fail('no data length after the DSNAME');
  const len = b.readUInt32LE(at);
  if (len < 4 || at + len > b.length) fail(`data length ${len}`);
  return { name, data: b.subarray(at + 4, at + len) };
}
