// Incremental PDU framer (in the manner of pg-protocol's parser): bytes arrive in pieces of any size,
// whole frames come out. frag_length is checked against a limit before any byte of the body is kept,
// so a peer cannot make us buffer more than one maximal fragment.
import { FormatError } from '../util/errors.js';
import { HEADER_SIZE } from './pdu/constants.js';
import { PDU_FORMAT } from './pdu/reader.js';

/** frag_length is a u16: no fragment is ever larger. */
export const HARD_MAX_FRAG = 0xffff;

export class PduParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes consumed so far (for error offsets). */
  private consumed = 0;

  constructor(
    /** Largest frag_length accepted; callers lower it to the negotiated max_recv_frag after bind. */
    public maxFragLength: number = HARD_MAX_FRAG,
  ) {}

  /** Feeds bytes; calls `onFrame` for every whole frame. Throws FormatError on a bad frag_length. */
  push(data: Buffer, onFrame: (frame: Buffer) => void): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
    while (this.buffered >= HEADER_SIZE) {
      const head = this.peek(HEADER_SIZE);
      const fragLength = head.readUInt16LE(8);
      if (fragLength < HEADER_SIZE) {
        throw new FormatError(PDU_FORMAT, this.consumed + 8, `frag_length >= ${HEADER_SIZE}`, `got ${fragLength}`);
      }
      if (fragLength > this.maxFragLength) {
        throw new FormatError(PDU_FORMAT, this.consumed + 8, `frag_length <= ${this.maxFragLength}`, `got ${fragLength}`);
      }
      if (this.buffered < fragLength) return;
      const frame = this.take(fragLength);
      this.consumed += fragLength;
      onFrame(frame);
    }
  }

  /** Bytes held that do not yet form a whole frame. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first;
    const merged = Buffer.concat(this.chunks);
    this.chunks = [merged];
    return merged;
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    let frame: Buffer;
    if (first.length === n) {
      this.chunks.shift();
      frame = first;
    } else {
      // copy, so that a small frame does not pin a large socket buffer and in-place unsealing
      // never touches bytes of the next frame
      frame = Buffer.from(first.subarray(0, n));
      this.chunks[0] = first.subarray(n);
    }
    this.buffered -= n;
    return frame;
  }
}
