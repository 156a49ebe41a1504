import { expect } from 'vitest';
import { FormatError } from '../../src/util/errors.js';

export { fixture } from './corpus.js';

/** Runs `fn`, expects a FormatError, returns it. */
export function formatError(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError, nothing was thrown');
}
