// The one check every decompressor makes before allocating: the declared uncompressed size is under
// the caller's cap and possible for the number of compressed bytes at hand.
import { DrsCompressionError, type DrsCompressionFormat } from './errors.js';

/** Default cap on a reply's uncompressed size (a DC's reply page is a few MB; Windows' default cap is 50 MB of objects). */
export const DEFAULT_MAX_UNCOMPRESSED = 128 * 1024 * 1024;

export interface DecompressOptions {
  /** Refuse to allocate more than this many bytes (default DEFAULT_MAX_UNCOMPRESSED). */
  maxUncompressedSize?: number;
}

/**
 * Throws unless `declared` is a size we may allocate: an integer within the cap, and no larger than
 * `input` bytes could hold when every chunk (at least `minChunk` bytes, header included) carries at
 * most `maxChunkOut` bytes.
 */
export function checkDeclaredSize(
  format: DrsCompressionFormat,
  declared: number,
  input: number,
  minChunk: number,
  maxChunkOut: number,
  opts: DecompressOptions | undefined,
): void {
  const cap = opts?.maxUncompressedSize ?? DEFAULT_MAX_UNCOMPRESSED;
  if (!Number.isSafeInteger(declared) || declared < 0 || declared > cap) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_LIMIT', format, 0, `an uncompressed size of at most ${cap}`, `declared ${declared}`);
  }
  const possible = Math.floor(input / minChunk) * maxChunkOut;
  if (declared > possible) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_LIMIT', format, 0, `an uncompressed size of at most ${possible} for ${input} compressed bytes`, `declared ${declared}`);
  }
}

/**
 * Where the next COMPRESSED_DATA header starts: blocks are padded to a double word boundary of the
 * blob (§4.1.10.2.17); the pad after the last block may be left out. The pad's content is ignored.
 */
export function nextHeader(end: number, length: number): number {
  return Math.min((end + 3) & ~3, length);
}

/**
 * The 8-byte header in front of each MSZIP block and XPRESS chunk (MS-DRSR §4.1.10.2.17/§4.1.10.2.18:
 * cbDecompressedSize, cbCompressedSize), checked against the format's block size, what is left of the
 * declared size and the bytes left in the blob.
 */
export function readBlockHeader(
  format: DrsCompressionFormat,
  input: Buffer,
  pos: number,
  maxPlain: number,
  remaining: number,
): { plain: number; comp: number } {
  if (input.length - pos < 8) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', format, pos, 'an 8-byte block header', `${input.length - pos} bytes left`);
  }
  const plain = input.readUInt32LE(pos);
  const comp = input.readUInt32LE(pos + 4);
  if (plain > maxPlain) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_DATA', format, pos, `cbDecompressedSize of at most ${maxPlain}`, `${plain}`);
  }
  if (plain > remaining) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', format, pos, `cbDecompressedSize of at most ${remaining} (what is left of the declared size)`, `${plain}`);
  }
  if (comp > input.length - pos - 8) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_TRUNCATED', format, pos + 4, `cbCompressedSize of at most ${input.length - pos - 8}`, `${comp}`);
  }
  return { plain, comp };
}
