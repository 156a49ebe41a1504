// Binary encoding of the embedded backend's files: journal frames (journal.ts) and snapshots
// (snapshot.ts). Little-endian; strings UTF-8 with a u32 byte length; every length checked against
// the bytes left before anything is allocated.

import { FormatError } from '../util/errors.js';

export class BinWriter {
  buf: Buffer;
  pos = 0;
  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }
  /** Makes room for n more bytes at `pos` (for callers that write into `buf` themselves). */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }
  /** A safe integer (ids, counts) as u64. */
  num(v: number): void {
    this.u64(BigInt(v));
  }
  str(s: string): void {
    // Room for the worst case (3 bytes per UTF-16 unit), then one encoding pass that reports the size.
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.pos + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4 + n;
  }
  bytes(b: Buffer): void {
    this.u32(b.length);
    this.raw(b);
  }
  /** The bytes alone, no length. */
  raw(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  /** An unsigned 32-bit integer in 1–5 bytes, 7 bits a byte, low bits first (the packed values of a
   * snapshot: lengths and types are mostly small). */
  vu32(v: number): void {
    this.room(5);
    let n = v >>> 0;
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }
  /** A string as vu32 byte length + UTF-8. */
  vstr(s: string): void {
    this.room(5 + s.length * 3);
    const at = this.pos;
    // Written after a provisional 1-byte length, moved if the length needs more.
    const n = this.buf.write(s, at + 1, 'utf8');
    if (n < 0x80) {
      this.buf[at] = n;
      this.pos = at + 1 + n;
      return;
    }
    const text = Buffer.from(this.buf.subarray(at + 1, at + 1 + n));
    this.vu32(n);
    text.copy(this.buf, this.pos);
    this.pos += n;
  }
  vbytes(b: Buffer): void {
    this.vu32(b.length);
    this.raw(b);
  }
  /** A latin1 string holding raw bytes, written as the bytes alone. */
  latin1(s: string): void {
    this.room(s.length);
    this.buf.write(s, this.pos, s.length, 'latin1');
    this.pos += s.length;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class BinReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    readonly format: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  private need(n: number, what: string): void {
    if (n > this.end - this.pos) throw new FormatError(this.format, this.pos, what, `${this.end - this.pos} bytes left`);
  }
  get left(): number {
    return this.end - this.pos;
  }
  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8, 'u64');
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  num(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(this.format, this.pos - 8, 'a safe integer');
    return Number(v);
  }
  str(): string {
    return this.text(this.u32());
  }
  vu32(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, 'a variable-length integer');
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (v > 0xffffffff) throw new FormatError(this.format, this.pos - 1, 'a 32-bit value');
        return v;
      }
    }
    throw new FormatError(this.format, this.pos, 'a variable-length integer of at most 5 bytes');
  }
  vstr(): string {
    return this.text(this.vu32());
  }
  vbytes(): Buffer {
    return this.take(this.vu32(), 'bytes of data');
  }
  /** n bytes of UTF-8. */
  private text(n: number): string {
    this.need(n, `${n} bytes of text`);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** The next n bytes, as a view of the input (no copy). */
  take(n: number, what: string): Buffer {
    this.need(n, `${n} ${what}`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A view into the input (no copy): snapshots keep value data as slices of the loaded file. */
  bytes(): Buffer {
    return this.take(this.u32(), 'bytes of data');
  }
}
