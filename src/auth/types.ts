// The contract between authentication (auth/ntlm, auth/spnego) and its users (smb2/ session setup,
// rpc/ bind and security trailer). One object is one side of one security context.

/** A local account a server accepts (from configuration). */
export interface Account {
  user: string;
  /** Domain or workgroup; undefined = the server's own. */
  domain?: string;
  /** NT hash = MD4(UTF-16LE(password)); derived from `password` when only that is given. */
  ntHash?: Buffer;
  password?: string;
  /** Account SID (string form), groups (SIDs) and privileges (e.g. 'SeBackupPrivilege'). */
  sid?: string;
  groups?: string[];
  privileges?: string[];
}

/** Who authenticated, as a server sees it after a successful exchange. */
export interface AuthIdentity {
  user: string;
  domain: string;
  workstation?: string;
  /** The account that matched (with SID, groups, privileges when configured). */
  account?: Account;
  anonymous: boolean;
  /** True for an unknown user mapped to Guest (NtlmServer `guest: true`): no session key (SMB2 IS_GUEST). */
  guest?: boolean;
}

export interface AuthStep {
  /** Token to send to the peer, if any. */
  output?: Buffer;
  /** True when this side needs no more input. */
  complete: boolean;
}

/**
 * One side (client or server) of an NTLM or SPNEGO exchange, then its session security
 * (MS-NLMP §3.4). Methods that protect messages may be called only after `complete`.
 */
export interface SecurityContext {
  /** RPC auth_type: 10 = NTLMSSP (RPC_C_AUTHN_WINNT), 9 = SPNEGO (RPC_C_AUTHN_GSS_NEGOTIATE). */
  readonly authType: number;
  readonly complete: boolean;
  /** Feeds the peer's token (undefined for the client's first call); throws AuthError on failure. */
  step(input: Buffer | undefined): AuthStep;
  /** Exported session key (NLMP ExportedSessionKey), 16 bytes, after completion. */
  readonly sessionKey: Buffer;
  /** Server side, after completion: who the client is. */
  readonly identity?: AuthIdentity;
  /** Signature (16 bytes for NTLM) over `message`; advances the send sequence number. */
  sign(message: Buffer): Buffer;
  /** Checks a signature over `message`; advances the receive sequence number; throws AuthError. */
  verify(message: Buffer, signature: Buffer): void;
  /** Encrypts message[start, end) in place and returns the signature over the whole `message` as it
   * was before encryption (the DCE/RPC privacy layout: the stub is sealed, header and trailer signed). */
  sealInPlace(message: Buffer, start: number, end: number): Buffer;
  /** Decrypts message[start, end) in place, then checks `signature` over the whole (now plain)
   * message; throws AuthError when it does not match. */
  unsealInPlace(message: Buffer, start: number, end: number, signature: Buffer): void;
  /** Size of the signature `sign`/`sealInPlace` produce (auth_length in RPC). */
  readonly signatureSize: number;
}
