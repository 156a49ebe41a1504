// request (C706 §12.6.4.9), response (§12.6.4.10) and fault (§12.6.4.7, MS-RPCE §2.2.2.8): the PDUs
// that carry one call. Their stub is padded so that the sec_trailer is 16-byte aligned.
import { PFC_OBJECT_UUID, PTYPE } from './constants.js';
import { buildFrame, type BuiltFrame } from './header.js';
import type { PduReader } from './reader.js';
import type { FaultPdu, RequestPdu, ResponsePdu } from './types.js';
import { uuidToBytes } from './uuid.js';

export function encodeRequest(p: RequestPdu): BuiltFrame {
  const fixed = Buffer.alloc(p.object !== undefined ? 24 : 8);
  fixed.writeUInt32LE(p.allocHint >>> 0, 0);
  fixed.writeUInt16LE(p.contextId, 4);
  fixed.writeUInt16LE(p.opnum, 6);
  let flags = p.flags & ~PFC_OBJECT_UUID;
  if (p.object !== undefined) {
    uuidToBytes(p.object, fixed, 8);
    flags |= PFC_OBJECT_UUID;
  }
  return buildFrame(PTYPE.request, flags, p.callId, fixed, p.stub, p.auth, true);
}

export function decodeRequestFixed(r: PduReader, flags: number): Omit<RequestPdu, 'type' | 'flags' | 'callId' | 'auth' | 'stub'> {
  const allocHint = r.u32('alloc_hint');
  const contextId = r.u16('p_cont_id');
  const opnum = r.u16('opnum');
  if (flags & PFC_OBJECT_UUID) return { allocHint, contextId, opnum, object: r.uuid('object') };
  return { allocHint, contextId, opnum };
}

export function encodeResponse(p: ResponsePdu): BuiltFrame {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt32LE(p.allocHint >>> 0, 0);
  fixed.writeUInt16LE(p.contextId, 4);
  fixed[6] = p.cancelCount;
  return buildFrame(PTYPE.response, p.flags, p.callId, fixed, p.stub, p.auth, true);
}

export function decodeResponseFixed(r: PduReader): Omit<ResponsePdu, 'type' | 'flags' | 'callId' | 'auth' | 'stub'> {
  const allocHint = r.u32('alloc_hint');
  const contextId = r.u16('p_cont_id');
  const cancelCount = r.u8('cancel_count');
  r.u8('reserved');
  return { allocHint, contextId, cancelCount };
}

export function encodeFault(p: FaultPdu): BuiltFrame {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(p.allocHint >>> 0, 0);
  fixed.writeUInt16LE(p.contextId, 4);
  fixed[6] = p.cancelCount;
  fixed[7] = p.faultFlags;
  fixed.writeUInt32LE(p.status >>> 0, 8);
  return buildFrame(PTYPE.fault, p.flags, p.callId, fixed, undefined, p.auth, true);
}

export function decodeFaultBody(r: PduReader): Omit<FaultPdu, 'type' | 'flags' | 'callId' | 'auth'> {
  const allocHint = r.u32('alloc_hint');
  const contextId = r.u16('p_cont_id');
  const cancelCount = r.u8('cancel_count');
  const faultFlags = r.u8('reserved');
  const status = r.u32('status');
  // the trailing reserved u32 and any stub data are ignored (MS-RPCE §2.2.2.8)
  return { allocHint, contextId, cancelCount, faultFlags, status };
}
