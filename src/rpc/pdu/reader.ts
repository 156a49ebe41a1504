// Bounds-checked little-endian reads over one PDU frame; every failure is a FormatError with the
// byte offset, so a malformed PDU never throws a RangeError or reads past its own frame.
import { FormatError } from '../../util/errors.js';
import { uuidFromBytes } from './uuid.js';

export const PDU_FORMAT = 'DCE/RPC PDU';

export function pduError(offset: number, expected: string, detail?: string): FormatError {
  return new FormatError(PDU_FORMAT, offset, expected, detail);
}

export class PduReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    /** Reads stop here (the start of the sec_trailer padding when there is one). */
    readonly end: number = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw pduError(this.pos, what, `${n} bytes needed, ${Math.max(0, this.end - this.pos)} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  uuid(what: string): string {
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

  align(n: number): void {
    const pad = (n - (this.pos % n)) % n;
    this.pos = Math.min(this.pos + pad, this.end);
  }
}
