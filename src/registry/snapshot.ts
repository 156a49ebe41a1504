// The embedded backend's snapshot: the whole non-volatile tree in one file, loaded in one read.
// Layout: magic "HWREGSN1", u32 version, u64 generation (journals up to it are folded in), u64 next
// key id, u32 count of distinct security descriptors + the descriptors, u32 key count, then the keys
// parents first: u32 parent index, name, u64 id, class, u64 last write, u32 flags, u32 descriptor
// index, u32 value count, u32 length of the packed values, the values (name, type, data: see
// packed.ts). A CRC-32 of everything before ends the file.

import { crc32 } from 'node:zlib';
import { FormatError } from '../util/errors.js';
import { BinReader, BinWriter } from './codec.js';
import { KeyNode, MemoryTree, isVolatile } from './memory.js';
import { packValues, repackValues } from './packed.js';

const MAGIC = Buffer.from('HWREGSN1', 'latin1');
// 4: text values kept narrow (packed.ts); 3 (variable-length framing) and 2 (u32 framing) are still read.
const VERSION = 4;
const FORMAT = 'registry snapshot';

/** Where a key's packed values are in an encoded snapshot: key, offset, byte length, value count. */
export type PackedRange = [node: KeyNode, at: number, len: number, count: number];

/** `sizeHint`: about how big the result will be (the buffer is made that big at once). `ranges`, when
 * given, receives where each key's packed values are in the result (MemoryTree.repack). */
export function encodeSnapshot(tree: MemoryTree, generation: number, sizeHint = 1 << 20, ranges?: PackedRange[]): Buffer {
  const nodes: KeyNode[] = [];
  const index = new Map<KeyNode, number>();
  const stack: KeyNode[] = [tree.root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== tree.root && isVolatile(n)) continue;
    index.set(n, nodes.length);
    nodes.push(n);
    if (n.children) for (const c of n.children.values()) stack.push(c);
  }
  const sds: Buffer[] = [];
  const sdIndex = new Map<string, number>();
  // Keys mostly share descriptor Buffers (security.ts interns them): by identity first, by bytes after.
  const sdSeen = new Map<Buffer, number>();
  const sdOf = (sd: Buffer): number => {
    let i = sdSeen.get(sd);
    if (i !== undefined) return i;
    const k = sd.toString('latin1');
    i = sdIndex.get(k);
    if (i === undefined) {
      i = sds.length;
      sds.push(sd);
      sdIndex.set(k, i);
    }
    sdSeen.set(sd, i);
    return i;
  };
  const nodeSd = nodes.map((n) => sdOf(n.sd));
  const w = new BinWriter(Math.max(1 << 20, sizeHint));
  for (const b of MAGIC) w.u8(b);
  w.u32(VERSION);
  w.num(generation);
  w.num(tree.nextId);
  w.u32(sds.length);
  for (const sd of sds) w.bytes(sd);
  w.u32(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    w.u32(n.parent ? index.get(n.parent)! : 0xffffffff);
    w.str(n.name);
    w.num(n.id);
    w.str(n.className);
    w.u64(n.lastWrite);
    w.u32(n.flags);
    w.u32(nodeSd[i]!);
    // Values: u32 count, u32 byte length, then the packed values (kept packed in memory on load).
    const count = n.packedAt >= 0 ? n.packedCount : (n.vals?.length ?? 0);
    w.u32(count);
    const lenAt = w.pos;
    w.u32(0);
    if (n.packedAt >= 0) w.raw(tree.slab.subarray(n.packedAt, n.packedAt + n.packedLen));
    else packValues(w, n.vals ?? []);
    const len = w.pos - lenAt - 4;
    w.buf.writeUInt32LE(len, lenAt);
    if (ranges && count > 0) ranges.push([n, lenAt + 4, len, count]);
  }
  w.u32(crc32(w.result()));
  return w.result();
}

export interface Snapshot {
  tree: MemoryTree;
  generation: number;
}

/** Decodes a snapshot into a tree that keeps nothing of `buf`. */
export function decodeSnapshot(buf: Buffer): Snapshot {
  if (buf.length < MAGIC.length + 4 + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new FormatError(FORMAT, 0, 'magic HWREGSN1');
  }
  const body = buf.length - 4;
  if (crc32(buf.subarray(0, body)) !== buf.readUInt32LE(body)) throw new FormatError(FORMAT, body, 'matching CRC-32', 'snapshot is damaged');
  const r = new BinReader(buf, FORMAT, MAGIC.length, body);
  const version = r.u32();
  if (version !== VERSION && version !== 3 && version !== 2) throw new FormatError(FORMAT, MAGIC.length, `version ${VERSION}`, `version ${version}`);
  const generation = r.num();
  const nextId = r.num();
  const sdCount = r.u32();
  if (sdCount > r.left / 4) throw new FormatError(FORMAT, r.pos, 'a descriptor count that fits the file');
  const sds: Buffer[] = new Array(sdCount);
  // Copied: a slice would keep the whole file's buffer alive.
  for (let i = 0; i < sdCount; i++) sds[i] = Buffer.from(r.bytes());
  const count = r.u32();
  if (count === 0 || count > r.left / 32) throw new FormatError(FORMAT, r.pos, 'a key count that fits the file');
  const nodes: KeyNode[] = new Array(count);
  // Where each key's packed values are in `buf` (gathered into the tree's slab at the end).
  const blobs: (Buffer | undefined)[] = new Array(count);
  let slabBytes = 0;
  let tree: MemoryTree | undefined;
  for (let i = 0; i < count; i++) {
    const at = r.pos;
    const parentIdx = r.u32();
    const name = r.str();
    const id = r.num();
    const className = r.str();
    const lastWrite = r.u64();
    const flags = r.u32();
    const sdIdx = r.u32();
    const sd = sds[sdIdx];
    if (!sd) throw new FormatError(FORMAT, at, 'a valid descriptor index');
    let node: KeyNode;
    if (i === 0) {
      tree = new MemoryTree(sd, lastWrite);
      node = tree.root;
      node.className = className;
    } else {
      const parent = parentIdx < i ? nodes[parentIdx] : undefined;
      if (!parent) throw new FormatError(FORMAT, at, 'a parent listed before its child');
      node = new KeyNode(id, name, className, lastWrite, flags, sd);
      if (parent.children?.has(node.uname)) throw new FormatError(FORMAT, at, 'unique subkey names', name);
      tree!.attachTo(parent, node);
    }
    nodes[i] = node;
    const nvals = r.u32();
    if (nvals > r.left / 3) throw new FormatError(FORMAT, r.pos, 'a value count that fits the file');
    let blob = r.bytes();
    if (nvals > 0) {
      if (blob.length < nvals * 3) throw new FormatError(FORMAT, r.pos, 'values that fit their block');
      if (version !== VERSION) blob = repackValues(blob, nvals, version as 2 | 3, FORMAT);
      blobs[i] = blob;
      slabBytes += blob.length;
      node.packedCount = nvals;
    }
  }
  if (r.left !== 0) throw new FormatError(FORMAT, r.pos, 'end of snapshot', `${r.left} extra bytes`);
  // One copy of all packed values: the file's buffer (keys and all) is not kept.
  const slab = Buffer.allocUnsafeSlow(slabBytes);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const blob = blobs[i];
    if (!blob) continue;
    blob.copy(slab, at);
    nodes[i]!.packedAt = at;
    nodes[i]!.packedLen = blob.length;
    at += blob.length;
  }
  tree!.slab = slab;
  tree!.nextId = Math.max(tree!.nextId, nextId);
  return { tree: tree!, generation };
}
