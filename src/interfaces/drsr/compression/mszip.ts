// DRS_COMP_ALG_MSZIP (MS-DRSR §4.1.10.2.17–.18, §4.1.10.6.19; RFC 1951; the MSZIP "CK" block of
// MS-MCI): a sequence of COMPRESSED_DATA blocks, each
//   cbDecompressedSize (u32, at most 32 KiB) | cbCompressedSize (u32) | "CK" | raw DEFLATE stream
// where every block's DEFLATE stream may refer back into the output of the blocks before it, and a
// block whose two sizes are equal is stored as is (§4.1.10.6.19). Each block starts on a 4-byte
// boundary of the blob (§4.1.10.2.17: data "padded ... so that the block ends on a double word boundary").
//
// Inflating uses node:zlib (the zlib C library): it is the reference DEFLATE decoder, an order of
// magnitude faster than one written in JavaScript, and it takes a preset dictionary — which is exactly
// how MSZIP carries history from one block to the next. Each block is inflated on its own with the
// previous ≤ 32 KiB of output as dictionary and its output bounded by its declared size.
import { inflateRawSync } from 'node:zlib';
import { DrsCompressionError } from './errors.js';
import { checkDeclaredSize, nextHeader, readBlockHeader, type DecompressOptions } from './limits.js';

/** MSZIP blocks hold at most 32 KiB of uncompressed data (the DEFLATE window). */
export const MSZIP_BLOCK_SIZE = 0x8000;
const HEADER = 8;
const CK = 0x4b43; // "CK" read as a little-endian u16
// Smallest block: header, "CK", and a 2-byte empty final DEFLATE block.
const MIN_BLOCK = HEADER + 2 + 2;

/** Decompresses a DRS MSZIP blob into exactly `uncompressedSize` bytes, or throws DrsCompressionError. */
export function decompressMszip(blob: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  const input = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  checkDeclaredSize('MSZIP', uncompressedSize, input.length, MIN_BLOCK, MSZIP_BLOCK_SIZE, opts);
  const out = Buffer.allocUnsafe(uncompressedSize);
  let pos = 0; // into input
  let produced = 0;
  while (pos < input.length) {
    const { plain, comp } = readBlockHeader('MSZIP', input, pos, MSZIP_BLOCK_SIZE, uncompressedSize - produced);
    pos += HEADER;
    if (plain === comp) {
      // §4.1.10.6.19: a block whose two sizes are equal is stored, not compressed.
      input.copy(out, produced, pos, pos + comp);
      produced += plain;
      pos = nextHeader(pos + comp, input.length);
      continue;
    }
    if (comp < 2 || input.readUInt16LE(pos) !== CK) {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'MSZIP', pos, 'the "CK" block signature');
    }
    const deflated = input.subarray(pos + 2, pos + comp);
    const dictionary = produced > 0 ? out.subarray(Math.max(0, produced - MSZIP_BLOCK_SIZE), produced) : undefined;
    inflateBlock(deflated, dictionary, plain, out, produced, pos + 2);
    produced += plain;
    pos = nextHeader(pos + comp, input.length);
  }
  if (produced !== uncompressedSize) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'MSZIP', pos, `${uncompressedSize} uncompressed bytes`, `the blocks hold ${produced}`);
  }
  return out;
}

function inflateBlock(deflated: Buffer, dictionary: Buffer | undefined, plain: number, out: Buffer, at: number, offset: number): void {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    // maxOutputLength must be ≥ 1; a block that should be empty but inflates to 1 byte is caught below.
    // chunkSize: one output buffer for the whole block (zlib's minimum is 64).
    result = inflateRawSync(deflated, { dictionary, maxOutputLength: Math.max(plain, 1), chunkSize: Math.max(plain, 64), info: true }) as unknown as typeof result;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'MSZIP', offset, `a DEFLATE stream of ${plain} bytes`, 'it inflates to more');
    }
    const code = err.code === 'Z_BUF_ERROR' ? 'ERR_DRS_COMPRESSION_TRUNCATED' : 'ERR_DRS_COMPRESSION_DATA';
    throw new DrsCompressionError(code, 'MSZIP', offset, 'a raw DEFLATE stream', err.message);
  }
  const { buffer, engine } = result;
  if (buffer.length !== plain) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'MSZIP', offset, `a DEFLATE stream of ${plain} bytes`, `it inflates to ${buffer.length}`);
  }
  if (engine.bytesWritten !== deflated.length) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', 'MSZIP', offset + engine.bytesWritten, 'the next block header after the final DEFLATE block', `${deflated.length - engine.bytesWritten} bytes left in the block`);
  }
  buffer.copy(out, at);
}
