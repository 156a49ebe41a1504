// LZ77+Huffman (MS-XCA §2.1–2.2). DRS does not use it (DRS_COMP_ALG_WIN2K3 is Plain LZ77, see
// xpress.ts); Windows uses it for other payloads that travel with directory data, such as claims
// blobs. Each 64 KiB of output is a block: a 256-byte table of 512 4-bit code lengths (symbol 2k in
// the low nibble of byte k, 2k+1 in the high), then a bit stream read as little-endian 16-bit words,
// most significant bit first, with the extra length bytes of long matches taken from the byte stream
// in between. Symbols 0–255 are literals; 256–511 are matches: low nibble the length − 3 (15: more
// in the byte stream), high nibble the bit length of the offset, whose top bit is implied.
import { DrsCompressionError } from './errors.js';
import { checkDeclaredSize, type DecompressOptions } from './limits.js';

const BLOCK = 0x10000;
const TABLE_BYTES = 256;
const MAX_BITS = 15;
const INVALID = 0xffff;

/** Decompresses an LZ77+Huffman stream of exactly `uncompressedSize` bytes, or throws DrsCompressionError. */
export function decompressXpressHuffman(data: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // One match with a 32-bit length can cover any size, so only the cap bounds the allocation.
  checkDeclaredSize('XPRESS-HUFFMAN', uncompressedSize, Number.MAX_SAFE_INTEGER, 1, 1, opts);
  const out = Buffer.allocUnsafe(uncompressedSize);
  const table = new Uint16Array(1 << MAX_BITS); // 15-bit prefix → symbol | length << 9
  let i = 0;
  let o = 0;
  while (o < uncompressedSize) {
    if (input.length - i < TABLE_BYTES + 4) {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', i, 'a 256-byte Huffman table and 4 bytes of bit stream');
    }
    buildTable(input, i, table);
    i += TABLE_BYTES;
    // The bit buffer holds `avail` bits, MSB first; `fake` of them (at the bottom) are zeros added
    // after the input ran out, so that reading ahead at the end is harmless but using them is not.
    let bits = ((input[i + 1]! << 24) | (input[i]! << 16) | (input[i + 3]! << 8) | input[i + 2]!) >>> 0;
    i += 4;
    let avail = 32;
    let fake = 0;
    const blockEnd = Math.min(o + BLOCK, uncompressedSize);
    while (o < blockEnd) {
      const entry = table[bits >>> (32 - MAX_BITS)]!;
      if (entry === INVALID) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS-HUFFMAN', i, 'a code of the block\'s Huffman table');
      const len = entry >>> 9;
      bits = (bits << len) >>> 0;
      avail -= len;
      if (avail < 16) {
        // Refill 16 bits; past the end of the input, zeros that may be looked at but not used.
        if (input.length - i >= 2) {
          bits = (bits | (((input[i + 1]! << 8) | input[i]!) << (16 - avail))) >>> 0;
          i += 2;
        } else {
          fake += 16;
        }
        avail += 16;
      }
      if (avail < fake) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', input.length, 'more bits');
      const symbol = entry & 511;
      if (symbol < 256) {
        out[o++] = symbol;
        continue;
      }
      let length = symbol & 15;
      const offsetBits = (symbol >>> 4) & 15;
      if (length === 15) {
        if (i >= input.length) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', i, 'a length byte');
        length = input[i++]!;
        if (length === 255) {
          if (input.length - i < 2) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', i, 'a 2-byte length');
          length = input.readUInt16LE(i);
          i += 2;
          if (length === 0) {
            if (input.length - i < 4) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', i, 'a 4-byte length');
            length = input.readUInt32LE(i);
            i += 4;
          }
          if (length < 15) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS-HUFFMAN', i, 'an explicit match length of at least 15', `${length}`);
        } else {
          length += 15;
        }
      }
      length += 3;
      let offset = 1 << offsetBits;
      if (offsetBits > 0) {
        offset |= bits >>> (32 - offsetBits);
        bits = (bits << offsetBits) >>> 0;
        avail -= offsetBits;
        if (avail < 16) {
          if (input.length - i >= 2) {
            bits = (bits | (((input[i + 1]! << 8) | input[i]!) << (16 - avail))) >>> 0;
            i += 2;
          } else {
            fake += 16;
          }
          avail += 16;
        }
        if (avail < fake) throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', 'XPRESS-HUFFMAN', input.length, 'more bits');
      }
      if (offset > o) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS-HUFFMAN', i, `a match offset of at most ${o}`, `${offset}`);
      // A match may run past the end of its block, not past the declared size.
      if (length > uncompressedSize - o) {
        throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'XPRESS-HUFFMAN', i, `a match length of at most ${uncompressedSize - o}`, `${length}`);
      }
      let src = o - offset;
      const end = o + length;
      if (offset >= length && length > 32) {
        out.copyWithin(o, src, src + length);
        o = end;
      } else {
        while (o < end) out[o++] = out[src++]!;
      }
    }
  }
  return out;
}

/**
 * MS-XCA §2.2.4: canonical codes from the 4-bit lengths, in order of (length, symbol), spread over
 * a 15-bit lookup table. A code that oversubscribes the table is an error; entries no code reaches
 * stay INVALID (an incomplete code is only wrong if the stream uses one of them).
 */
function buildTable(input: Buffer, at: number, table: Uint16Array): void {
  const count = new Uint16Array(MAX_BITS + 1);
  for (let k = 0; k < TABLE_BYTES; k++) {
    const b = input[at + k]!;
    count[b & 15]!++;
    count[b >>> 4]!++;
  }
  count[0] = 0;
  // First code of each length, as a 15-bit left-aligned prefix.
  const next = new Uint32Array(MAX_BITS + 1);
  let code = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    next[len] = code;
    code += count[len]! << (MAX_BITS - len);
  }
  if (code === 0) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS-HUFFMAN', at, 'a Huffman table with at least one code');
  if (code > 1 << MAX_BITS) throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'XPRESS-HUFFMAN', at, 'code lengths that fit a prefix code', 'the table is oversubscribed');
  table.fill(INVALID, code);
  for (let len = 1; len <= MAX_BITS; len++) {
    if (count[len] === 0) continue;
    const span = 1 << (MAX_BITS - len);
    for (let s = 0; s < 512; s++) {
      const b = input[at + (s >>> 1)]!;
      if (((s & 1 ? b >>> 4 : b & 15)) !== len) continue;
      const start = next[len]!;
      table.fill(s | (len << 9), start, start + span);
      next[len] = start + span;
    }
  }
}
