// hivewire library entry point: everything a program needs, by layer (see docs/ARCHITECTURE.md).

export * from './util/errors.js';
export * from './formats/value.js';
export * from './formats/regpol/index.js';
export * from './formats/tree.js';
export * from './formats/regf/index.js';
export * from './formats/regtext/index.js';
export * from './policy/index.js';
export { AuthError, AuthMalformedError, NtlmClient, NtlmServer, SpnegoClient, SpnegoServer, type Account, type AuthIdentity, type SecurityContext } from './auth/index.js';
export * as ndr from './ndr/index.js'; // NDR 2.0 descriptions for custom interfaces (docs/NDR.md)
export { Smb2Server, Smb2Client, Smb2Pipe, NtStatus, NtStatusError, Smb2ConnectionError, type Smb2ServerOptions, type Smb2ClientOptions, type PipeInfo, type PipeHandler } from './smb2/index.js';
export * as rpc from './rpc/index.js'; // DCE/RPC client, server, faults; transports and the endpoint mapper below
export * as transport from './transport/index.js';
export * as epm from './interfaces/epm/index.js';
export * as drsr from './interfaces/drsr/index.js'; // AD replication client (MS-DRSR): replicate, decode, decrypt
