// Typed errors of the DRS reply decompressors (MS-DRSR §4.1.10.6.18–.19): one class, one table.
// Like FormatError they say where (byte offset into the compressed input) and what was expected there.
import { HivewireError } from '../../../util/errors.js';

export const DRS_COMPRESSION_ERRORS = {
  ERR_DRS_COMPRESSION_ALGORITHM: 'compression algorithm not supported',
  ERR_DRS_COMPRESSION_LIMIT: 'declared uncompressed size over the limit or impossible for the input',
  ERR_DRS_COMPRESSION_TRUNCATED: 'compressed data ends early',
  ERR_DRS_COMPRESSION_DATA: 'compressed data does not decode',
  ERR_DRS_COMPRESSION_SIZE: 'decompressed size differs from the declared size',
  ERR_DRS_COMPRESSION_PICKLE: 'decompressed data is not an NDR type serialization stream',
} as const;

export type DrsCompressionErrorCode = keyof typeof DRS_COMPRESSION_ERRORS;

/** Which decoder reported the problem. */
export type DrsCompressionFormat = 'MSZIP' | 'XPRESS' | 'XPRESS-HUFFMAN' | 'pickle' | 'DRS_COMPRESSED_BLOB';

export class DrsCompressionError extends HivewireError {
  readonly format: DrsCompressionFormat;
  /** Byte offset into the input (the compressed blob, or the decompressed stream for 'pickle'). */
  readonly offset: number;
  /** What the decoder expected at `offset`. */
  readonly expected: string;
  readonly detail?: string;
  constructor(code: DrsCompressionErrorCode, format: DrsCompressionFormat, offset: number, expected: string, detail?: string) {
    // Bad compressed data is data, not a bug: a stack trace would cost more than the decode when a
    // hostile peer sends thousands (the fuzzer does).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(code, `${format}: ${DRS_COMPRESSION_ERRORS[code]}: at offset ${offset}: expected ${expected}${detail ? ` (${detail})` : ''}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.format = format;
    this.offset = offset;
    this.expected = expected;
    if (detail !== undefined) this.detail = detail;
  }
}
