// A small NDR 2.0 cursor for the endpoint mapper's hand-written stubs (a handful of fixed shapes:
// u32, uuid, referent ids, conformant/varying byte arrays). Alignment is relative to the stub start.
import { FormatError } from '../../util/errors.js';
import { uuidFromBytes, uuidToBytes } from '../../rpc/pdu/uuid.js';

export const STUB = 'ept NDR stub';

export class StubReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new FormatError(STUB, this.pos, what, `${n} bytes needed, ${Math.max(0, this.buf.length - this.pos)} left`);
    }
  }

  align(n: number): void {
    this.pos += (n - (this.pos % n)) % n;
  }

  u16(what: string): number {
    this.align(2);
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.align(4);
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A UUID is a struct of u32, u16, u16, byte[8]: 4-byte aligned. */
  uuid(what: string): string {
    this.align(4);
    this.need(16, what);
    const v = uuidFromBytes(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A count that prefixes `n` elements of at least `size` bytes each: checked before any allocation. */
  count(n: number, size: number, what: string): void {
    if (n * size > this.buf.length - this.pos) {
      throw new FormatError(STUB, this.pos, what, `${n} elements cannot fit in ${this.buf.length - this.pos} bytes`);
    }
  }
}

export class StubWriter {
  private parts: Buffer[] = [];
  private len = 0;

  private push(b: Buffer): void {
    this.parts.push(b);
    this.len += b.length;
  }

  align(n: number): void {
    const pad = (n - (this.len % n)) % n;
    if (pad) this.push(Buffer.alloc(pad));
  }

  u16(v: number): void {
    this.align(2);
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v, 0);
    this.push(b);
  }

  u32(v: number): void {
    this.align(4);
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0, 0);
    this.push(b);
  }

  uuid(u: string): void {
    this.align(4);
    this.push(uuidToBytes(u));
  }

  bytes(b: Buffer): void {
    this.push(b);
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.len);
  }
}
