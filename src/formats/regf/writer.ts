// regf hive writer: lays a RegTreeKey out as cells in 4 KiB-multiple hbins. Each key's cells (nk,
// class, values, data) are placed before its children's, then its subkey list, so parents are close
// to their own data. Security descriptors are shared: one sk cell per distinct descriptor, counted
// and linked in the sk list.

import { UsageError } from '../../util/errors.js';
import { upcaseName, type RegTreeKey } from '../tree.js';
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
  KEY_SYM_LINK,
  MAX_LEAF_ENTRIES,
  NK_FIXED,
  NO_CELL,
  SK_FIXED,
  VALUE_COMP_NAME,
  VK_FIXED,
} from './constants.js';
import { isCompressible, lhHashUpcased, writeName } from './names.js';
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

function sig(b: Buffer, at: number, s: string): void {
  b[at] = s.charCodeAt(0);
  b[at + 1] = s.charCodeAt(1);
}

// Buffer#copy costs more than a loop for the few bytes most values hold
function put(src: Buffer, dst: Buffer, at: number): void {
  if (src.length > 64) src.copy(dst, at);
  else for (let i = 0; i < src.length; i++) dst[at + i] = src[i]!;
}

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
      sig(this.buf, at, 'sk');
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
    put(data, this.buf, off + 4);
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
    sig(this.buf, db + 4, 'db');
    this.buf.writeUInt16LE(count, db + 6);
    this.buf.writeUInt32LE(list, db + 8);
    return db;
  }

  value(name: string, type: number, data: Buffer): number {
    const compressed = isCompressible(name);
    const nameLength = compressed ? name.length : name.length * 2;
    if (nameLength > 0xffff) throw new UsageError(`value name too long (${name.length} characters)`);
    let dataOffset = 0;
    let length = data.length;
    if (length <= 4) length |= DATA_INLINE;
    else dataOffset = this.valueData(data);
    const off = this.alloc(VK_FIXED + nameLength);
    const at = off + 4;
    const b = this.buf;
    // _CM_KEY_VALUE
    sig(b, at, 'vk');
    b.writeUInt16LE(nameLength, at + 2);
    b.writeUInt32LE(length >>> 0, at + 4);
    if (data.length <= 4) put(data, b, at + 8);
    else b.writeUInt32LE(dataOffset, at + 8);
    b.writeUInt32LE(type >>> 0, at + 12);
    b.writeUInt16LE(compressed ? VALUE_COMP_NAME : 0, at + 16);
    writeName(b, at + VK_FIXED, name, compressed);
    return off;
  }

  subkeyList(children: { offset: number; name: string; upcased: string }[]): number {
    // lh (hash leaf) from version 1.5; before it lf, whose hint is the name's first 4 characters
    const hashed = this.minor >= 5;
    const leaf = (from: number, to: number): number => {
      const off = this.alloc(4 + 8 * (to - from));
      const at = off + 4;
      const b = this.buf;
      sig(b, at, hashed ? 'lh' : 'lf');
      b.writeUInt16LE(to - from, at + 2);
      for (let i = from; i < to; i++) {
        const e = at + 4 + 8 * (i - from);
        b.writeUInt32LE(children[i]!.offset, e);
        if (hashed) b.writeUInt32LE(lhHashUpcased(children[i]!.upcased), e + 4);
        else {
          const name = children[i]!.name;
          for (let j = 0; j < 4 && j < name.length; j++) b[e + 4 + j] = name.charCodeAt(j) > 0xff ? 0 : name.charCodeAt(j);
        }
      }
      return off;
    };
    if (children.length <= MAX_LEAF_ENTRIES) return leaf(0, children.length);
    const leaves: number[] = [];
    for (let i = 0; i < children.length; i += MAX_LEAF_ENTRIES) leaves.push(leaf(i, Math.min(children.length, i + MAX_LEAF_ENTRIES)));
    const off = this.alloc(4 + 4 * leaves.length);
    sig(this.buf, off + 4, 'ri');
    this.buf.writeUInt16LE(leaves.length, off + 6);
    leaves.forEach((l, i) => this.buf.writeUInt32LE(l, off + 8 + 4 * i));
    return off;
  }

  key(k: RegTreeKey, parent: number, sd: Buffer, depth: number): number {
    if (depth > MAX_KEY_DEPTH) throw new UsageError(`keys nested deeper than ${MAX_KEY_DEPTH} levels`);
    const compressed = isCompressible(k.name);
    const nameLength = compressed ? k.name.length : k.name.length * 2;
    if (nameLength > 0xffff || (depth > 0 && nameLength === 0)) throw new UsageError(`bad key name ${JSON.stringify(k.name.slice(0, 40))}`);
    const nk = this.alloc(NK_FIXED + nameLength);
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
    const seenValues = k.values.length > 1 ? new Set<string>() : undefined;
    const valueOffsets: number[] = [];
    for (const v of k.values) {
      if (seenValues) {
        const u = upcaseName(v.name);
        if (seenValues.has(u)) throw new UsageError(`two values named ${JSON.stringify(v.name)} in key ${JSON.stringify(k.name)}`);
        seenValues.add(u);
      }
      valueOffsets.push(this.value(v.name, v.type, v.data));
      maxValueName = Math.max(maxValueName, v.name.length * 2);
      maxValueData = Math.max(maxValueData, v.data.length);
    }
    let valueList = NO_CELL;
    if (valueOffsets.length > 0) {
      valueList = this.alloc(4 * valueOffsets.length);
      valueOffsets.forEach((o, i) => this.buf.writeUInt32LE(o, valueList + 4 + 4 * i));
    }
    // Windows keeps subkeys sorted by upcased name; the lh hashes are over the same upcased names
    const sorted = k.subkeys.map((key) => ({ key, upcased: upcaseName(key.name) })).sort((a, b) => (a.upcased < b.upcased ? -1 : a.upcased > b.upcased ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i - 1]!.upcased === sorted[i]!.upcased) throw new UsageError(`two subkeys named ${JSON.stringify(sorted[i]!.key.name)} in key ${JSON.stringify(k.name)}`);
    }
    let maxSubkeyName = 0;
    let maxSubkeyClass = 0;
    const children = sorted.map(({ key: c, upcased }) => {
      maxSubkeyName = Math.max(maxSubkeyName, c.name.length * 2);
      maxSubkeyClass = Math.max(maxSubkeyClass, (c.className?.length ?? 0) * 2);
      return { offset: this.key(c, nk, mySd, depth + 1), name: c.name, upcased };
    });
    const subkeyList = children.length > 0 ? this.subkeyList(children) : NO_CELL;
    // _CM_KEY_NODE
    const b = this.buf;
    const at = nk + 4;
    sig(b, at, 'nk');
    b.writeUInt16LE((compressed ? KEY_COMP_NAME : 0) | (k.symbolicLink ? KEY_SYM_LINK : 0) | (depth === 0 ? KEY_HIVE_ENTRY | KEY_NO_DELETE : 0), at + 2);
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
    b.writeUInt16LE(nameLength, at + 72);
    b.writeUInt16LE(classLength, at + 74);
    writeName(b, at + NK_FIXED, k.name, compressed);
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
