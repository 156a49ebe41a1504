// The decompressors' bad-input contract, asserted once: a typed DrsCompressionError (its offset and
// what was expected are checked by each test).
import { DrsCompressionError } from '../../../../src/interfaces/drsr/compression/index.js';
import { thrown } from '../../../harness/thrown.js';

export function err(f: () => unknown): DrsCompressionError {
  return thrown(DrsCompressionError, f);
}
