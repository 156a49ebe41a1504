// DRS_COMP_ALG_WIN2K3 (MS-DRSR §4.1.10.5.21): LZ77 matches in the DIRECT2 encoding — the format
// MS-XCA §2.3–2.4 calls "Plain LZ77". On the wire a DRS blob is a sequence of chunks, each
//   uncompressed size (u32, at most 64 KiB) | compressed size (u32) | LZ77+DIRECT2 data
// and every chunk decodes on its own (its matches reach back only into its own output); a chunk
// whose two sizes are equal is stored as is (§4.1.10.6.19). Chunks start on 4-byte boundaries, as
// MSZIP blocks do (§4.1.10.2.17).
import { DrsCompressionError } from './errors.js';
import { checkDeclaredSize, nextHeader, readBlockHeader, type DecompressOptions } from './limits.js';

/** A WIN2K3 chunk holds at most 64 KiB of uncompressed data. */
export const XPRESS_CHUNK_SIZE = 0x10000;
const HEADER = 8;

/** Decompresses a DRS WIN2K3 (XPRESS) blob into exactly `uncompressedSize` bytes, or throws DrsCompressionError. */
export function decompressXpress(blob: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  const input = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  // A non-empty chunk needs its header, one flags word and one byte.
  checkDeclaredSize('XPRESS', uncompressedSize, input.length, HEADER + 5, XPRESS_CHUNK_SIZE, opts);
  const out = Buffer.allocUnsafe(uncompressedSize);
  let pos = 0;
  let produced = 0;
  while (pos < input.length) {
    const { plain, comp } = readBlockHeader('XPRESS', input, pos, XPRESS_CHUNK_SIZE, uncompressedSize - produced);
    pos += HEADER;
    if (plain === comp) {
      // §4.1.10.6.19: a chunk whose two sizes are equal is stored, not compressed.
      input.copy(out, produced, pos, pos + comp);
      produced += plain;
      pos = nextHeader(pos + comp, input.length);
      continue;
    }
    const end = decompressLz77Into(input, pos, pos + comp, out, produced, produced + plain);
    if (end !== produced + plain) {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS', pos, `a chunk of ${plain} bytes`, `it decodes to ${end - produced}`);
    }
    produced = end;
    pos = nextHeader(pos + comp, input.length);
  }
  if (produced !== uncompressedSize) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS', pos, `${uncompressedSize} uncompressed bytes`, `the chunks hold ${produced}`);
  }
  return out;
}

/** Decodes one unframed Plain LZ77 stream (MS-XCA §2.4) of exactly `uncompressedSize` bytes. */
export function decompressLz77(data: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // A 2-byte match word can carry a 32-bit length, so bound by the cap alone (minChunk 1, any output).
  checkDeclaredSize('XPRESS', uncompressedSize, Number.MAX_SAFE_INTEGER, 1, 1, opts);
  const out = Buffer.allocUnsafe(uncompressedSize);
  const end = decompressLz77Into(input, 0, input.length, out, 0, uncompressedSize);
  if (end !== uncompressedSize) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS', 0, `${uncompressedSize} uncompressed bytes`, `the stream holds ${end}`);
  }
  return out;
}

/**
 * MS-XCA §2.4.4 / MS-DRSR §4.1.10.5.21.2: decodes input[start, stop) into out[outStart, outLimit) and
 * returns the end of the output. The stream ends where the input does — at a flag word, or at a set
 * flag bit (the "1" that marks the end); ending inside a flag word or a match is truncation. Matches
 * may not reach before `outStart` nor write past `outLimit`.
 */
function decompressLz77Into(inputBuf: Buffer, start: number, stop: number, outBuf: Buffer, outStart: number, outLimit: number): number {
  // Plain Uint8Array views: element access on them is what the JIT optimizes best.
  const input = new Uint8Array(inputBuf.buffer, inputBuf.byteOffset, inputBuf.byteLength);
  const out = new Uint8Array(outBuf.buffer, outBuf.byteOffset, outBuf.byteLength);
  let i = start;
  let o = outStart;
  let flags = 0; // the unread flag bits, next one in the most significant bit
  let flagCount = 0;
  let halfByte = -1; // where the shared length nibble byte is, while its high nibble is unused
  for (;;) {
    if (flagCount === 0) {
      if (i === stop) return o;
      if (stop - i < 4) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a 4-byte flags word');
      flags = (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24)) >>> 0;
      i += 4;
      flagCount = 32;
    }
    // A run of 0 bits is a run of literals: copy them at once.
    const run = Math.min(Math.clz32(flags), flagCount);
    if (run > 0) {
      const n = Math.min(run, stop - i);
      if (n > outLimit - o) throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS', i + (outLimit - o), 'no more data (the output is full)', 'a literal byte');
      if (n > 32) {
        out.set(input.subarray(i, i + n), o);
        o += n;
        i += n;
      } else {
        for (let k = 0; k < n; k++) out[o++] = input[i++]!;
      }
      if (n < run) return o; // the input ends inside the run: that is the end of the stream
      flagCount -= run;
      flags = run === 32 ? 0 : (flags << run) >>> 0;
      if (flagCount === 0) continue;
    }
    // The next bit is a 1: a match, or the end of the stream if the input ends here.
    flags = (flags << 1) >>> 0;
    flagCount--;
    if (i === stop) return o;
    if (stop - i < 2) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a 2-byte match');
    const at = i;
    const word = input[i]! | (input[i + 1]! << 8);
    i += 2;
    let length = word & 7;
    const offset = (word >>> 3) + 1;
    if (length === 7) {
      if (halfByte < 0) {
        if (i === stop) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a length nibble byte');
        length = input[i]! & 15;
        halfByte = i++;
      } else {
        length = input[halfByte]! >>> 4;
        halfByte = -1;
      }
      if (length === 15) {
        if (i === stop) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a length byte');
        length = input[i++]!;
        if (length === 255) {
          if (stop - i < 2) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a 2-byte length');
          length = input[i]! | (input[i + 1]! << 8);
          i += 2;
          if (length === 0) {
            if (stop - i < 4) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS', i, 'a 4-byte length');
            length = (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24)) >>> 0;
            i += 4;
          }
          if (length < 15 + 7) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS', i, 'an explicit match length of at least 22', `${length}`);
          length -= 15 + 7;
        }
        length += 15;
      }
      length += 7;
    }
    length += 3;
    if (offset > o - outStart) {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS', at, `a match offset of at most ${o - outStart}`, `${offset}`);
    }
    if (length > outLimit - o) {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS', at, `a match length of at most ${outLimit - o} (what is left of the chunk)`, `${length}`);
    }
    if (length <= 32 || offset < 8) {
      // Short or overlapping matches byte by byte (an overlap repeats the last `offset` bytes).
      let src = o - offset;
      const end = o + length;
      while (o < end) out[o++] = out[src++]!;
    } else {
      o = copyLongMatch(out, o, offset, length);
    }
  }
}

/** Copies a long match in non-overlapping runs, each as long as what is already written allows. */
function copyLongMatch(out: Uint8Array, o: number, offset: number, length: number): number {
  const src = o - offset;
  const end = o + length;
  while (o < end) {
    const n = Math.min(end - o, o - src);
    out.copyWithin(o, src, src + n);
    o += n;
  }
  return o;
}
