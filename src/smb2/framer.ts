// Direct TCP transport framing (MS-SMB2 §2.1): 0x00 ‖ 24-bit big-endian length ‖ SMB2 message(s).
// The parser takes bytes in arbitrary pieces and hands out whole frames, like pg-protocol's parser:
// it never trusts one socket read to be one frame, and never buffers more than one frame's worth.
import { FormatError } from '../util/errors.js';
import { FORMAT } from './bytes.js';

export const DIRECT_TCP_HEADER_SIZE = 4;
/** The 24-bit length field cannot say more than this. */
export const MAX_DIRECT_TCP_LENGTH = 0xffffff;

export class FrameParser {
  private readonly maxFrameSize: number;
  private header = Buffer.alloc(DIRECT_TCP_HEADER_SIZE);
  private headerFill = 0;
  private body: Buffer | null = null;
  private bodyFill = 0;
  /** Bytes consumed so far, for error offsets. */
  private consumed = 0;

  constructor(maxFrameSize: number = MAX_DIRECT_TCP_LENGTH) {
    this.maxFrameSize = Math.min(maxFrameSize, MAX_DIRECT_TCP_LENGTH);
  }

  /** True when a frame has been started but not finished. */
  get partial(): boolean {
    return this.headerFill > 0 || this.body !== null;
  }

  /** Feeds a chunk; calls `onFrame` for every complete frame (its payload, without the 4-byte prefix). */
  parse(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let p = 0;
    while (p < chunk.length) {
      if (this.body === null) {
        // fast path: a whole frame inside this chunk, no copy
        if (this.headerFill === 0 && chunk.length - p >= DIRECT_TCP_HEADER_SIZE) {
          const len = this.readLength(chunk, p);
          if (chunk.length - p - DIRECT_TCP_HEADER_SIZE >= len) {
            const frame = chunk.subarray(p + DIRECT_TCP_HEADER_SIZE, p + DIRECT_TCP_HEADER_SIZE + len);
            p += DIRECT_TCP_HEADER_SIZE + len;
            this.consumed += DIRECT_TCP_HEADER_SIZE + len;
            onFrame(frame);
            continue;
          }
          this.body = Buffer.allocUnsafe(len);
          this.bodyFill = 0;
          p += DIRECT_TCP_HEADER_SIZE;
          this.consumed += DIRECT_TCP_HEADER_SIZE;
        } else {
          const n = Math.min(DIRECT_TCP_HEADER_SIZE - this.headerFill, chunk.length - p);
          chunk.copy(this.header, this.headerFill, p, p + n);
          this.headerFill += n;
          p += n;
          if (this.headerFill < DIRECT_TCP_HEADER_SIZE) return;
          const len = this.readLength(this.header, 0);
          this.headerFill = 0;
          this.consumed += DIRECT_TCP_HEADER_SIZE;
          this.body = Buffer.allocUnsafe(len);
          this.bodyFill = 0;
        }
      }
      const body = this.body!;
      const n = Math.min(body.length - this.bodyFill, chunk.length - p);
      chunk.copy(body, this.bodyFill, p, p + n);
      this.bodyFill += n;
      p += n;
      if (this.bodyFill === body.length) {
        this.body = null;
        this.consumed += body.length;
        onFrame(body);
      }
    }
  }

  private readLength(buf: Buffer, at: number): number {
    if (buf[at] !== 0) {
      throw new FormatError(FORMAT, this.consumed, 'Direct TCP header starting with 0x00', `got 0x${buf[at]!.toString(16)}`);
    }
    const len = buf.readUIntBE(at + 1, 3);
    if (len > this.maxFrameSize) {
      throw new FormatError(FORMAT, this.consumed, `a frame of at most ${this.maxFrameSize} bytes`, `length ${len}`);
    }
    if (len === 0) throw new FormatError(FORMAT, this.consumed, 'a non-empty frame');
    return len;
  }
}

/** Prefixes a frame payload with its Direct TCP header. */
export function encodeFrame(payload: Buffer): Buffer {
  if (payload.length > MAX_DIRECT_TCP_LENGTH) throw new RangeError(`SMB2 frame too large: ${payload.length}`);
  const out = Buffer.allocUnsafe(DIRECT_TCP_HEADER_SIZE + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, DIRECT_TCP_HEADER_SIZE);
  return out;
}

/** Just the 4-byte prefix, for writing header and payload separately (socket.cork). */
export function frameHeader(length: number): Buffer {
  const out = Buffer.allocUnsafe(DIRECT_TCP_HEADER_SIZE);
  out.writeUInt32BE(length, 0);
  return out;
}

/** Writes one frame: small ones as a single buffer (one syscall, no writev), large ones without a copy. */
export function writeFrame(socket: { write(b: Buffer): boolean; cork(): void; uncork(): void }, payload: Buffer): void {
  if (payload.length <= 16384) {
    socket.write(encodeFrame(payload));
    return;
  }
  socket.cork();
  socket.write(frameHeader(payload.length));
  socket.write(payload);
  socket.uncork();
}
