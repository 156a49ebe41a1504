// The decompressors' bad-input contract, asserted once: a typed DrsCompressionError (its offset and
// what was expected are checked by each test).
import { expect } from 'vitest';
import { DrsCompressionError } from '../../../../src/interfaces/drsr/compression/index.js';

export function err(f: () => unknown): DrsCompressionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DrsCompressionError);
    return e as DrsCompressionError;
  }
  throw new Error('expected a DrsCompressionError');
}
