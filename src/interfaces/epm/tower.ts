// Protocol towers (C706 App. L; MS-RPCE §2.2.1.2.2 twr_t, §3.1.3.5.3): floor_count, then per floor a
// left-hand side (protocol id + data) and a right-hand side. Port and IPv4 address floors are big-endian.
import { FormatError } from '../../util/errors.js';
import { NDR20_UUID, NDR20_VERSION } from '../../rpc/pdu/constants.js';
import type { SyntaxId } from '../../rpc/pdu/types.js';
import { uuidFromBytes, uuidToBytes } from '../../rpc/pdu/uuid.js';

/** Floor protocol identifiers (C706 App. L; 0x0F for named pipes per MS-RPCE §2.1.1.2). */
export const FLOOR = {
  UUID: 0x0d,
  NCACN: 0x0b,
  TCP: 0x07,
  UDP: 0x08,
  IP: 0x09,
  NAMED_PIPE: 0x0f,
  NETBIOS: 0x11,
  NAMED_PIPE_C706: 0x10,
} as const;

const TOWER = 'protocol tower';
/** twr_t tower_length is [range(0,2000)] (MS-RPCE §2.2.1.2.2). */
export const MAX_TOWER_LENGTH = 2000;

export interface Floor {
  lhs: Buffer;
  rhs: Buffer;
}

export interface Tower {
  interface: SyntaxId;
  transferSyntax: SyntaxId;
  protocol: 'ncacn_ip_tcp' | 'ncacn_np' | 'other';
  /** TCP port (ncacn_ip_tcp). */
  port?: number;
  /** IPv4 address (ncacn_ip_tcp). */
  address?: string;
  /** Pipe name (ncacn_np), e.g. `\PIPE\winreg`. */
  pipe?: string;
  /** NetBIOS host (ncacn_np). */
  host?: string;
  floors: Floor[];
}

function uuidFloor(s: SyntaxId): Floor {
  const lhs = Buffer.alloc(19);
  lhs[0] = FLOOR.UUID;
  uuidToBytes(s.uuid, lhs, 1);
  lhs.writeUInt16LE(s.version, 17);
  const rhs = Buffer.alloc(2);
  rhs.writeUInt16LE(s.minor, 0);
  return { lhs, rhs };
}

function cstring(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'latin1');
}

export type TowerEndpoint =
  | { protocol: 'ncacn_ip_tcp'; port: number; address: string }
  | { protocol: 'ncacn_np'; pipe: string; host: string };

export function buildTower(iface: SyntaxId, ep: TowerEndpoint): Buffer {
  const floors: Floor[] = [
    uuidFloor(iface),
    uuidFloor({ uuid: NDR20_UUID, version: NDR20_VERSION, minor: 0 }),
    { lhs: Buffer.from([FLOOR.NCACN]), rhs: Buffer.alloc(2) },
  ];
  if (ep.protocol === 'ncacn_ip_tcp') {
    const port = Buffer.alloc(2);
    port.writeUInt16BE(ep.port, 0);
    const ip = Buffer.from((ep.address || '0.0.0.0').split('.').map((x) => Number(x) & 0xff));
    floors.push({ lhs: Buffer.from([FLOOR.TCP]), rhs: port }, { lhs: Buffer.from([FLOOR.IP]), rhs: ip.length === 4 ? ip : Buffer.alloc(4) });
  } else {
    floors.push({ lhs: Buffer.from([FLOOR.NAMED_PIPE]), rhs: cstring(ep.pipe) }, { lhs: Buffer.from([FLOOR.NETBIOS]), rhs: cstring(ep.host) });
  }
  return encodeFloors(floors);
}

export function encodeFloors(floors: Floor[]): Buffer {
  let size = 2;
  for (const f of floors) size += 4 + f.lhs.length + f.rhs.length;
  const out = Buffer.alloc(size);
  out.writeUInt16LE(floors.length, 0);
  let o = 2;
  for (const f of floors) {
    out.writeUInt16LE(f.lhs.length, o);
    f.lhs.copy(out, o + 2);
    o += 2 + f.lhs.length;
    out.writeUInt16LE(f.rhs.length, o);
    f.rhs.copy(out, o + 2);
    o += 2 + f.rhs.length;
  }
  return out;
}

function syntaxOf(f: Floor | undefined, at: number): SyntaxId {
  if (!f || f.lhs.length !== 19 || f.lhs[0] !== FLOOR.UUID || f.rhs.length < 2) {
    throw new FormatError(TOWER, at, 'a UUID floor (0x0D, uuid, major; minor)');
  }
  return { uuid: uuidFromBytes(f.lhs, 1), version: f.lhs.readUInt16LE(17), minor: f.rhs.readUInt16LE(0) };
}

function cstr(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul < 0 ? b.length : nul);
}

/** Decodes tower octets; at most `maxFloors` floors (servers SHOULD refuse more than 6, MS-RPCE §3.1.3.5.3). */
export function decodeTower(buf: Buffer, maxFloors = 6): Tower {
  if (buf.length < 2) throw new FormatError(TOWER, 0, 'floor_count');
  const count = buf.readUInt16LE(0);
  if (count > maxFloors) throw new FormatError(TOWER, 0, `at most ${maxFloors} floors`, `got ${count}`);
  if (count < 3) throw new FormatError(TOWER, 0, 'at least 3 floors', `got ${count}`);
  const floors: Floor[] = [];
  let o = 2;
  for (let i = 0; i < count; i++) {
    if (o + 2 > buf.length) throw new FormatError(TOWER, o, `lhs length of floor ${i + 1}`);
    const ll = buf.readUInt16LE(o);
    if (o + 2 + ll + 2 > buf.length) throw new FormatError(TOWER, o, `${ll} lhs bytes of floor ${i + 1}`);
    const lhs = buf.subarray(o + 2, o + 2 + ll);
    o += 2 + ll;
    const rl = buf.readUInt16LE(o);
    if (o + 2 + rl > buf.length) throw new FormatError(TOWER, o, `${rl} rhs bytes of floor ${i + 1}`);
    const rhs = buf.subarray(o + 2, o + 2 + rl);
    o += 2 + rl;
    if (ll === 0) throw new FormatError(TOWER, o, `a protocol id in floor ${i + 1}`);
    floors.push({ lhs, rhs });
  }
  const t: Tower = { interface: syntaxOf(floors[0], 2), transferSyntax: syntaxOf(floors[1], 2), protocol: 'other', floors };
  const f4 = floors[3];
  const f5 = floors[4];
  if (f4?.lhs[0] === FLOOR.TCP) {
    t.protocol = 'ncacn_ip_tcp';
    if (f4.rhs.length >= 2) t.port = f4.rhs.readUInt16BE(0);
    if (f5?.lhs[0] === FLOOR.IP && f5.rhs.length >= 4) t.address = [...f5.rhs.subarray(0, 4)].join('.');
  } else if (f4?.lhs[0] === FLOOR.NAMED_PIPE || f4?.lhs[0] === FLOOR.NAMED_PIPE_C706) {
    t.protocol = 'ncacn_np';
    t.pipe = cstr(f4.rhs);
    if (f5?.lhs[0] === FLOOR.NETBIOS) t.host = cstr(f5.rhs);
  }
  return t;
}
