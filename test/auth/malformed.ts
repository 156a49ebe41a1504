// The auth decoders' bad-input contract, asserted once: a typed AuthMalformedError with its stable
// code and STATUS_INVALID_PARAMETER for the SMB2/RPC layers.
import { expect } from 'vitest';
import { AuthMalformedError } from '../../src/auth/errors.js';
import { HivewireError } from '../../src/util/errors.js';

export function malformed(fn: () => unknown): AuthMalformedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HivewireError);
    expect(err).toBeInstanceOf(AuthMalformedError);
    const e = err as AuthMalformedError;
    expect(e.code).toBe('ERR_AUTH_MALFORMED');
    expect(e.status).toBe(0xc000000d);
    return e;
  }
  throw new Error('expected AuthMalformedError');
}
