// UUIDs on the wire in the mixed-endian packet layout of MS-DTYP §2.3.4.2 (Data1..Data3 little-endian,
// Data4 as bytes), and their textual form (lower case).
import { UsageError } from '../../util/errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidToBytes(uuid: string, out: Buffer = Buffer.alloc(16), offset = 0): Buffer {
  if (!UUID_RE.test(uuid)) throw new UsageError(`not a UUID: ${JSON.stringify(uuid)}`);
  const hex = uuid.replace(/-/g, '');
  out.writeUInt32LE(parseInt(hex.slice(0, 8), 16), offset);
  out.writeUInt16LE(parseInt(hex.slice(8, 12), 16), offset + 4);
  out.writeUInt16LE(parseInt(hex.slice(12, 16), 16), offset + 6);
  Buffer.from(hex.slice(16), 'hex').copy(out, offset + 8);
  return out;
}

export function uuidFromBytes(buf: Buffer, offset = 0): string {
  const d1 = buf.readUInt32LE(offset).toString(16).padStart(8, '0');
  const d2 = buf.readUInt16LE(offset + 4).toString(16).padStart(4, '0');
  const d3 = buf.readUInt16LE(offset + 6).toString(16).padStart(4, '0');
  const d4 = buf.toString('hex', offset + 8, offset + 10);
  const d5 = buf.toString('hex', offset + 10, offset + 16);
  return `${d1}-${d2}-${d3}-${d4}-${d5}`;
}

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}
