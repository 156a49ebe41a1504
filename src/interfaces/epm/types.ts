// Endpoint mapper stubs (C706 App. O as redefined by MS-RPCE §2.2.1.2.4–§2.2.1.2.8), hand-written
// NDR 2.0 for the three operations we serve and call: ept_lookup (2), ept_map (3),
// ept_lookup_handle_free (4). Interface e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0.
import { FormatError } from '../../util/errors.js';
import { MAX_TOWER_LENGTH } from './tower.js';
import { STUB, StubReader, StubWriter } from './stub.js';

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
const REFERENT = 0x00020000;

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

function rangeCheck(r: StubReader, v: number, what: string): number {
  if (v > EPT_MAX_ENTRIES) throw new FormatError(STUB, r.pos - 4, `${what} in range(0,500)`, `got ${v}`);
  return v;
}

function writeTwr(w: StubWriter, tower: Buffer): void {
  // twr_t is a conformant structure: the array's max_count comes first (C706 §14.3.7.1)
  w.u32(tower.length);
  w.u32(tower.length);
  w.bytes(tower);
}

function readTwr(r: StubReader): Buffer {
  const max = r.u32('twr_t max_count');
  const len = r.u32('tower_length');
  if (len > MAX_TOWER_LENGTH) throw new FormatError(STUB, r.pos - 4, 'tower_length in range(0,2000)', `got ${len}`);
  if (max !== len) throw new FormatError(STUB, r.pos - 8, 'max_count equal to tower_length', `${max} vs ${len}`);
  return r.bytes(len, 'tower_octet_string');
}

function readHandle(r: StubReader): Buffer {
  r.align(4);
  return Buffer.from(r.bytes(20, 'ept_lookup_handle_t'));
}

// --- ept_lookup ---------------------------------------------------------------------------------

export function encode_ept_lookup_in(p: ept_lookup_in): Buffer {
  const w = new StubWriter();
  w.u32(p.inquiry_type);
  if (p.object === null) w.u32(0);
  else {
    w.u32(REFERENT);
    w.uuid(p.object);
  }
  if (p.Ifid === null) w.u32(0);
  else {
    w.u32(REFERENT + 4);
    w.uuid(p.Ifid.Uuid);
    w.u16(p.Ifid.VersMajor);
    w.u16(p.Ifid.VersMinor);
  }
  w.u32(p.vers_option);
  w.align(4);
  w.bytes(p.entry_handle);
  w.u32(p.max_ents);
  return w.finish();
}

export function decode_ept_lookup_in(stub: Buffer): ept_lookup_in {
  const r = new StubReader(stub);
  const inquiry_type = r.u32('inquiry_type');
  const object = r.u32('object referent') !== 0 ? r.uuid('object') : null;
  let Ifid: RPC_IF_ID | null = null;
  if (r.u32('Ifid referent') !== 0) Ifid = { Uuid: r.uuid('Ifid.Uuid'), VersMajor: r.u16('VersMajor'), VersMinor: r.u16('VersMinor') };
  const vers_option = r.u32('vers_option');
  const entry_handle = readHandle(r);
  const max_ents = rangeCheck(r, r.u32('max_ents'), 'max_ents');
  return { inquiry_type, object, Ifid, vers_option, entry_handle, max_ents };
}

export function encode_ept_lookup_out(p: ept_lookup_out, max_ents: number): Buffer {
  const w = new StubWriter();
  w.bytes(p.entry_handle);
  w.u32(p.entries.length);
  // [size_is(max_ents), length_is(*num_ents)] ept_entry_t entries[]: conformant-varying
  w.u32(max_ents);
  w.u32(0);
  w.u32(p.entries.length);
  p.entries.forEach((e, i) => {
    w.uuid(e.object);
    w.u32(e.tower ? REFERENT + 4 * i : 0);
    // [string] char annotation[64]: a varying string with its NUL
    const text = Buffer.from(`${e.annotation.slice(0, EPT_MAX_ANNOTATION_SIZE - 1)}\0`, 'latin1');
    w.u32(0);
    w.u32(text.length);
    w.bytes(text);
  });
  for (const e of p.entries) {
    if (!e.tower) continue;
    w.align(4);
    writeTwr(w, e.tower);
  }
  w.u32(p.status);
  return w.finish();
}

export function decode_ept_lookup_out(stub: Buffer): ept_lookup_out {
  const r = new StubReader(stub);
  const entry_handle = readHandle(r);
  const num = r.u32('num_ents');
  const max = r.u32('entries max_count');
  const offset = r.u32('entries offset');
  const actual = r.u32('entries actual_count');
  if (offset !== 0 || actual > max || actual !== num) {
    throw new FormatError(STUB, r.pos - 12, 'entries offset 0, actual_count = num_ents <= max_count', `max ${max} offset ${offset} actual ${actual} num ${num}`);
  }
  r.count(actual, 28, 'ept_entry_t elements');
  const entries: ept_entry_t[] = [];
  const hasTower: boolean[] = [];
  for (let i = 0; i < actual; i++) {
    const object = r.uuid('ept_entry_t.object');
    hasTower.push(r.u32('tower referent') !== 0);
    r.u32('annotation offset');
    const n = r.u32('annotation actual_count');
    if (n > EPT_MAX_ANNOTATION_SIZE) throw new FormatError(STUB, r.pos - 4, 'annotation of at most 64 chars', `got ${n}`);
    const text = r.bytes(n, 'annotation');
    const nul = text.indexOf(0);
    entries.push({ object, tower: null, annotation: text.toString('latin1', 0, nul < 0 ? n : nul) });
  }
  for (let i = 0; i < actual; i++) {
    if (!hasTower[i]) continue;
    r.align(4);
    entries[i]!.tower = Buffer.from(readTwr(r));
  }
  const status = r.u32('status');
  return { entry_handle, entries, status };
}

// --- ept_map ------------------------------------------------------------------------------------

export function encode_ept_map_in(p: ept_map_in): Buffer {
  const w = new StubWriter();
  if (p.obj === null) w.u32(0);
  else {
    w.u32(REFERENT);
    w.uuid(p.obj);
  }
  if (p.map_tower === null) w.u32(0);
  else {
    w.u32(REFERENT + 4);
    writeTwr(w, p.map_tower);
  }
  w.align(4);
  w.bytes(p.entry_handle);
  w.u32(p.max_towers);
  return w.finish();
}

export function decode_ept_map_in(stub: Buffer): ept_map_in {
  const r = new StubReader(stub);
  const obj = r.u32('obj referent') !== 0 ? r.uuid('obj') : null;
  const map_tower = r.u32('map_tower referent') !== 0 ? Buffer.from(readTwr(r)) : null;
  const entry_handle = readHandle(r);
  const max_towers = rangeCheck(r, r.u32('max_towers'), 'max_towers');
  return { obj, map_tower, entry_handle, max_towers };
}

export function encode_ept_map_out(p: ept_map_out, max_towers: number): Buffer {
  const w = new StubWriter();
  w.bytes(p.entry_handle);
  w.u32(p.towers.length);
  // [ptr, size_is(max_towers), length_is(*num_towers)] twr_p_t ITowers[]
  w.u32(max_towers);
  w.u32(0);
  w.u32(p.towers.length);
  p.towers.forEach((t, i) => w.u32(t ? REFERENT + 4 * i : 0));
  for (const t of p.towers) {
    if (!t) continue;
    w.align(4);
    writeTwr(w, t);
  }
  w.u32(p.status);
  return w.finish();
}

export function decode_ept_map_out(stub: Buffer): ept_map_out {
  const r = new StubReader(stub);
  const entry_handle = readHandle(r);
  const num = r.u32('num_towers');
  const max = r.u32('ITowers max_count');
  const offset = r.u32('ITowers offset');
  const actual = r.u32('ITowers actual_count');
  if (offset !== 0 || actual > max || actual !== num) {
    throw new FormatError(STUB, r.pos - 12, 'ITowers offset 0, actual_count = num_towers <= max_count', `max ${max} offset ${offset} actual ${actual} num ${num}`);
  }
  r.count(actual, 4, 'ITowers referents');
  const refs: number[] = [];
  for (let i = 0; i < actual; i++) refs.push(r.u32('ITowers referent'));
  const towers: (Buffer | null)[] = [];
  for (const ref of refs) {
    if (ref === 0) {
      towers.push(null);
      continue;
    }
    r.align(4);
    towers.push(Buffer.from(readTwr(r)));
  }
  const status = r.u32('status');
  return { entry_handle, towers, status };
}

// --- ept_lookup_handle_free ---------------------------------------------------------------------

export function decode_ept_lookup_handle_free_in(stub: Buffer): { entry_handle: Buffer } {
  return { entry_handle: readHandle(new StubReader(stub)) };
}

export function encode_ept_lookup_handle_free_out(status: number): Buffer {
  const w = new StubWriter();
  w.bytes(NULL_HANDLE);
  w.u32(status);
  return w.finish();
}

export { NULL_HANDLE };
