// NTLMSSP (MS-NLMP): message codecs, key derivation, session security, client and server.
export * from './flags.js';
export * from './avpairs.js';
export { NTLMSSP_SIGNATURE, OUR_VERSION, type Version } from './wire.js';
export { decodeNegotiateMessage, encodeNegotiateMessage, type NegotiateMessage } from './negotiate.js';
export { decodeChallengeMessage, encodeChallengeMessage, type ChallengeMessage } from './challenge.js';
export { decodeAuthenticateMessage, encodeAuthenticateMessage, MIC_OFFSET, type AuthenticateMessage } from './authenticate.js';
export * from './compute.js';
export { NtlmSessionSecurity, NTLM_SIGNATURE_SIZE } from './session.js';
export { AUTH_TYPE_NTLM, fileTime, fileTimeToMs, type NtlmTestHooks } from './context.js';
export { NtlmClient, type NtlmClientOptions } from './client.js';
export { NtlmServer, type NtlmServerOptions, type AccountLookup } from './server.js';
