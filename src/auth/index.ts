// Authentication: NTLMSSP (auth_type 10) and SPNEGO (auth_type 9) security contexts.
export * from './types.js';
export { AuthError, AuthMalformedError, AUTH_ERRORS, type AuthErrorCode } from './errors.js';
export * from './ntlm/index.js';
export * from './spnego/index.js';
