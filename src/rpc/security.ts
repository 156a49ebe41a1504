// Protection of request/response PDUs with an established security context (MS-RPCE §3.3.1.5.2.2):
// integrity signs header + body + pad + sec_trailer; privacy seals body + pad and signs the same span.
// The signature is the auth token placed after the sec_trailer.
import type { SecurityContext } from '../auth/types.js';
import { RpcSecurityError } from './errors.js';
import { RPC_C_AUTHN_LEVEL_PKT_INTEGRITY, RPC_C_AUTHN_LEVEL_PKT_PRIVACY, SEC_TRAILER_SIZE } from './pdu/constants.js';
import type { BuiltFrame } from './pdu/header.js';
import type { DecodedPdu, SecTrailer } from './pdu/types.js';

/** The security state of one connection once the context is built. */
export interface ConnectionSecurity {
  ctx: SecurityContext;
  authType: number;
  authLevel: number;
  authContextId: number;
}

/** The sec_trailer (with room for the signature) for the next request/response, or none at connect level. */
export function trailerFor(sec: ConnectionSecurity | undefined): SecTrailer | undefined {
  if (!sec || sec.authLevel < RPC_C_AUTHN_LEVEL_PKT_INTEGRITY) return undefined;
  return {
    authType: sec.authType,
    authLevel: sec.authLevel,
    authPadLength: 0,
    authContextId: sec.authContextId,
    token: Buffer.alloc(sec.ctx.signatureSize),
  };
}

/** Signs or seals a frame built with `trailerFor` and writes the signature into its token. */
export function protectFrame(built: BuiltFrame, sec: ConnectionSecurity | undefined): Buffer {
  if (!sec || sec.authLevel < RPC_C_AUTHN_LEVEL_PKT_INTEGRITY) return built.frame;
  const { frame, bodyOffset, trailerOffset } = built;
  const signedEnd = trailerOffset + SEC_TRAILER_SIZE;
  const message = frame.subarray(0, signedEnd);
  const signature =
    sec.authLevel >= RPC_C_AUTHN_LEVEL_PKT_PRIVACY
      ? sec.ctx.sealInPlace(message, bodyOffset, trailerOffset)
      : sec.ctx.sign(message);
  signature.copy(frame, signedEnd, 0, Math.min(signature.length, frame.length - signedEnd));
  return frame;
}

/**
 * Verifies (and at privacy level decrypts in place) a received request/response. Throws
 * RpcSecurityError when the PDU lacks the protection the connection requires or does not verify.
 */
export function unprotectPdu(p: DecodedPdu, sec: ConnectionSecurity | undefined): void {
  if (!sec || sec.authLevel < RPC_C_AUTHN_LEVEL_PKT_INTEGRITY) return;
  const auth = p.auth;
  if (!auth) throw new RpcSecurityError(`${p.type} without the sec_trailer the auth level requires`);
  if (auth.authType !== sec.authType || auth.authLevel !== sec.authLevel || auth.authContextId !== sec.authContextId) {
    throw new RpcSecurityError(
      `${p.type} sec_trailer (type ${auth.authType}, level ${auth.authLevel}, context ${auth.authContextId}) ` +
        `does not match the connection (type ${sec.authType}, level ${sec.authLevel}, context ${sec.authContextId})`,
    );
  }
  if (auth.token.length < sec.ctx.signatureSize) {
    throw new RpcSecurityError(`${p.type} auth token of ${auth.token.length} bytes, expected ${sec.ctx.signatureSize}`);
  }
  const { frame, bodyOffset, trailerOffset } = p.info;
  const message = frame.subarray(0, trailerOffset + SEC_TRAILER_SIZE);
  const signature = auth.token.subarray(0, sec.ctx.signatureSize);
  try {
    if (sec.authLevel >= RPC_C_AUTHN_LEVEL_PKT_PRIVACY) sec.ctx.unsealInPlace(message, bodyOffset, trailerOffset, signature);
    else sec.ctx.verify(message, signature);
  } catch (err) {
    throw new RpcSecurityError(`${p.type} call_id ${p.callId} failed verification`, { cause: err });
  }
}
