// NDR decode/encode errors (C706 ch. 14, MS-RPCE §3.1.1.5.3 strict consistency checks).
// Every decode failure maps to one fault: nca_s_fault_ndr / RPC_X_BAD_STUB_DATA (MS-RPCE §3.1.3.5.2),
// so an RPC server can answer any NdrError with `err.faultStatus`.
import { HivewireError } from '../util/errors.js';

/** RPC_X_BAD_STUB_DATA (MS-ERREF §2.2), the fault a server sends for a stub that does not decode. */
export const RPC_X_BAD_STUB_DATA = 0x000006f7;

/** One line per stable code: what went wrong, in words a log reader understands. */
export const NDR_ERRORS = {
  ERR_NDR_SHORT: 'stub ends before the data it declares',
  ERR_NDR_COUNT: 'array count larger than the bytes that remain',
  ERR_NDR_RANGE: 'value outside its [range]',
  ERR_NDR_CONFORMANCE: 'max_count disagrees with its size_is expression',
  ERR_NDR_VARIANCE: 'offset/actual_count inconsistent with max_count or length_is',
  ERR_NDR_NULL_REF: 'null [ref] pointer',
  ERR_NDR_REFERENT: 'full pointer referent id reused for another type',
  ERR_NDR_UNION: 'bad union discriminant',
  ERR_NDR_STRING: 'string without its terminator',
  ERR_NDR_TRAILING: 'bytes left over after the last parameter',
  ERR_NDR_EXPRESSION: 'size/length/switch expression cannot be evaluated',
  ERR_NDR_ENCODE: 'value does not fit its NDR description',
} as const;

export type NdrErrorCode = keyof typeof NDR_ERRORS;

export class NdrError extends HivewireError {
  /** The fault status a server answers with (always nca_s_fault_ndr). */
  readonly faultStatus: number;
  /** Byte offset into the stub where the problem was found (-1 when encoding). */
  readonly offset: number;
  constructor(code: NdrErrorCode, offset: number, detail?: string) {
    // A bad stub is bad data, not a bug: code + offset say where, and a stack trace through the
    // decoder would cost more than the decode (a hostile client sends them by the thousand).
    const limit = Error.stackTraceLimit;
    if (code !== 'ERR_NDR_ENCODE') Error.stackTraceLimit = 0;
    try {
      super(code, `NDR: ${NDR_ERRORS[code]}${detail ? `: ${detail}` : ''}${offset >= 0 ? ` (at stub offset ${offset})` : ''}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.faultStatus = RPC_X_BAD_STUB_DATA;
    this.offset = offset;
  }
}
