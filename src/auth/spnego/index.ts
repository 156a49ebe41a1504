// SPNEGO (RFC 4178, MS-SPNG) wrapping NTLMSSP.
export * from './tokens.js';
export { DerReader, decodeOid, encodeOid, tlv, MAX_DEPTH } from './der.js';
export { SpnegoClient, SpnegoServer, AUTH_TYPE_SPNEGO, type SpnegoServerOptions } from './context.js';
