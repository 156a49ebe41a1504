// Endpoint mapper IDL (C706 App. O as redefined by MS-RPCE §2.2.1.2.2–§2.2.1.2.11) in NDR 2.0
// descriptions, for the three operations we serve and call: ept_lookup (2), ept_map (3),
// ept_lookup_handle_free (4). Interface e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0.
import {
  char,
  conformantArray,
  conformantVaryingArray,
  contextHandle,
  full,
  GUID,
  operation,
  range,
  ref,
  struct,
  u16,
  u32,
  u8,
  varyingString,
  type ContextHandle,
} from '../../ndr/index.js';
import { uuidFromBytes, uuidToBytes } from '../../rpc/pdu/uuid.js';

export const EPM_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
export const EPM_SYNTAX = { uuid: EPM_UUID, version: 3, minor: 0 };
export const EPM_PORT = 135;

export const OP_ept_lookup = 2;
export const OP_ept_map = 3;
export const OP_ept_lookup_handle_free = 4;

/** inquiry_type (MS-RPCE §2.2.1.2.4). */
export const RPC_C_EP_ALL_ELTS = 0;
export const RPC_C_EP_MATCH_BY_IF = 1;
export const RPC_C_EP_MATCH_BY_OBJ = 2;
export const RPC_C_EP_MATCH_BY_BOTH = 3;
/** vers_option (MS-RPCE §2.2.1.2.4). */
export const RPC_C_VERS_ALL = 1;
export const RPC_C_VERS_COMPATIBLE = 2;
export const RPC_C_VERS_EXACT = 3;
export const RPC_C_VERS_MAJOR_ONLY = 4;
export const RPC_C_VERS_UPTO = 5;

/** ept_max_annotation_size (C706 App. O). */
export const EPT_MAX_ANNOTATION_SIZE = 64;
/** [range(0,500)] on max_ents / max_towers. */
export const EPT_MAX_ENTRIES = 500;

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const NULL_HANDLE: Buffer = Buffer.alloc(20);

/** RPC_IF_ID (MS-RPCE §2.2.1.1.1). */
export interface RPC_IF_ID {
  Uuid: string;
  VersMajor: number;
  VersMinor: number;
}

export interface ept_lookup_in {
  inquiry_type: number;
  object: string | null;
  Ifid: RPC_IF_ID | null;
  vers_option: number;
  entry_handle: Buffer;
  max_ents: number;
}

/** ept_entry_t (C706 App. O). */
export interface ept_entry_t {
  object: string;
  tower: Buffer | null;
  annotation: string;
}

export interface ept_lookup_out {
  entry_handle: Buffer;
  entries: ept_entry_t[];
  status: number;
}

export interface ept_map_in {
  obj: string | null;
  map_tower: Buffer | null;
  entry_handle: Buffer;
  max_towers: number;
}

export interface ept_map_out {
  entry_handle: Buffer;
  towers: (Buffer | null)[];
  status: number;
}


export const twr_t = struct({ // MS-RPCE §2.2.1.2.2
  tower_length: range(u32, 0, 2000),
  tower_octet_string: conformantArray(u8, { size: 'tower_length' }),
});
export const ept_lookup_handle_t = contextHandle(); // MS-RPCE §2.2.1.2.11
export const ept_entry_t_ndr = struct({ // C706 App. O
  object: GUID,
  tower: full(twr_t),
  annotation: varyingString(char, EPT_MAX_ANNOTATION_SIZE),
});
export const RPC_IF_ID_ndr = struct({ Uuid: GUID, VersMajor: u16, VersMinor: u16 }); // MS-RPCE §2.2.1.1.1

export const ept_lookup = operation(OP_ept_lookup, { // MS-RPCE §2.2.1.2.4
  in: { inquiry_type: u32, object: full(GUID), Ifid: full(RPC_IF_ID_ndr), vers_option: u32, entry_handle: ref(ept_lookup_handle_t), max_ents: range(u32, 0, EPT_MAX_ENTRIES) },
  out: {
    entry_handle: ref(ept_lookup_handle_t),
    num_ents: ref(u32),
    entries: conformantVaryingArray(ept_entry_t_ndr, { size: 'max_ents', length: '*num_ents' }),
    status: ref(u32),
  },
});

export const ept_map = operation(OP_ept_map, { // MS-RPCE §2.2.1.2.5
  in: { obj: full(GUID), map_tower: full(twr_t), entry_handle: ref(ept_lookup_handle_t), max_towers: range(u32, 0, EPT_MAX_ENTRIES) },
  out: {
    entry_handle: ref(ept_lookup_handle_t),
    num_towers: ref(u32),
    ITowers: conformantVaryingArray(full(twr_t), { size: 'max_towers', length: '*num_towers' }),
    status: ref(u32),
  },
});

export const ept_lookup_handle_free = operation(OP_ept_lookup_handle_free, { // MS-RPCE §2.2.1.2.8
  in: { entry_handle: ref(ept_lookup_handle_t) },
  out: { entry_handle: ref(ept_lookup_handle_t), status: ref(u32) },
});

// Context handles travel as 20-byte Buffers in the RPC layer's handle table.
function toHandle(b: Buffer): ContextHandle {
  return { attributes: b.readUInt32LE(0), uuid: uuidFromBytes(b, 4) };
}
function fromHandle(h: ContextHandle): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(h.attributes >>> 0, 0);
  uuidToBytes(h.uuid, b, 4);
  return b;
}
function twr(tower: Buffer): { tower_length: number; tower_octet_string: Buffer } {
  return { tower_length: tower.length, tower_octet_string: tower };
}

// --- ept_lookup ---------------------------------------------------------------------------------

export function encode_ept_lookup_in(p: ept_lookup_in): Buffer {
  return ept_lookup.encodeRequest({ ...p, entry_handle: toHandle(p.entry_handle) });
}

export function decode_ept_lookup_in(stub: Buffer): ept_lookup_in {
  const v = ept_lookup.decodeRequest(stub);
  return { ...v, entry_handle: fromHandle(v.entry_handle) };
}

export function encode_ept_lookup_out(p: ept_lookup_out, max_ents: number): Buffer {
  const entries = p.entries.map((e) => ({ object: e.object, tower: e.tower ? twr(e.tower) : null, annotation: e.annotation.slice(0, EPT_MAX_ANNOTATION_SIZE - 1) }));
  return ept_lookup.encodeResponse(
    { entry_handle: toHandle(p.entry_handle), num_ents: entries.length, entries, status: p.status },
    { max_ents },
  );
}

export function decode_ept_lookup_out(stub: Buffer): ept_lookup_out {
  const v = ept_lookup.decodeResponse(stub);
  return {
    entry_handle: fromHandle(v.entry_handle),
    entries: v.entries.map((e) => ({ object: e.object, tower: e.tower ? Buffer.from(e.tower.tower_octet_string) : null, annotation: e.annotation })),
    status: v.status,
  };
}

// --- ept_map ------------------------------------------------------------------------------------

export function encode_ept_map_in(p: ept_map_in): Buffer {
  return ept_map.encodeRequest({ obj: p.obj, map_tower: p.map_tower ? twr(p.map_tower) : null, entry_handle: toHandle(p.entry_handle), max_towers: p.max_towers });
}

export function decode_ept_map_in(stub: Buffer): ept_map_in {
  const v = ept_map.decodeRequest(stub);
  return { obj: v.obj, map_tower: v.map_tower ? Buffer.from(v.map_tower.tower_octet_string) : null, entry_handle: fromHandle(v.entry_handle), max_towers: v.max_towers };
}

export function encode_ept_map_out(p: ept_map_out, max_towers: number): Buffer {
  return ept_map.encodeResponse(
    { entry_handle: toHandle(p.entry_handle), num_towers: p.towers.length, ITowers: p.towers.map((t) => (t ? twr(t) : null)), status: p.status },
    { max_towers },
  );
}

export function decode_ept_map_out(stub: Buffer): ept_map_out {
  const v = ept_map.decodeResponse(stub);
  return {
    entry_handle: fromHandle(v.entry_handle),
    towers: v.ITowers.map((t) => (t ? Buffer.from(t.tower_octet_string) : null)),
    status: v.status,
  };
}

// --- ept_lookup_handle_free ---------------------------------------------------------------------

export function decode_ept_lookup_handle_free_in(stub: Buffer): { entry_handle: Buffer } {
  return { entry_handle: fromHandle(ept_lookup_handle_free.decodeRequest(stub).entry_handle) };
}

export function encode_ept_lookup_handle_free_out(status: number): Buffer {
  return ept_lookup_handle_free.encodeResponse({ entry_handle: toHandle(NULL_HANDLE), status });
}

export { NULL_HANDLE };
