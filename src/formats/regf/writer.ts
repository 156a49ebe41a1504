// regf hive writer: lays a RegTreeKey out as cells in 4 KiB-multiple hbins. Each key's cells (nk,
// class, values, data) are placed before its children's, then its subkey list, so parents are close
// to their own data. Security descriptors are shared: one sk cell per distinct descriptor, counted
// and linked in the sk list.

import { UsageError } from '../../util/errors.js';
import { compareNames, upcaseName, type RegTreeKey } from '../tree.js';
import { serializeBaseBlock } from './baseblock.js';
import {
  BIG_DATA_SEGMENT,
  BIG_DATA_THRESHOLD,
  CELL_ALIGN,
  DATA_INLINE,
  HBIN_ALIGN,
  HBIN_HEADER_SIZE,
  KEY_COMP_NAME,
  KEY_HIVE_ENTRY,
  KEY_NO_DELETE,
  MAX_LEAF_ENTRIES,
  NK_FIXED,
  NO_CELL,
  SK_FIXED,
  VALUE_COMP_NAME,
  VK_FIXED,
} from './constants.js';
import { encodeName, lhHash } from './names.js';
import { MAX_KEY_DEPTH } from './reader.js';
import { defaultSecurityDescriptor } from './security.js';

export interface WriteHiveOptions {
  /** Minor version, 3 to 6 (default 5, what Windows XP and later write). Big data needs 4 or more. */
  minor?: number;
  /** FILETIME for the base block and for keys without lastWrite (default: now). */
  now?: bigint;
  /** Name kept in the base block (at most 31 characters). */
  fileName?: string;
  /** Descriptor for a root key without one (subkeys without one inherit their parent's). */
  defaultSecurity?: Buffer;
}

/** Current time as a FILETIME. */
export function filetimeNow(): bigint {
  return (BigInt(Date.now()) + 11644473600000n) * 10000n;
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

interface SecurityCell {
  offset: number;
  refs: number;
}

class HiveBuilder {
  buf = Buffer.alloc(1 << 20);
  private pos = 0; // next free byte of the current hbin
  private binEnd = 0; // end of the current hbin
  private readonly sks = new Map<string, SecurityCell>();
  private readonly skOrder: SecurityCell[] = [];

  constructor(private readonly minor: number, private readonly now: bigint) {}

  get size(): number {
    return this.binEnd;
  }

  private reserve(end: number): void {
    if (end <= this.buf.length) return;
    let cap = this.buf.length;
    while (cap < end) cap *= 2;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.binEnd);
    this.buf = next;
  }

  /** A new allocated cell with room for `payload` bytes; returns its cell index (data at +4). */
  alloc(payload: number): number {
    const size = align(payload + 4, CELL_ALIGN);
    if (this.pos + size > this.binEnd) this.newBin(size);
    const off = this.pos;
    this.pos += size;
    this.buf.writeInt32LE(-size, off);
    return off;
  }

  private newBin(cellSize: number): void {
    // what is left of the current bin becomes one free cell (positive size)
    if (this.binEnd > this.pos) this.buf.writeInt32LE(this.binEnd - this.pos, this.pos);
    const start = this.binEnd;
    const size = align(cellSize + HBIN_HEADER_SIZE, HBIN_ALIGN);
    this.reserve(start + size);
    const b = this.buf;
    b.write('hbin', start, 'latin1');
    b.writeUInt32LE(start, start + 4);
    b.writeUInt32LE(size, start + 8);
    if (start === 0) b.writeBigUInt64LE(this.now, start + 20);
    this.pos = start + HBIN_HEADER_SIZE;
    this.binEnd = start + size;
  }

  finish(): void {
    if (this.binEnd > this.pos) this.buf.writeInt32LE(this.binEnd - this.pos, this.pos);
    this.pos = this.binEnd;
    // sk list: a circular doubly linked list through every sk cell, with each cell's use count
    const n = this.skOrder.length;
    this.skOrder.forEach((sk, i) => {
      const at = sk.offset + 4;
      this.buf.writeUInt32LE(this.skOrder[(i + 1) % n]!.offset, at + 4);
      this.buf.writeUInt32LE(this.skOrder[(i + n - 1) % n]!.offset, at + 8);
      this.buf.writeUInt32LE(sk.refs, at + 12);
    });
  }

  security(sd: Buffer): number {
    const id = sd.toString('latin1');
    let sk = this.sks.get(id);
    if (!sk) {
      const off = this.alloc(SK_FIXED + sd.length);
      const at = off + 4;
      this.buf.write('sk', at, 'latin1');
      this.buf.writeUInt32LE(sd.length, at + 16);
      sd.copy(this.buf, at + SK_FIXED);
      sk = { offset: off, refs: 0 };
      this.sks.set(id, sk);
      this.skOrder.push(sk);
    }
    sk.refs++;
    return sk.offset;
  }

  bytes(data: Buffer): number {
    const off = this.alloc(data.length);
    data.copy(this.buf, off + 4);
    return off;
  }

  valueData(data: Buffer): number {
    if (data.length <= BIG_DATA_THRESHOLD || this.minor < 4) return this.bytes(data);
    // _CM_BIG_DATA: segments of 16344 bytes, listed in a cell of offsets
    const count = Math.ceil(data.length / BIG_DATA_SEGMENT);
    const segs: number[] = [];
    // 4 spare bytes per segment cell: hivex takes a segment's capacity as its cell size less 8
    for (let i = 0; i < count; i++) {
      const chunk = data.subarray(i * BIG_DATA_SEGMENT, (i + 1) * BIG_DATA_SEGMENT);
      const seg = this.alloc(chunk.length + 4);
      chunk.copy(this.buf, seg + 4);
      segs.push(seg);
    }
    const list = this.alloc(4 * count);
    segs.forEach((s, i) => this.buf.writeUInt32LE(s, list + 4 + 4 * i));
    const db = this.alloc(8);
    this.buf.write('db', db + 4, 'latin1');
    this.buf.writeUInt16LE(count, db + 6);
    this.buf.writeUInt32LE(list, db + 8);
    return db;
  }

  value(name: string, type: number, data: Buffer): number {
    const n = encodeName(name);
    if (n.bytes.length > 0xffff) throw new UsageError(`value name too long (${name.length} characters)`);
    let dataOffset = 0;
    let length = data.length;
    if (length <= 4) length |= DATA_INLINE;
    else dataOffset = this.valueData(data);
    const off = this.alloc(VK_FIXED + n.bytes.length);
    const at = off + 4;
    const b = this.buf;
    b.write('vk', at, 'latin1');
    b.writeUInt16LE(n.bytes.length, at + 2);
    b.writeUInt32LE(length >>> 0, at + 4);
    if (data.length <= 4) data.copy(b, at + 8);
    else b.writeUInt32LE(dataOffset, at + 8);
    b.writeUInt32LE(type >>> 0, at + 12);
    b.writeUInt16LE(n.compressed ? VALUE_COMP_NAME : 0, at + 16);
    n.bytes.copy(b, at + VK_FIXED);
    return off;
  }

  subkeyList(children: { offset: number; name: string }[]): number {
    const leaf = (items: { offset: number; name: string }[]): number => {
      const off = this.alloc(4 + 8 * items.length);
      const at = off + 4;
      this.buf.write('lh', at, 'latin1');
      this.buf.writeUInt16LE(items.length, at + 2);
      items.forEach((c, i) => {
        this.buf.writeUInt32LE(c.offset, at + 4 + 8 * i);
        this.buf.writeUInt32LE(lhHash(c.name), at + 8 + 8 * i);
      });
      return off;
    };
    if (children.length <= MAX_LEAF_ENTRIES) return leaf(children);
    const leaves: number[] = [];
    for (let i = 0; i < children.length; i += MAX_LEAF_ENTRIES) leaves.push(leaf(children.slice(i, i + MAX_LEAF_ENTRIES)));
    const off = this.alloc(4 + 4 * leaves.length);
    this.buf.write('ri', off + 4, 'latin1');
    this.buf.writeUInt16LE(leaves.length, off + 6);
    leaves.forEach((l, i) => this.buf.writeUInt32LE(l, off + 8 + 4 * i));
    return off;
  }

  key(k: RegTreeKey, parent: number, sd: Buffer, depth: number): number {
    if (depth > MAX_KEY_DEPTH) throw new UsageError(`keys nested deeper than ${MAX_KEY_DEPTH} levels`);
    const n = encodeName(k.name);
    if (n.bytes.length > 0xffff || (depth > 0 && n.bytes.length === 0)) throw new UsageError(`bad key name ${JSON.stringify(k.name.slice(0, 40))}`);
    const nk = this.alloc(NK_FIXED + n.bytes.length);
    const mySd = k.securityDescriptor ?? sd;
    const sk = this.security(mySd);
    let classOffset = NO_CELL;
    let classLength = 0;
    if (k.className !== undefined && k.className !== '') {
      const cls = Buffer.from(k.className, 'utf16le');
      if (cls.length > 0xffff) throw new UsageError('class name too long');
      classOffset = this.bytes(cls);
      classLength = cls.length;
    }
    let maxValueName = 0;
    let maxValueData = 0;
    const seenValues = new Set<string>();
    const valueOffsets: number[] = [];
    for (const v of k.values) {
      const u = upcaseName(v.name);
      if (seenValues.has(u)) throw new UsageError(`two values named ${JSON.stringify(v.name)} in key ${JSON.stringify(k.name)}`);
      seenValues.add(u);
      valueOffsets.push(this.value(v.name, v.type, v.data));
      maxValueName = Math.max(maxValueName, v.name.length * 2);
      maxValueData = Math.max(maxValueData, v.data.length);
    }
    let valueList = NO_CELL;
    if (valueOffsets.length > 0) {
      valueList = this.alloc(4 * valueOffsets.length);
      valueOffsets.forEach((o, i) => this.buf.writeUInt32LE(o, valueList + 4 + 4 * i));
    }
    const sorted = k.subkeys.slice().sort((a, b) => compareNames(a.name, b.name));
    for (let i = 1; i < sorted.length; i++) {
      if (compareNames(sorted[i - 1]!.name, sorted[i]!.name) === 0) throw new UsageError(`two subkeys named ${JSON.stringify(sorted[i]!.name)} in key ${JSON.stringify(k.name)}`);
    }
    let maxSubkeyName = 0;
    let maxSubkeyClass = 0;
    const children = sorted.map((c) => {
      maxSubkeyName = Math.max(maxSubkeyName, c.name.length * 2);
      maxSubkeyClass = Math.max(maxSubkeyClass, (c.className?.length ?? 0) * 2);
      return { offset: this.key(c, nk, mySd, depth + 1), name: c.name };
    });
    const subkeyList = children.length > 0 ? this.subkeyList(children) : NO_CELL;
    // _CM_KEY_NODE
    const b = this.buf;
    const at = nk + 4;
    b.write('nk', at, 'latin1');
    b.writeUInt16LE((n.compressed ? KEY_COMP_NAME : 0) | (depth === 0 ? KEY_HIVE_ENTRY | KEY_NO_DELETE : 0), at + 2);
    b.writeBigUInt64LE(k.lastWrite ?? this.now, at + 4);
    b.writeUInt32LE(depth === 0 ? 0 : parent, at + 16);
    b.writeUInt32LE(children.length, at + 20);
    b.writeUInt32LE(0, at + 24);
    b.writeUInt32LE(subkeyList, at + 28);
    b.writeUInt32LE(NO_CELL, at + 32);
    b.writeUInt32LE(valueOffsets.length, at + 36);
    b.writeUInt32LE(valueList, at + 40);
    b.writeUInt32LE(sk, at + 44);
    b.writeUInt32LE(classOffset, at + 48);
    b.writeUInt32LE(maxSubkeyName, at + 52);
    b.writeUInt32LE(maxSubkeyClass, at + 56);
    b.writeUInt32LE(maxValueName, at + 60);
    b.writeUInt32LE(maxValueData, at + 64);
    b.writeUInt16LE(n.bytes.length, at + 72);
    b.writeUInt16LE(classLength, at + 74);
    n.bytes.copy(b, at + NK_FIXED);
    return nk;
  }
}

/** The hive file for `tree` (its root becomes the hive's root key). */
export function writeHive(tree: RegTreeKey, opts: WriteHiveOptions = {}): Buffer {
  const minor = opts.minor ?? 5;
  if (!Number.isInteger(minor) || minor < 3 || minor > 6) throw new UsageError(`hive minor version must be 3 to 6, got ${minor}`);
  const now = opts.now ?? filetimeNow();
  const builder = new HiveBuilder(minor, now);
  const root = builder.key(tree, 0, opts.defaultSecurity ?? defaultSecurityDescriptor(), 0);
  builder.finish();
  const base = serializeBaseBlock({
    sequence: 1,
    lastWritten: now,
    minor,
    rootCellOffset: root,
    hiveBinsDataSize: builder.size,
    fileName: opts.fileName ?? '',
  });
  return Buffer.concat([base, builder.buf.subarray(0, builder.size)]);
}
