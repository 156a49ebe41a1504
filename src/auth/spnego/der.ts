// A small ASN.1 DER reader/writer: just what SPNEGO (RFC 4178, MS-SPNG) needs. Every length is checked
// against the bytes that remain; nesting is limited; indefinite lengths (BER only) are refused.
import { AuthMalformedError } from '../errors.js';

export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_OID = 0x06;
export const TAG_ENUMERATED = 0x0a;
export const TAG_GENERAL_STRING = 0x1b;
export const TAG_SEQUENCE = 0x30;
/** [APPLICATION 0] constructed: the GSS-API InitialContextToken wrapper (RFC 2743 §3.1). */
export const TAG_APPLICATION_0 = 0x60;
/** [n] constructed, context-specific. */
export const context = (n: number) => 0xa0 | n;

/** Deepest nesting a reader accepts (SPNEGO needs 5). */
export const MAX_DEPTH = 8;

export interface Tlv {
  tag: number;
  /** Offset of the tag byte, relative to the outermost input. */
  offset: number;
  /** Offset of the contents, relative to the outermost input. */
  valueOffset: number;
  value: Buffer;
}

export class DerReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    readonly token: string,
    private readonly base = 0,
    private readonly depth = 0,
  ) {
    if (depth > MAX_DEPTH) throw new AuthMalformedError(token, base, `DER nesting deeper than ${MAX_DEPTH}`);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Tag of the next element, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }

  read(expectedTag?: number): Tlv {
    const b = this.buf;
    const at = this.pos;
    if (b.length - at < 2) throw this.fail(at, 'DER element truncated in its header');
    const tag = b[at]!;
    if ((tag & 0x1f) === 0x1f) throw this.fail(at, 'multi-byte DER tags are not used here');
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw this.fail(at, `DER tag 0x${tag.toString(16)}, expected 0x${expectedTag.toString(16)}`);
    }
    let p = at + 1;
    let len = b[p++]!;
    if (len === 0x80) throw this.fail(at + 1, 'indefinite length is not DER');
    if (len > 0x80) {
      const n = len & 0x7f;
      if (n > 4) throw this.fail(at + 1, `length of ${n} bytes`);
      if (b.length - p < n) throw this.fail(at + 1, 'DER length truncated');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
    }
    if (len > b.length - p) throw this.fail(at + 1, `DER length ${len} runs past the end (${b.length - p} bytes left)`);
    this.pos = p + len;
    return { tag, offset: this.base + at, valueOffset: this.base + p, value: b.subarray(p, p + len) };
  }

  /** A reader over the contents of a constructed element. */
  enter(tlv: Tlv): DerReader {
    return new DerReader(tlv.value, this.token, tlv.valueOffset, this.depth + 1);
  }

  /** Reads [n] { inner } and returns a reader over the inner element. */
  readExplicit(n: number): DerReader {
    return this.enter(this.read(context(n)));
  }

  expectEnd(what: string): void {
    if (!this.done) throw this.fail(this.pos, `trailing bytes after ${what}`);
  }

  fail(at: number, detail: string): AuthMalformedError {
    return new AuthMalformedError(this.token, this.base + at, detail);
  }
}

export function decodeOid(tlv: Tlv, token: string): string {
  const v = tlv.value;
  if (v.length === 0 || v.length > 64) throw new AuthMalformedError(token, tlv.offset, `OID of ${v.length} bytes`);
  const arcs: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 256) throw new AuthMalformedError(token, tlv.offset, 'OID arc too large');
    if (!(v[i]! & 0x80)) {
      arcs.push(n);
      n = 0;
    } else if (i === v.length - 1) {
      throw new AuthMalformedError(token, tlv.offset, 'OID ends inside an arc');
    }
  }
  const first = arcs.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...arcs].join('.');
}

export function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((x) => !Number.isInteger(x) || x < 0)) throw new RangeError(`bad OID ${oid}`);
  const out: number[] = [];
  const push = (n: number) => {
    const groups = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) groups.unshift(0x80 | (n & 0x7f));
    out.push(...groups);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG_OID, Buffer.from(out));
}
