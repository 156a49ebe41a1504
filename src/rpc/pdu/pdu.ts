// One entry point per direction for every CO PDU type: encodePdu (pure serializer) and decodePdu
// (one whole frame, as the incremental parser delivers it, to a typed object or a FormatError).
import { decodeBindAckBody, decodeBindBody, decodeBindNakBody, encodeBind, encodeBindAck, encodeBindNak } from './bind.js';
import { decodeFaultBody, decodeRequestFixed, decodeResponseFixed, encodeFault, encodeRequest, encodeResponse } from './call.js';
import { HEADER_SIZE, PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE } from './constants.js';
import { buildFrame, checkHeader, readHeader, readSecTrailer, type BuiltFrame } from './header.js';
import { pduError, PduReader } from './reader.js';
import type { DecodedPdu, Pdu, SecTrailer } from './types.js';

export function encodePduFrame(p: Pdu): BuiltFrame {
  switch (p.type) {
    case 'bind':
    case 'alter_context':
      return encodeBind(p);
    case 'bind_ack':
    case 'alter_context_resp':
      return encodeBindAck(p);
    case 'bind_nak':
      return encodeBindNak(p);
    case 'request':
      return encodeRequest(p);
    case 'response':
      return encodeResponse(p);
    case 'fault':
      return encodeFault(p);
    case 'rpc_auth_3':
      // 4 pad octets, then the sec_trailer (MS-RPCE §2.2.2.10)
      return buildFrame(PTYPE.rpc_auth_3, p.flags | PFC_FIRST_FRAG | PFC_LAST_FRAG, p.callId, Buffer.alloc(4), undefined, p.auth, false);
    case 'shutdown':
      return buildFrame(PTYPE.shutdown, p.flags | PFC_FIRST_FRAG | PFC_LAST_FRAG, p.callId, Buffer.alloc(0), undefined, undefined, false);
    case 'co_cancel':
      return buildFrame(PTYPE.co_cancel, p.flags | PFC_FIRST_FRAG | PFC_LAST_FRAG, p.callId, Buffer.alloc(0), undefined, p.auth, false);
    case 'orphaned':
      return buildFrame(PTYPE.orphaned, p.flags | PFC_FIRST_FRAG | PFC_LAST_FRAG, p.callId, Buffer.alloc(0), undefined, p.auth, false);
  }
}

export function encodePdu(p: Pdu): Buffer {
  return encodePduFrame(p).frame;
}

/** Minimum fixed size after the header, per PTYPE (the trailer may not start inside it). */
function fixedSize(ptype: number, flags: number): number {
  switch (ptype) {
    case PTYPE.request:
      return flags & 0x80 ? 24 : 8;
    case PTYPE.response:
      return 8;
    case PTYPE.fault:
      return 12;
    default:
      return 0;
  }
}

/**
 * Decodes one whole frame (frag_length bytes). Stub fields are views into `frame`, so unsealing the
 * frame in place (privacy level) updates them.
 */
export function decodePdu(frame: Buffer): DecodedPdu {
  if (frame.length < HEADER_SIZE) throw pduError(frame.length, 'a 16-byte PDU header', `${frame.length} bytes`);
  const h = readHeader(frame);
  checkHeader(h, frame.length);
  const minBody = HEADER_SIZE + fixedSize(h.ptype, h.flags);
  let auth: SecTrailer | undefined;
  let trailerOffset = frame.length;
  let end = frame.length;
  if (h.authLength > 0) {
    const t = readSecTrailer(frame, h, minBody);
    auth = t.auth;
    trailerOffset = t.trailerOffset;
    end = trailerOffset - t.auth.authPadLength;
  }
  const r = new PduReader(frame, HEADER_SIZE, end);
  const base = { flags: h.flags, callId: h.callId, ...(auth ? { auth } : {}) };
  const info = (bodyOffset: number) => ({ frame, bodyOffset, trailerOffset });
  switch (h.ptype) {
    case PTYPE.bind:
    case PTYPE.alter_context: {
      const body = decodeBindBody(r);
      return { type: h.ptype === PTYPE.bind ? 'bind' : 'alter_context', ...base, ...body, info: info(r.pos) };
    }
    case PTYPE.bind_ack:
    case PTYPE.alter_context_resp: {
      const body = decodeBindAckBody(r);
      return { type: h.ptype === PTYPE.bind_ack ? 'bind_ack' : 'alter_context_resp', ...base, ...body, info: info(r.pos) };
    }
    case PTYPE.bind_nak:
      return { type: 'bind_nak', ...base, ...decodeBindNakBody(r), info: info(r.pos) };
    case PTYPE.request: {
      const fixed = decodeRequestFixed(r, h.flags);
      return { type: 'request', ...base, ...fixed, stub: frame.subarray(r.pos, end), info: info(r.pos) };
    }
    case PTYPE.response: {
      const fixed = decodeResponseFixed(r);
      return { type: 'response', ...base, ...fixed, stub: frame.subarray(r.pos, end), info: info(r.pos) };
    }
    case PTYPE.fault:
      return { type: 'fault', ...base, ...decodeFaultBody(r), info: info(r.pos) };
    case PTYPE.rpc_auth_3:
      if (!auth) throw pduError(10, 'auth_length > 0 in rpc_auth_3', 'auth_length 0');
      return { type: 'rpc_auth_3', ...base, info: info(HEADER_SIZE) };
    case PTYPE.shutdown:
      return { type: 'shutdown', ...base, info: info(HEADER_SIZE) };
    case PTYPE.co_cancel:
      return { type: 'co_cancel', ...base, info: info(HEADER_SIZE) };
    case PTYPE.orphaned:
      return { type: 'orphaned', ...base, info: info(HEADER_SIZE) };
    default:
      throw pduError(2, 'a connection-oriented PTYPE', `got ${h.ptype}`);
  }
}

export function isFirstFrag(flags: number): boolean {
  return (flags & PFC_FIRST_FRAG) !== 0;
}

export function isLastFrag(flags: number): boolean {
  return (flags & PFC_LAST_FRAG) !== 0;
}
