// What NtlmClient and NtlmServer share: the SecurityContext surface over an NtlmSessionSecurity.
import { randomBytes } from 'node:crypto';
import { AuthError } from '../errors.js';
import type { AuthIdentity, AuthStep, SecurityContext } from '../types.js';
import { NTLM_SIGNATURE_SIZE, NtlmSessionSecurity } from './session.js';

/** RPC_C_AUTHN_WINNT (MS-RPCE §2.2.1.1.7). */
export const AUTH_TYPE_NTLM = 10;

/** Injection points for tests (fixed challenges, clock); production leaves them unset. */
export interface NtlmTestHooks {
  randomBytes?: (n: number) => Buffer;
  /** Milliseconds since the Unix epoch. */
  now?: () => number;
}

export abstract class NtlmContext implements SecurityContext {
  readonly authType = AUTH_TYPE_NTLM;
  readonly signatureSize = NTLM_SIGNATURE_SIZE;
  protected done = false;
  protected exportedSessionKey: Buffer | undefined;
  /** Session security, once the exchange completed (undefined for anonymous/guest without a key). */
  session: NtlmSessionSecurity | undefined;
  /** NegotiateFlags in effect after the exchange. */
  negotiatedFlags = 0;
  identity?: AuthIdentity;
  protected readonly random: (n: number) => Buffer;
  protected readonly now: () => number;

  constructor(hooks: NtlmTestHooks | undefined) {
    this.random = hooks?.randomBytes ?? randomBytes;
    this.now = hooks?.now ?? Date.now;
  }

  get complete(): boolean {
    return this.done;
  }

  get sessionKey(): Buffer {
    if (!this.done || !this.exportedSessionKey) throw new AuthError('ERR_AUTH_STATE', 'no session key before the exchange completes');
    return this.exportedSessionKey;
  }

  abstract step(input: Buffer | undefined): AuthStep;

  protected security(): NtlmSessionSecurity {
    if (!this.done) throw new AuthError('ERR_AUTH_STATE', 'session security is not available before completion');
    if (!this.session) throw new AuthError('ERR_AUTH_STATE', 'a guest session has no session security');
    return this.session;
  }

  sign(message: Buffer): Buffer {
    return this.security().sign(message);
  }
  verify(message: Buffer, signature: Buffer): void {
    this.security().verify(message, signature);
  }
  sealInPlace(message: Buffer, start: number, end: number): Buffer {
    return this.security().sealInPlace(message, start, end);
  }
  unsealInPlace(message: Buffer, start: number, end: number, signature: Buffer): void {
    this.security().unsealInPlace(message, start, end, signature);
  }
}

/** FILETIME (100 ns since 1601-01-01) from Unix milliseconds, as 8 little-endian bytes. */
export function fileTime(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(Math.floor(ms)) + 11644473600000n) * 10000n);
  return b;
}

export function fileTimeToMs(b: Buffer): number {
  return Number(b.readBigUInt64LE(0) / 10000n - 11644473600000n);
}
