// Decoded connection-oriented PDUs (C706 §12.6.4, MS-RPCE §2.2.2). One shape per PDU type, used by the
// encoder and the decoder alike; field names follow the C706 IDL in camelCase.

/** p_syntax_id_t (C706 §12.6.3.1): if_version carries the major version in its low 16 bits. */
export interface SyntaxId {
  uuid: string;
  version: number;
  minor: number;
}

/** p_cont_elem_t (C706 §12.6.3.1). */
export interface ContextElem {
  contextId: number;
  abstractSyntax: SyntaxId;
  transferSyntaxes: SyntaxId[];
}

/** p_result_t (C706 §12.6.3.1). */
export interface ContextResult {
  result: number;
  reason: number;
  transferSyntax: SyntaxId;
}

/** sec_trailer + auth token (MS-RPCE §2.2.2.11). auth_pad_length is computed by the encoder. */
export interface SecTrailer {
  authType: number;
  authLevel: number;
  authPadLength: number;
  authContextId: number;
  token: Buffer;
}

interface PduBase {
  /** pfc_flags (FIRST/LAST_FRAG are filled in by the encoder for PDU types that are never fragmented). */
  flags: number;
  callId: number;
  auth?: SecTrailer;
}

export interface BindPdu extends PduBase {
  type: 'bind' | 'alter_context';
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  contexts: ContextElem[];
}

export interface BindAckPdu extends PduBase {
  type: 'bind_ack' | 'alter_context_resp';
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  /** port_any_t sec_addr, without its NUL (empty in alter_context_resp). */
  secAddr: string;
  results: ContextResult[];
}

export interface BindNakPdu extends PduBase {
  type: 'bind_nak';
  rejectReason: number;
  versions: { major: number; minor: number }[];
}

export interface RequestPdu extends PduBase {
  type: 'request';
  allocHint: number;
  contextId: number;
  opnum: number;
  object?: string;
  stub: Buffer;
}

export interface ResponsePdu extends PduBase {
  type: 'response';
  allocHint: number;
  contextId: number;
  cancelCount: number;
  stub: Buffer;
}

export interface FaultPdu extends PduBase {
  type: 'fault';
  allocHint: number;
  contextId: number;
  cancelCount: number;
  /** The reserved octet; bit 0 = extended error information present (MS-RPCE §2.2.2.8). */
  faultFlags: number;
  status: number;
}

export interface Auth3Pdu extends PduBase {
  type: 'rpc_auth_3';
}

export interface ShutdownPdu extends PduBase {
  type: 'shutdown';
}

export interface CoCancelPdu extends PduBase {
  type: 'co_cancel';
}

export interface OrphanedPdu extends PduBase {
  type: 'orphaned';
}

export type Pdu =
  | BindPdu
  | BindAckPdu
  | BindNakPdu
  | RequestPdu
  | ResponsePdu
  | FaultPdu
  | Auth3Pdu
  | ShutdownPdu
  | CoCancelPdu
  | OrphanedPdu;

/** Where a decoded PDU came from: the frame and the offsets the security layer needs. */
export interface FrameInfo {
  frame: Buffer;
  /** Start of the PDU body after the type-specific fixed fields (the stub for request/response). */
  bodyOffset: number;
  /** Offset of the sec_trailer (= end of body + auth padding), or frame length when there is none. */
  trailerOffset: number;
}

export type DecodedPdu = Pdu & { info: FrameInfo };
