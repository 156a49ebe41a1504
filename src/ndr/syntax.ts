// Transfer syntax identifiers the RPC layer negotiates in bind/bind_ack (C706 App. I, MS-RPCE §2.2.4.12,
// §2.2.5.1, §2.2.2.14). Only NDR 2.0 is implemented; NDR64 is named so that a server can decline it.

export interface SyntaxId {
  uuid: string;
  /** if_version on the wire: major in the low 16 bits, minor in the high 16 bits. */
  version: number;
}

/** NDR 2.0 (MS-RPCE §2.2.4.12). */
export const NDR20_SYNTAX: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 };
/** NDR64 (MS-RPCE §2.2.5.1) — not implemented: a server answers provider_rejection. */
export const NDR64_SYNTAX: SyntaxId = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', version: 1 };
/** Bind-time feature negotiation (MS-RPCE §2.2.2.14): a "syntax" whose UUID starts with this prefix,
 *  version 1.0, with the feature bitmask in its last 8 bytes. */
export const BIND_TIME_FEATURE_PREFIX = '6cb71c2c-9812-4540';
export const BIND_TIME_FEATURE_SECURITY_CONTEXT_MULTIPLEXING = 0x01;
export const BIND_TIME_FEATURE_KEEP_CONNECTION_ON_ORPHAN = 0x02;

/** Is `uuid` (string form) a bind-time feature negotiation syntax? */
export function isBindTimeFeatureSyntax(uuid: string): boolean {
  return uuid.toLowerCase().startsWith(BIND_TIME_FEATURE_PREFIX);
}
