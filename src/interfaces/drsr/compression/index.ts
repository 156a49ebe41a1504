// Compressed GetNCChanges replies (MS-DRSR §4.1.10.6.18 DecompressReplyMessage, §4.1.10.6.19
// DecompressMessage): DRS_MSG_GETCHGREPLY_V7 (and V2) carry a DRS_COMPRESSED_BLOB holding a
// compressed NDR pickle of the V6/V9 (V1) reply.
import { ndrDecode } from '../../../ndr/index.js';
import { DRS_MSG_GETCHGREPLY_V1, DRS_MSG_GETCHGREPLY_V6, DRS_MSG_GETCHGREPLY_V9 } from '../types.js';
import type { DRS_MSG_GETCHGREPLY_V6_t, DRS_MSG_GETCHGREPLY_V9_t } from '../types.js';
import { DrsCompressionError } from './errors.js';
import type { DecompressOptions } from './limits.js';
import { decompressMszip } from './mszip.js';
import { pickleBody } from './pickle.js';
import { decompressXpress } from './xpress.js';

export { DrsCompressionError, DRS_COMPRESSION_ERRORS, type DrsCompressionErrorCode, type DrsCompressionFormat } from './errors.js';
export { DEFAULT_MAX_UNCOMPRESSED, type DecompressOptions } from './limits.js';
export { decompressMszip, MSZIP_BLOCK_SIZE } from './mszip.js';
export { decompressXpress, decompressLz77, XPRESS_CHUNK_SIZE } from './xpress.js';
export { decompressXpressHuffman } from './huffman.js';
export { pickleBody } from './pickle.js';

// §4.1.10.2.18 DRS_COMP_ALG_TYPE
export const DRS_COMP_ALG_NONE = 0;
export const DRS_COMP_ALG_UNUSED = 1;
export const DRS_COMP_ALG_MSZIP = 2;
export const DRS_COMP_ALG_WIN2K3 = 3;

/** Decompresses a DRS_COMPRESSED_BLOB's bytes: the NDR pickle, exactly `uncompressedSize` bytes long. */
export function decompressDrsBlob(alg: number, compressed: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  // §4.1.10.6.19: equal sizes mean the stream was sent uncompressed, whatever the algorithm says.
  if (compressed.length === uncompressedSize && (alg === DRS_COMP_ALG_MSZIP || alg === DRS_COMP_ALG_WIN2K3)) alg = DRS_COMP_ALG_NONE;
  switch (alg) {
    case DRS_COMP_ALG_MSZIP:
      return decompressMszip(compressed, uncompressedSize, opts);
    case DRS_COMP_ALG_WIN2K3:
      return decompressXpress(compressed, uncompressedSize, opts);
    case DRS_COMP_ALG_NONE: {
      // TransformOutput may pick "no compression" and still send V7: the blob is the pickle itself.
      if (compressed.length !== uncompressedSize) {
        throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'DRS_COMPRESSED_BLOB', 0, `${uncompressedSize} bytes (DRS_COMP_ALG_NONE)`, `${compressed.length}`);
      }
      return Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength);
    }
    default:
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_ALGORITHM', 'DRS_COMPRESSED_BLOB', 0, 'DRS_COMP_ALG_NONE, DRS_COMP_ALG_MSZIP or DRS_COMP_ALG_WIN2K3', `${alg}`);
  }
}

/**
 * Turns a compressed reply's blob into the NDR stream of the inner reply (the object buffer of the
 * pickle), ready for ndrDecode with DRS_MSG_GETCHGREPLY_V1/V6/V9.
 */
export function decodeCompressedCtr(alg: number, compressed: Uint8Array, uncompressedSize: number, opts?: DecompressOptions): Buffer {
  return pickleBody(decompressDrsBlob(alg, compressed, uncompressedSize, opts));
}

/** The fields of DRS_MSG_GETCHGREPLY_V7 (§4.1.10.2.13) as types.ts decodes them. */
export interface CompressedReplyV7 {
  dwCompressedVersion: number;
  CompressionAlg: number;
  CompressedAny: { cbUncompressedSize: number; cbCompressedSize: number; pbCompressedData: Uint8Array | null };
}

export type DecompressedReply = { version: 6; reply: DRS_MSG_GETCHGREPLY_V6_t } | { version: 9; reply: DRS_MSG_GETCHGREPLY_V9_t };

/** DecompressReplyMessage (§4.1.10.6.18) for a V7 reply: the V6 or V9 reply it carries, decoded. */
export function decompressGetChgReplyV7(v7: CompressedReplyV7, opts?: DecompressOptions): DecompressedReply {
  const ndr = compressedNdr(v7.CompressionAlg, v7.CompressedAny, opts);
  switch (v7.dwCompressedVersion) {
    case 6:
      return { version: 6, reply: ndrDecode(DRS_MSG_GETCHGREPLY_V6, ndr, { allowTrailing: true }) };
    case 9:
      return { version: 9, reply: ndrDecode(DRS_MSG_GETCHGREPLY_V9, ndr, { allowTrailing: true }) };
    default:
      throw new DrsCompressionError('ERR_DRS_COMPRESSION_PICKLE', 'DRS_COMPRESSED_BLOB', 0, 'dwCompressedVersion 6 or 9', `${v7.dwCompressedVersion}`);
  }
}

/** DecompressReplyMessage (§4.1.10.6.18) for a V2 reply (a compressed V1; MSZIP only, §4.1.10.5.20). */
export function decompressGetChgReplyV2(v2: { CompressedV1: CompressedReplyV7['CompressedAny'] }, opts?: DecompressOptions) {
  return ndrDecode(DRS_MSG_GETCHGREPLY_V1, compressedNdr(DRS_COMP_ALG_MSZIP, v2.CompressedV1, opts), { allowTrailing: true });
}

function compressedNdr(alg: number, blob: CompressedReplyV7['CompressedAny'], opts?: DecompressOptions): Buffer {
  const data = blob.pbCompressedData ?? Buffer.alloc(0);
  if (data.length !== blob.cbCompressedSize) {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_SIZE', 'DRS_COMPRESSED_BLOB', 0, `cbCompressedSize ${blob.cbCompressedSize} bytes of data`, `${data.length}`);
  }
  return decodeCompressedCtr(alg, data, blob.cbUncompressedSize, opts);
}
