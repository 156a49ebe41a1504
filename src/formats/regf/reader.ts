// regf hive reader. Reads cells on demand from a HiveSource, so a hive of any size can be walked key
// by key; toTree() builds the whole RegTreeKey when that is what the caller wants. Every offset,
// count and length read from the file is checked against the file before it is followed or allocated.

import { FormatError } from '../../util/errors.js';
import { upcaseName, type RegTreeKey, type RegTreeValue } from '../tree.js';
import { parseBaseBlock, type BaseBlock, type ParseBaseBlockOptions } from './baseblock.js';
import {
  BASE_BLOCK_SIZE,
  BIG_DATA_SEGMENT,
  BIG_DATA_THRESHOLD,
  DATA_INLINE,
  DATA_START,
  DB_FIXED,
  FORMAT,
  HBIN_HEADER_SIZE,
  KEY_COMP_NAME,
  KEY_SYM_LINK,
  NK_FIXED,
  NO_CELL,
  SK_FIXED,
  VALUE_COMP_NAME,
  VK_FIXED,
} from './constants.js';
import { BufferSource, FileSource, type FileSourceOptions, type HiveSource } from './source.js';

/** Windows refuses keys nested deeper than this; so do we (it also bounds our recursion). */
export const MAX_KEY_DEPTH = 512;

// the smallest possible nk cell: bounds how many keys a hive of a given size can hold
const MIN_NK_CELL = (4 + NK_FIXED + 7) & ~7;

/** A key node (_CM_KEY_NODE) as stored. */
export interface HiveKey {
  /** Cell index (offset from the first hbin). */
  offset: number;
  name: string;
  flags: number;
  /** FILETIME */
  lastWrite: bigint;
  parentOffset: number;
  subkeyCount: number;
  subkeyListOffset: number;
  valueCount: number;
  valueListOffset: number;
  securityOffset: number;
  classOffset: number;
  classLength: number;
}

/** A value node (_CM_KEY_VALUE) with its data. */
export interface HiveValue extends RegTreeValue {
  offset: number;
  /** True when the data came from a big-data (db) chain. */
  bigData: boolean;
}

export interface HiveSecurity {
  offset: number;
  flink: number;
  blink: number;
  referenceCount: number;
  descriptor: Buffer;
}

export interface WalkEntry {
  key: HiveKey;
  /** Names from the root's child down to this key; [] for the root. */
  path: string[];
}

export interface OpenHiveOptions extends ParseBaseBlockOptions, FileSourceOptions {}

const hex = (n: number): string => '0x' + n.toString(16);

export class Hive {
  readonly header: BaseBlock;
  /** Primary and secondary sequence numbers differ: the hive was not closed cleanly and its
   * transaction logs (.LOG1/.LOG2) may hold changes that are not in this file. */
  readonly dirty: boolean;
  private readonly dataSize: number;
  private readonly copyData: boolean;
  private readonly skCache = new Map<number, HiveSecurity>();

  constructor(
    private readonly source: HiveSource,
    opts: ParseBaseBlockOptions = {},
  ) {
    if (source.size < BASE_BLOCK_SIZE) {
      throw new FormatError(FORMAT, source.size, 'a 4096-byte base block', `file is ${source.size} bytes`);
    }
    this.header = parseBaseBlock(source.read(0, BASE_BLOCK_SIZE), source.size, opts);
    this.dirty = this.header.primarySequence !== this.header.secondarySequence;
    this.dataSize = this.header.hiveBinsDataSize;
    // pages of a file cache are small and many: copy data out rather than pin them
    this.copyData = !(source instanceof BufferSource);
  }

  static fromBuffer(buf: Buffer, opts: ParseBaseBlockOptions = {}): Hive {
    return new Hive(new BufferSource(buf), opts);
  }

  /** Opens a hive file for positional reads through a bounded cache (see FileSourceOptions). */
  static open(path: string, opts: OpenHiveOptions = {}): Hive {
    const src = new FileSource(path, opts);
    try {
      return new Hive(src, opts);
    } catch (err) {
      src.close();
      throw err;
    }
  }

  close(): void {
    this.source.close();
  }

  /** Raw bytes of the file (for checks and tools); the range must lie inside the file. */
  raw(position: number, length: number): Buffer {
    if (position < 0 || length < 0 || position + length > this.source.size) {
      throw new FormatError(FORMAT, position, `${length} bytes inside the file`, `file is ${this.source.size} bytes`);
    }
    return this.source.read(position, length);
  }

  get rootOffset(): number {
    return this.header.rootCellOffset;
  }

  /** The data of the allocated cell at `offset` (cell index), without its size field. */
  cell(offset: number, what: string): Buffer {
    if (offset < HBIN_HEADER_SIZE || offset % 8 !== 0 || offset + 8 > this.dataSize) {
      throw new FormatError(FORMAT, DATA_START + Math.min(offset, this.dataSize), what, `cell offset ${hex(offset)} is outside the hive bins`);
    }
    const pos = DATA_START + offset;
    const size = this.source.read(pos, 4).readInt32LE(0);
    if (size >= 0) throw new FormatError(FORMAT, pos, `${what} (an allocated cell)`, `free cell of ${size} bytes at ${hex(offset)}`);
    const len = -size;
    if (len < 8 || offset + len > this.dataSize) {
      throw new FormatError(FORMAT, pos, `${what} (a cell inside the hive bins)`, `cell size ${len} at ${hex(offset)}`);
    }
    return this.source.read(pos + 4, len - 4);
  }

  private fail(offset: number, expected: string, detail?: string): never {
    throw new FormatError(FORMAT, DATA_START + offset, expected, detail);
  }

  key(offset: number): HiveKey {
    const c = this.cell(offset, 'a key node (nk)');
    if (c.length < NK_FIXED || c[0] !== 0x6e || c[1] !== 0x6b) this.fail(offset, "a key node (signature 'nk')", JSON.stringify(c.toString('latin1', 0, 2)));
    const flags = c.readUInt16LE(2);
    const nameLength = c.readUInt16LE(72);
    if (NK_FIXED + nameLength > c.length) this.fail(offset + 4 + 72, `a key name within its cell (${c.length - NK_FIXED} bytes)`, `${nameLength} bytes`);
    const name = flags & KEY_COMP_NAME ? c.toString('latin1', NK_FIXED, NK_FIXED + nameLength) : c.toString('utf16le', NK_FIXED, NK_FIXED + (nameLength & ~1));
    return {
      offset,
      name,
      flags,
      lastWrite: c.readBigUInt64LE(4),
      parentOffset: c.readUInt32LE(16),
      subkeyCount: c.readUInt32LE(20),
      subkeyListOffset: c.readUInt32LE(28),
      valueCount: c.readUInt32LE(36),
      valueListOffset: c.readUInt32LE(40),
      securityOffset: c.readUInt32LE(44),
      classOffset: c.readUInt32LE(48),
      classLength: c.readUInt16LE(74),
    };
  }

  root(): HiveKey {
    return this.key(this.rootOffset);
  }

  /** Cell indexes of the key's (non-volatile) subkeys, in list order. */
  subkeyOffsets(key: HiveKey): number[] {
    if (key.subkeyCount === 0) return [];
    if (key.subkeyCount > this.dataSize / MIN_NK_CELL) {
      this.fail(key.offset + 4 + 20, 'a subkey count that fits in the hive', String(key.subkeyCount));
    }
    const out: number[] = [];
    this.readList(key.subkeyListOffset, out, key.subkeyCount, false);
    if (out.length !== key.subkeyCount) {
      this.fail(key.subkeyListOffset, `${key.subkeyCount} subkeys (the count in key node ${hex(key.offset)})`, `the list holds ${out.length}`);
    }
    return out;
  }

  private readList(offset: number, out: number[], limit: number, nested: boolean): void {
    const c = this.cell(offset, 'a subkey list (lf, lh, li or ri)');
    if (c.length < 4) this.fail(offset, 'a subkey list header');
    const sig = c.toString('latin1', 0, 2);
    const n = c.readUInt16LE(2);
    const width = sig === 'lf' || sig === 'lh' ? 8 : sig === 'li' || sig === 'ri' ? 4 : 0;
    if (width === 0) this.fail(offset, "a subkey list (signature 'lf', 'lh', 'li' or 'ri')", JSON.stringify(sig));
    if (4 + n * width > c.length) this.fail(offset, `${n} list entries within the cell (${c.length} bytes)`);
    if (sig === 'ri') {
      if (nested) this.fail(offset, 'a leaf list (lf, lh or li) under an ri index', 'an ri inside an ri');
      for (let i = 0; i < n; i++) this.readList(c.readUInt32LE(4 + i * 4), out, limit, true);
      return;
    }
    if (out.length + n > limit) this.fail(offset, `at most ${limit} subkeys (the key's count)`, 'the lists hold more');
    for (let i = 0; i < n; i++) out.push(c.readUInt32LE(4 + i * width));
  }

  *subkeys(key: HiveKey): Generator<HiveKey> {
    for (const off of this.subkeyOffsets(key)) yield this.key(off);
  }

  values(key: HiveKey): HiveValue[] {
    if (key.valueCount === 0) return [];
    const list = this.cell(key.valueListOffset, 'a value list');
    if (key.valueCount * 4 > list.length) {
      this.fail(key.valueListOffset, `${key.valueCount} value offsets within the value list cell (${list.length} bytes)`);
    }
    const out: HiveValue[] = [];
    for (let i = 0; i < key.valueCount; i++) out.push(this.value(list.readUInt32LE(i * 4)));
    return out;
  }

  value(offset: number): HiveValue {
    const c = this.cell(offset, 'a value node (vk)');
    if (c.length < VK_FIXED || c[0] !== 0x76 || c[1] !== 0x6b) this.fail(offset, "a value node (signature 'vk')", JSON.stringify(c.toString('latin1', 0, 2)));
    const nameLength = c.readUInt16LE(2);
    const rawLength = c.readUInt32LE(4);
    const dataOffset = c.readUInt32LE(8);
    const type = c.readUInt32LE(12);
    const flags = c.readUInt16LE(16);
    if (VK_FIXED + nameLength > c.length) this.fail(offset + 4 + 2, `a value name within its cell (${c.length - VK_FIXED} bytes)`, `${nameLength} bytes`);
    const name = flags & VALUE_COMP_NAME ? c.toString('latin1', VK_FIXED, VK_FIXED + nameLength) : c.toString('utf16le', VK_FIXED, VK_FIXED + (nameLength & ~1));
    const length = rawLength & ~DATA_INLINE;
    let data: Buffer;
    let bigData = false;
    if (rawLength & DATA_INLINE) {
      if (length > 4) this.fail(offset + 4 + 4, 'inline data of at most 4 bytes', `${length} bytes`);
      data = Buffer.from(c.subarray(8, 8 + length));
    } else if (length === 0) {
      data = Buffer.alloc(0);
    } else {
      const d = this.cell(dataOffset, `the data of value ${JSON.stringify(name)}`);
      if (length > BIG_DATA_THRESHOLD && this.header.minor >= 4 && d.length < length && d[0] === 0x64 && d[1] === 0x62) {
        data = this.bigData(dataOffset, d, length);
        bigData = true;
      } else {
        if (d.length < length) this.fail(dataOffset, `${length} bytes of value data (the length in value node ${hex(offset)})`, `the cell holds ${d.length}`);
        data = this.copyData ? Buffer.from(d.subarray(0, length)) : d.subarray(0, length);
      }
    }
    return { offset, name, type, data, bigData };
  }

  private bigData(offset: number, db: Buffer, length: number): Buffer {
    if (db.length < DB_FIXED) this.fail(offset, 'a big data (db) header');
    const segments = db.readUInt16LE(2);
    const listOffset = db.readUInt32LE(4);
    if (segments * BIG_DATA_SEGMENT < length) this.fail(offset, `enough big data segments for ${length} bytes`, `${segments} segments`);
    const list = this.cell(listOffset, 'a big data segment list');
    if (segments * 4 > list.length) this.fail(listOffset, `${segments} segment offsets within the list cell (${list.length} bytes)`);
    const parts: Buffer[] = [];
    let left = length;
    for (let i = 0; i < segments && left > 0; i++) {
      const segOffset = list.readUInt32LE(i * 4);
      const seg = this.cell(segOffset, 'a big data segment');
      const take = Math.min(left, BIG_DATA_SEGMENT);
      if (seg.length < take) this.fail(segOffset, `${take} bytes in big data segment ${i}`, `the cell holds ${seg.length}`);
      parts.push(seg.subarray(0, take));
      left -= take;
    }
    return Buffer.concat(parts, length);
  }

  security(offset: number): HiveSecurity {
    const hit = this.skCache.get(offset);
    if (hit) return hit;
    const c = this.cell(offset, 'a security (sk) cell');
    if (c.length < SK_FIXED || c[0] !== 0x73 || c[1] !== 0x6b) this.fail(offset, "a security cell (signature 'sk')", JSON.stringify(c.toString('latin1', 0, 2)));
    const size = c.readUInt32LE(16);
    if (SK_FIXED + size > c.length) this.fail(offset + 4 + 16, `a security descriptor within its cell (${c.length - SK_FIXED} bytes)`, `${size} bytes`);
    const sk: HiveSecurity = {
      offset,
      flink: c.readUInt32LE(4),
      blink: c.readUInt32LE(8),
      referenceCount: c.readUInt32LE(12),
      descriptor: Buffer.from(c.subarray(SK_FIXED, SK_FIXED + size)),
    };
    this.skCache.set(offset, sk);
    return sk;
  }

  className(key: HiveKey): string | undefined {
    if (key.classOffset === NO_CELL || key.classLength === 0) return undefined;
    const c = this.cell(key.classOffset, 'a class name');
    if (key.classLength > c.length) this.fail(key.classOffset, `a class name of ${key.classLength} bytes within its cell`, `${c.length} bytes`);
    return c.toString('utf16le', 0, key.classLength & ~1);
  }

  /**
   * Every key, depth first, parents before children, subkeys in list order. Memory use is the path
   * from the root plus the pending subkey offsets along it. A subkey list that leads back to an
   * ancestor, keys nested deeper than Windows allows, or more keys than the file can hold (lists
   * sharing subtrees) are a FormatError.
   */
  *walk(from?: HiveKey): Generator<WalkEntry> {
    const root = from ?? this.root();
    const budget = Math.floor(this.dataSize / MIN_NK_CELL) + 1;
    let seen = 0;
    const path: string[] = [];
    const ancestors = new Set<number>([root.offset]);
    const stack: { key: HiveKey; pending: number[]; next: number }[] = [];
    yield { key: root, path: [] };
    stack.push({ key: root, pending: this.subkeyOffsets(root), next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.pending.length) {
        stack.pop();
        ancestors.delete(top.key.offset);
        path.pop();
        continue;
      }
      const off = top.pending[top.next++]!;
      if (ancestors.has(off)) this.fail(top.key.subkeyListOffset, 'a subkey list without loops', `key ${hex(off)} is its own ancestor`);
      if (++seen > budget) this.fail(top.key.subkeyListOffset, 'subkey lists that do not share keys', `more keys reached than the hive can hold`);
      if (stack.length >= MAX_KEY_DEPTH) this.fail(off, `keys nested at most ${MAX_KEY_DEPTH} deep`);
      const key = this.key(off);
      path.push(key.name);
      yield { key, path: path.slice() };
      ancestors.add(off);
      stack.push({ key, pending: this.subkeyOffsets(key), next: 0 });
    }
  }

  /** The whole hive (or the subtree at `from`) as a plain tree. */
  toTree(from?: HiveKey): RegTreeKey {
    // chain[d] is the latest key at depth d: the parent of whatever comes next at depth d + 1
    const chain: RegTreeKey[] = [];
    for (const { key, path } of this.walk(from)) {
      const node = this.treeKey(key);
      chain[path.length] = node;
      if (path.length > 0) chain[path.length - 1]!.subkeys.push(node);
    }
    return chain[0]!;
  }

  private treeKey(key: HiveKey): RegTreeKey {
    const node: RegTreeKey = {
      name: key.name,
      lastWrite: key.lastWrite,
      values: this.values(key).map((v) => ({ name: v.name, type: v.type, data: v.data })),
      subkeys: [],
    };
    const cls = this.className(key);
    if (cls !== undefined) node.className = cls;
    if (key.flags & KEY_SYM_LINK) node.symbolicLink = true;
    if (key.securityOffset !== NO_CELL) node.securityDescriptor = this.security(key.securityOffset).descriptor;
    return node;
  }

  /** Finds a key by path relative to the root ('A\B'), case-insensitively. */
  lookup(path: string): HiveKey | undefined {
    let key = this.root();
    for (const part of path.split('\\').filter((p) => p !== '')) {
      const want = upcaseName(part);
      let found: HiveKey | undefined;
      for (const sub of this.subkeys(key)) {
        if (upcaseName(sub.name) === want) {
          found = sub;
          break;
        }
      }
      if (!found) return undefined;
      key = found;
    }
    return key;
  }
}

/** Reads a whole hive held in memory into a tree. */
export function readHive(buf: Buffer, opts: ParseBaseBlockOptions = {}): RegTreeKey {
  return Hive.fromBuffer(buf, opts).toTree();
}
