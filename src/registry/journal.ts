// The embedded backend's write-ahead journal: one frame per group commit, holding the operations of
// every write acknowledged by that group's fdatasync (a frame is all-or-nothing at replay, and no
// write of a group is acknowledged before the whole frame is on disk). Frame = u32 payload length,
// u32 CRC-32 of the payload, payload. A frame whose length
// runs past the end of the file or whose CRC does not match ends the valid part of the journal
// (a torn write at a crash); everything before it is replayed.

import { crc32 } from 'node:zlib';
import { BinReader, BinWriter } from './codec.js';
import { KeyNode, type MemoryTree, type TreeOp } from './memory.js';
import { upcase, parentPath, baseName, type KeyRecord } from './backend.js';

const OP_CREATE = 1;
const OP_UPDATE = 2;
const OP_DELETE = 3;
const OP_SET = 4;
const OP_UNSET = 5;
/** A value set together with its key's new last-write time (the path API's common write). */
const OP_SETV = 6;

const HAS_LASTWRITE = 1;
const HAS_SD = 2;
const HAS_CLASS = 4;

export const FRAME_HEADER = 8;
/** Larger frames are taken as garbage (a torn length field), never allocated. */
export const MAX_FRAME = 1 << 30;

export function encodeFrame(ops: readonly TreeOp[]): Buffer {
  const w = new BinWriter(256);
  encodeFrameInto(w, ops);
  return w.result();
}

/** Appends one frame holding `ops` to `w`; returns its size. */
export function encodeFrameInto(w: BinWriter, ops: readonly TreeOp[]): number {
  const start = openFrame(w);
  encodeOps(w, ops);
  closeFrame(w, start);
  return w.pos - start;
}

/** Starts a frame at the writer's position (header filled in by closeFrame); returns where. */
export function openFrame(w: BinWriter): number {
  const start = w.pos;
  w.u32(0);
  w.u32(0);
  return start;
}

/** Fills in the length and CRC of the frame started at `start`, which ends at the writer's position. */
export function closeFrame(w: BinWriter, start: number): void {
  w.buf.writeUInt32LE(w.pos - start - FRAME_HEADER, start);
  w.buf.writeUInt32LE(crc32(w.buf.subarray(start + FRAME_HEADER, w.pos)), start + 4);
}

/** Appends the records of `ops`. */
export function encodeOps(w: BinWriter, ops: readonly TreeOp[]): void {
  for (const o of ops) {
    switch (o.op) {
      case 'create':
        encodeCreate(w, o.key);
        break;
      case 'update':
        w.u8(OP_UPDATE);
        w.str(o.path);
        w.u8((o.lastWrite !== undefined ? HAS_LASTWRITE : 0) | (o.sd ? HAS_SD : 0) | (o.className !== undefined ? HAS_CLASS : 0));
        if (o.lastWrite !== undefined) w.u64(o.lastWrite);
        if (o.sd) w.bytes(o.sd);
        if (o.className !== undefined) w.str(o.className);
        break;
      case 'delete':
        w.u8(OP_DELETE);
        w.str(o.path);
        break;
      case 'set':
        w.u8(OP_SET);
        w.str(o.path);
        w.str(o.value.name);
        w.u32(o.value.type);
        w.bytes(o.value.data);
        break;
      case 'unset':
        w.u8(OP_UNSET);
        w.str(o.path);
        w.str(o.name);
        break;
    }
  }
}

export function encodeCreate(w: BinWriter, k: KeyRecord): void {
  w.u8(OP_CREATE);
  w.str(k.path);
  w.num(k.id);
  w.str(k.className);
  w.u64(k.lastWrite);
  w.u32(k.flags);
  w.bytes(k.sd);
}

export function encodeLastWrite(w: BinWriter, path: string, lastWrite: bigint): void {
  w.u8(OP_UPDATE);
  w.str(path);
  w.u8(HAS_LASTWRITE);
  w.u64(lastWrite);
}

/** A value set plus the key's last-write time, in one record. */
export function encodeSetValue(w: BinWriter, path: string, lastWrite: bigint, name: string, type: number, data: Buffer): void {
  w.u8(OP_SETV);
  w.str(path);
  w.u64(lastWrite);
  w.str(name);
  w.u32(type);
  w.bytes(data);
}

export interface ScanResult {
  /** Offset just past the last valid frame. */
  validEnd: number;
  frames: number;
  /** Why scanning stopped early (a torn or corrupt tail), if it did. */
  problem?: string;
}

/** Walks the frames of a journal file, calling `apply` on each valid payload in order. */
export function scanJournal(buf: Buffer, apply: (payload: Buffer, offset: number) => void): ScanResult {
  let pos = 0;
  let frames = 0;
  while (pos < buf.length) {
    if (buf.length - pos < FRAME_HEADER) return { validEnd: pos, frames, problem: `truncated frame header at offset ${pos}` };
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    if (len > MAX_FRAME || len > buf.length - pos - FRAME_HEADER) {
      return { validEnd: pos, frames, problem: `frame at offset ${pos} claims ${len} bytes, ${buf.length - pos - FRAME_HEADER} left` };
    }
    const payload = buf.subarray(pos + FRAME_HEADER, pos + FRAME_HEADER + len);
    if (crc32(payload) !== sum) return { validEnd: pos, frames, problem: `checksum mismatch in frame at offset ${pos}` };
    apply(payload, pos + FRAME_HEADER);
    pos += FRAME_HEADER + len;
    frames++;
  }
  return { validEnd: pos, frames };
}

/** Applies one frame's operations to the tree (replay on start). Throws FormatError on a frame that
 * passed its checksum but does not make sense (a bug or tampering — never guessed around). */
export function replayFrame(tree: MemoryTree, payload: Buffer, offset: number, file: string): void {
  const r = new BinReader(payload, file);
  const bad = (what: string): never => {
    throw new Error(`${file}: frame at offset ${offset}: ${what}`);
  };
  while (r.left > 0) {
    const op = r.u8();
    const path = r.str();
    const up = upcase(path);
    switch (op) {
      case OP_CREATE: {
        const id = r.num();
        const className = r.str();
        const lastWrite = r.u64();
        const flags = r.u32();
        const sd = Buffer.from(r.bytes());
        if (tree.node(up)) bad(`key ${path} created twice`);
        if (!tree.node(upcase(parentPath(path)))) bad(`key ${path} created without its parent`);
        tree.attach(upcase(parentPath(path)), new KeyNode(id, baseName(path), className, lastWrite, flags, sd));
        break;
      }
      case OP_UPDATE: {
        const n = tree.node(up) ?? bad(`update of missing key ${path}`);
        const mask = r.u8();
        if (mask & HAS_LASTWRITE) n.lastWrite = r.u64();
        if (mask & HAS_SD) n.sd = Buffer.from(r.bytes());
        if (mask & HAS_CLASS) n.className = r.str();
        break;
      }
      case OP_DELETE: {
        const n = tree.node(up) ?? bad(`delete of missing key ${path}`);
        tree.detach(n);
        break;
      }
      case OP_SET: {
        const n = tree.node(up) ?? bad(`value set on missing key ${path}`);
        const name = r.str();
        const type = r.u32();
        const data = Buffer.from(r.bytes());
        tree.setValueRaw(n, { name, type, data });
        break;
      }
      case OP_SETV: {
        const n = tree.node(up) ?? bad(`value set on missing key ${path}`);
        n.lastWrite = r.u64();
        const name = r.str();
        const type = r.u32();
        tree.setValueRaw(n, { name, type, data: r.bytes() });
        break;
      }
      case OP_UNSET: {
        const n = tree.node(up) ?? bad(`value delete on missing key ${path}`);
        tree.deleteValueRaw(n, upcase(r.str()));
        break;
      }
      default:
        bad(`unknown operation ${op}`);
    }
  }
}
