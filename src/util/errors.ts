// Error classes with stable codes (see docs/ARCHITECTURE.md, "Errors"). Protocol layers add their own
// subclasses (Win32Error, RpcFault, NtStatusError) next to their status tables; everything extends
// HivewireError so that callers can test `err instanceof HivewireError` and switch on `err.code`.

export class HivewireError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A file or text that does not parse: where it went wrong and what was expected there. */
export class FormatError extends HivewireError {
  /** Which format was being read, e.g. 'registry.pol', 'regf', '.reg'. */
  readonly format: string;
  /** Byte offset into the input where the problem was found (for text formats: of the line start). */
  readonly offset: number;
  /** What the reader expected at `offset`. */
  readonly expected: string;
  /** What was found instead, when known. */
  readonly detail?: string;
  /** For text formats: 1-based line and column. */
  readonly line?: number;
  readonly column?: number;

  constructor(format: string, offset: number, expected: string, detail?: string, pos?: { line: number; column: number }) {
    const where = pos ? `line ${pos.line}, column ${pos.column}` : `offset ${offset}`;
    super('ERR_FORMAT', `${format}: at ${where}: expected ${expected}${detail ? ` (${detail})` : ''}`);
    this.format = format;
    this.offset = offset;
    this.expected = expected;
    if (detail !== undefined) this.detail = detail;
    if (pos) {
      this.line = pos.line;
      this.column = pos.column;
    }
  }
}

/** The same error found `delta` bytes further into a larger input (a stream's held tail → file offset). */
export function shiftFormatError(err: FormatError, delta: number): FormatError {
  if (delta === 0) return err;
  const pos = err.line !== undefined ? { line: err.line, column: err.column ?? 0 } : undefined;
  return new FormatError(err.format, err.offset + delta, err.expected, err.detail, pos);
}

/** A bad argument or option given to the library or the CLI. */
export class UsageError extends HivewireError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}
