// Incremental registry.pol reader: feed chunks as they arrive, get whole entries back (as pg-protocol
// does with PDUs). Memory held is the unread tail, at most one instruction plus one chunk, so a file of
// any size is read in bounded memory when its entries are consumed as they come.

import { createReadStream } from 'node:fs';
import { FormatError, shiftFormatError } from '../../util/errors.js';
import type { PolEntry } from './entry.js';
import { checkHeader, entryAt, newFields, POL_HEADER_SIZE, scanInstruction } from './parser.js';

export class PolStreamParser {
  private chunks: Buffer[] = [];
  private length = 0; // bytes in chunks
  private consumed = 0; // file offset of chunks[0][0]
  private need = POL_HEADER_SIZE; // don't try again before this many bytes are held
  private headerDone = false;
  private readonly fields = newFields();

  /** Adds bytes; returns the entries completed by them, in order. Throws FormatError on bad input. */
  push(chunk: Buffer): PolEntry[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this.length >= this.need ? this.drain(false) : [];
  }

  /** Signals the end of the input; throws FormatError if it stops inside the header or an instruction. */
  end(): PolEntry[] {
    const out = this.drain(true);
    if (!this.headerDone) {
      checkHeader(this.joined());
    }
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length !== 1) {
      this.chunks = [Buffer.concat(this.chunks, this.length)];
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private drain(final: boolean): PolEntry[] {
    const out: PolEntry[] = [];
    if (this.length === 0) return out;
    const buf = this.joined();
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < POL_HEADER_SIZE && !final) return out;
      checkHeader(buf);
      this.headerDone = true;
      pos = POL_HEADER_SIZE;
    }
    const end = buf.length;
    try {
      while (pos < end) {
        const next = scanInstruction(buf, pos, end, this.fields, final);
        if (next < 0) break;
        out.push(entryAt(buf, this.fields, pos + this.consumed));
        pos = next;
      }
    } catch (err) {
      // offsets inside the held tail become file offsets
      throw err instanceof FormatError ? shiftFormatError(err, this.consumed) : err;
    }
    this.need = pos < end ? Math.max(this.fields.need, end + 1) : 1;
    this.consumed += pos;
    this.chunks = pos < end ? [buf.subarray(pos)] : [];
    this.length = end - pos;
    this.need -= pos;
    return out;
  }
}

/** Reads a registry.pol file entry by entry without holding the whole file. */
export async function* readPolFile(path: string, options: { highWaterMark?: number } = {}): AsyncGenerator<PolEntry, void, undefined> {
  const parser = new PolStreamParser();
  const stream = createReadStream(path, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  try {
    for await (const chunk of stream) {
      yield* parser.push(chunk as Buffer);
    }
    yield* parser.end();
  } finally {
    stream.destroy();
  }
}
