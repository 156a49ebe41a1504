import { FormatError } from '../../src/util/errors.js';
import { thrown } from '../harness/thrown.js';

export { fixture } from './corpus.js';

/** Runs `fn`, expects a FormatError, returns it. */
export function formatError(fn: () => unknown): FormatError {
  return thrown(FormatError, fn);
}
