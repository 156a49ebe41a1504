// Numbers of the connection-oriented DCE/RPC protocol: C706 §12.6, with the MS-RPCE additions.

/** PTYPE values (C706 §12.6.4; rpc_auth_3 from MS-RPCE §2.2.2.10). */
export const PTYPE = {
  request: 0,
  response: 2,
  fault: 3,
  bind: 11,
  bind_ack: 12,
  bind_nak: 13,
  alter_context: 14,
  alter_context_resp: 15,
  rpc_auth_3: 16,
  shutdown: 17,
  co_cancel: 18,
  orphaned: 19,
} as const;
export type PType = (typeof PTYPE)[keyof typeof PTYPE];

/** pfc_flags bits (C706 §12.6.3.1; 0x04 doubles as PFC_SUPPORT_HEADER_SIGN, MS-RPCE §2.2.2.3). */
export const PFC_FIRST_FRAG = 0x01;
export const PFC_LAST_FRAG = 0x02;
export const PFC_PENDING_CANCEL = 0x04;
export const PFC_SUPPORT_HEADER_SIGN = 0x04;
export const PFC_CONC_MPX = 0x10;
export const PFC_DID_NOT_EXECUTE = 0x20;
export const PFC_MAYBE = 0x40;
export const PFC_OBJECT_UUID = 0x80;

/** Little-endian integers, ASCII characters, IEEE floats: the only data representation we speak. */
export const DREP_LE = 0x00000010;

/** Sizes of the fixed parts. */
export const HEADER_SIZE = 16;
export const SEC_TRAILER_SIZE = 8;
/** MS-RPCE §2.2.2.11: the sec_trailer is 16-byte aligned relative to the start of the stub. */
export const AUTH_PAD_ALIGN = 16;

/** p_cont_def_result_t (C706 §12.6.3.1, negotiate_ack from MS-RPCE §2.2.2.4). */
export const RESULT = {
  acceptance: 0,
  user_rejection: 1,
  provider_rejection: 2,
  negotiate_ack: 3,
} as const;

/** p_provider_reason_t (C706 §12.6.3.1). */
export const PROVIDER_REASON = {
  reason_not_specified: 0,
  abstract_syntax_not_supported: 1,
  proposed_transfer_syntaxes_not_supported: 2,
  local_limit_exceeded: 3,
} as const;

/** bind_nak reject reasons (C706 §12.6.3.1 p_reject_reason_t, MS-RPCE §2.2.2.5). */
export const BIND_NAK_REASON = {
  reason_not_specified: 0,
  temporary_congestion: 1,
  local_limit_exceeded: 2,
  called_paddr_unknown: 3,
  protocol_version_not_supported: 4,
  default_context_not_supported: 5,
  user_data_not_readable: 6,
  no_psap_available: 7,
  authentication_type_not_recognized: 8,
  invalid_checksum: 9,
} as const;

/** auth_type (MS-RPCE §2.2.1.1.7). */
export const RPC_C_AUTHN_NONE = 0x00;
export const RPC_C_AUTHN_GSS_NEGOTIATE = 0x09;
export const RPC_C_AUTHN_WINNT = 0x0a;

/** auth_level (MS-RPCE §2.2.1.1.8). */
export const RPC_C_AUTHN_LEVEL_DEFAULT = 0;
export const RPC_C_AUTHN_LEVEL_NONE = 1;
export const RPC_C_AUTHN_LEVEL_CONNECT = 2;
export const RPC_C_AUTHN_LEVEL_CALL = 3;
export const RPC_C_AUTHN_LEVEL_PKT = 4;
export const RPC_C_AUTHN_LEVEL_PKT_INTEGRITY = 5;
export const RPC_C_AUTHN_LEVEL_PKT_PRIVACY = 6;

/** Transfer syntaxes. NDR 2.0 (MS-RPCE §2.2.4.12), NDR64 (§2.2.5.1). */
export const NDR20_UUID = '8a885d04-1ceb-11c9-9fe8-08002b104860';
export const NDR20_VERSION = 2;
export const NDR64_UUID = '71710533-beba-4937-8319-b5dbef9ccc36';
/** Bind time feature negotiation: the first 8 bytes of the pseudo transfer syntax UUID (MS-RPCE §3.3.1.5.3). */
export const BIND_TIME_FEATURE_PREFIX = '6cb71c2c-9812-4540';

/** Bind time feature bits (MS-RPCE §2.2.2.14). */
export const SecurityContextMultiplexingSupported = 0x01;
export const KeepConnectionOnOrphanSupported = 0x02;

/** Windows proposes 5840 on ncacn_ip_tcp; C706 requires at least 1432 to be accepted. */
export const DEFAULT_MAX_FRAG = 5840;
export const MIN_MAX_FRAG = 1432;
