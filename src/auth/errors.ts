// Authentication errors (NTLM and SPNEGO). One table: stable code → NTSTATUS the SMB2 server answers with
// (MS-ERREF §2.3.1) and a message. RPC maps any AuthError on a bind to a bind_nak/fault of its own.
import { HivewireError } from '../util/errors.js';

export const AUTH_ERRORS = {
  /** Wrong password, unknown user, bad NTLMv2 response, expired timestamp. */
  ERR_AUTH_LOGON_FAILURE: { status: 0xc000006d, name: 'STATUS_LOGON_FAILURE', text: 'logon failure' },
  /** The MIC in the AUTHENTICATE_MESSAGE or the SPNEGO mechListMIC does not match. */
  ERR_AUTH_BAD_MIC: { status: 0xc000006d, name: 'STATUS_LOGON_FAILURE', text: 'message integrity code mismatch' },
  /** A signed or sealed message whose signature does not verify (tampered, replayed or out of order). */
  ERR_AUTH_BAD_SIGNATURE: { status: 0xc0000022, name: 'STATUS_ACCESS_DENIED', text: 'bad message signature' },
  /** A token that does not decode: truncated, offsets outside the message, bad DER... */
  ERR_AUTH_MALFORMED: { status: 0xc000000d, name: 'STATUS_INVALID_PARAMETER', text: 'malformed security token' },
  /** Anonymous or guest logon while the server does not allow it. */
  ERR_AUTH_ANONYMOUS_REFUSED: { status: 0xc000006d, name: 'STATUS_LOGON_FAILURE', text: 'anonymous/guest logon refused' },
  /** NTLMv1 (or LM) response while only NTLMv2 is allowed. */
  ERR_AUTH_NTLMV1_REFUSED: { status: 0xc0000418, name: 'STATUS_NTLM_BLOCKED', text: 'NTLMv1 refused' },
  /** The peer asks for something we do not do (no common mechanism, no Unicode, missing key for sealing). */
  ERR_AUTH_NOT_SUPPORTED: { status: 0xc00000bb, name: 'STATUS_NOT_SUPPORTED', text: 'not supported' },
  /** A method called in the wrong state (step after completion, sign before completion...). */
  ERR_AUTH_STATE: { status: 0xc00000bb, name: 'STATUS_NOT_SUPPORTED', text: 'security context in the wrong state' },
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export class AuthError extends HivewireError {
  declare readonly code: AuthErrorCode;
  /** NTSTATUS to report (SMB2 SESSION_SETUP), kept as a number. */
  readonly status: number;
  constructor(code: AuthErrorCode, detail?: string, options?: { cause?: unknown }) {
    const e = AUTH_ERRORS[code];
    super(code, detail ? `${e.text}: ${detail}` : e.text, options);
    this.status = e.status;
  }
}

/** A token that does not decode; `offset` is where in the token it went wrong. */
export class AuthMalformedError extends AuthError {
  /** Which token was being read, e.g. 'NTLM CHALLENGE_MESSAGE', 'SPNEGO NegTokenResp'. */
  readonly token: string;
  readonly offset: number;
  constructor(token: string, offset: number, detail: string) {
    super('ERR_AUTH_MALFORMED', `${token} at offset ${offset}: ${detail}`);
    this.token = token;
    this.offset = offset;
  }
}
