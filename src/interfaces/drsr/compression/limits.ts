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
