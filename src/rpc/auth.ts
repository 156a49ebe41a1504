// Client security contexts for an RPC auth level: the level decides which capabilities are asked of the
// security provider (MS-RPCE §3.3.1.5.2.2, first table) — none at connect, integrity at
// PKT_INTEGRITY, confidentiality at PKT_PRIVACY. Samba refuses calls on a connect-level association
// whose NTLM context negotiated signing, so the flags must follow the level.
import { NtlmClient, NtlmServer } from '../auth/ntlm/index.js';
import { SpnegoClient, SpnegoServer, type SpnegoServerOptions } from '../auth/spnego/index.js';
import type { SecurityContext } from '../auth/types.js';
import type { ClientAuth } from './client.js';
import {
  RPC_C_AUTHN_GSS_NEGOTIATE,
  RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
  RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
  RPC_C_AUTHN_WINNT,
} from './pdu/constants.js';

export interface Credentials {
  user: string;
  domain: string;
  password?: string;
  ntHash?: Buffer;
  workstation?: string;
}

/** NTLM (auth type 10) for `level`. */
export function ntlmAuth(creds: Credentials, level: number): ClientAuth {
  const context = new NtlmClient({
    ...creds,
    sign: level >= RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
    seal: level >= RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
  });
  return { context, level };
}

/** SPNEGO wrapping NTLM (auth type 9) for `level`. */
export function spnegoAuth(creds: Credentials, level: number): ClientAuth {
  const context = new SpnegoClient({
    ...creds,
    sign: level >= RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
    seal: level >= RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
  });
  return { context, level };
}

/** The server side: a security context factory for RpcServer accepting NTLM (10) and SPNEGO (9). */
export function serverSecurity(opts: SpnegoServerOptions): (authType: number) => SecurityContext | undefined {
  return (authType) => {
    if (authType === RPC_C_AUTHN_WINNT) return new NtlmServer(opts);
    if (authType === RPC_C_AUTHN_GSS_NEGOTIATE) return new SpnegoServer(opts);
    return undefined;
  };
}
