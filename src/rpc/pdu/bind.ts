// bind / alter_context (C706 §12.6.4.3, §12.6.4.1), bind_ack / alter_context_resp (§12.6.4.4, §12.6.4.2)
// and bind_nak (§12.6.4.5, MS-RPCE §2.2.2.9): presentation context negotiation PDUs.
import { HEADER_SIZE, PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE } from './constants.js';
import { buildFrame, type BuiltFrame } from './header.js';
import { pduError, PduReader } from './reader.js';
import type { BindAckPdu, BindNakPdu, BindPdu, ContextElem, ContextResult, SyntaxId } from './types.js';
import { uuidToBytes } from './uuid.js';

const WHOLE = PFC_FIRST_FRAG | PFC_LAST_FRAG;
const SYNTAX_SIZE = 20;

function writeSyntax(out: Buffer, offset: number, s: SyntaxId): void {
  uuidToBytes(s.uuid, out, offset);
  out.writeUInt16LE(s.version, offset + 16);
  out.writeUInt16LE(s.minor, offset + 18);
}

function readSyntax(r: PduReader, what: string): SyntaxId {
  const uuid = r.uuid(what);
  const version = r.u16(`${what} major version`);
  const minor = r.u16(`${what} minor version`);
  return { uuid, version, minor };
}

// --- bind / alter_context -----------------------------------------------------------------------

export function encodeBind(p: BindPdu): BuiltFrame {
  let size = 12;
  for (const c of p.contexts) size += 4 + SYNTAX_SIZE * (1 + c.transferSyntaxes.length);
  const body = Buffer.alloc(size);
  body.writeUInt16LE(p.maxXmitFrag, 0);
  body.writeUInt16LE(p.maxRecvFrag, 2);
  body.writeUInt32LE(p.assocGroupId >>> 0, 4);
  body[8] = p.contexts.length;
  let o = 12;
  for (const c of p.contexts) {
    body.writeUInt16LE(c.contextId, o);
    body[o + 2] = c.transferSyntaxes.length;
    writeSyntax(body, o + 4, c.abstractSyntax);
    o += 4 + SYNTAX_SIZE;
    for (const t of c.transferSyntaxes) {
      writeSyntax(body, o, t);
      o += SYNTAX_SIZE;
    }
  }
  const ptype = p.type === 'bind' ? PTYPE.bind : PTYPE.alter_context;
  return buildFrame(ptype, p.flags | WHOLE, p.callId, body, undefined, p.auth, false);
}

/** Decodes the body of a bind or alter_context; `end` is where the auth padding starts. */
export function decodeBindBody(r: PduReader): Omit<BindPdu, 'type' | 'flags' | 'callId' | 'auth'> {
  const maxXmitFrag = r.u16('max_xmit_frag');
  const maxRecvFrag = r.u16('max_recv_frag');
  const assocGroupId = r.u32('assoc_group_id');
  const n = r.u8('n_context_elem');
  r.u8('reserved');
  r.u16('reserved2');
  // each element needs at least 24 bytes (id, count, abstract syntax): check before allocating
  if (n * 24 > r.remaining) throw pduError(r.pos - 4, `${n} presentation contexts`, `${r.remaining} bytes left`);
  const contexts: ContextElem[] = [];
  for (let i = 0; i < n; i++) {
    const contextId = r.u16('p_cont_id');
    const nTransfer = r.u8('n_transfer_syn');
    r.u8('reserved');
    const abstractSyntax = readSyntax(r, 'abstract_syntax');
    if (nTransfer * SYNTAX_SIZE > r.remaining) {
      throw pduError(r.pos, `${nTransfer} transfer syntaxes`, `${r.remaining} bytes left`);
    }
    const transferSyntaxes: SyntaxId[] = [];
    for (let j = 0; j < nTransfer; j++) transferSyntaxes.push(readSyntax(r, 'transfer_syntax'));
    contexts.push({ contextId, abstractSyntax, transferSyntaxes });
  }
  return { maxXmitFrag, maxRecvFrag, assocGroupId, contexts };
}

// --- bind_ack / alter_context_resp ----------------------------------------------------------------

export function encodeBindAck(p: BindAckPdu): BuiltFrame {
  const addr = p.secAddr.length > 0 ? Buffer.from(`${p.secAddr}\0`, 'latin1') : Buffer.alloc(0);
  // sec_addr is followed by padding to a 4-byte boundary counted from the PDU start (C706 §12.6.4.4)
  const afterAddr = HEADER_SIZE + 8 + 2 + addr.length;
  const pad = (4 - (afterAddr % 4)) % 4;
  const body = Buffer.alloc(8 + 2 + addr.length + pad + 4 + 24 * p.results.length);
  body.writeUInt16LE(p.maxXmitFrag, 0);
  body.writeUInt16LE(p.maxRecvFrag, 2);
  body.writeUInt32LE(p.assocGroupId >>> 0, 4);
  body.writeUInt16LE(addr.length, 8);
  addr.copy(body, 10);
  let o = 10 + addr.length + pad;
  body[o] = p.results.length;
  o += 4;
  for (const res of p.results) {
    body.writeUInt16LE(res.result, o);
    body.writeUInt16LE(res.reason, o + 2);
    writeSyntax(body, o + 4, res.transferSyntax);
    o += 24;
  }
  const ptype = p.type === 'bind_ack' ? PTYPE.bind_ack : PTYPE.alter_context_resp;
  return buildFrame(ptype, p.flags | WHOLE, p.callId, body, undefined, p.auth, false);
}

export function decodeBindAckBody(r: PduReader): Omit<BindAckPdu, 'type' | 'flags' | 'callId' | 'auth'> {
  const maxXmitFrag = r.u16('max_xmit_frag');
  const maxRecvFrag = r.u16('max_recv_frag');
  const assocGroupId = r.u32('assoc_group_id');
  const addrLen = r.u16('sec_addr length');
  const addr = r.bytes(addrLen, 'sec_addr port_spec');
  const nul = addr.indexOf(0);
  const secAddr = addr.toString('latin1', 0, nul < 0 ? addr.length : nul);
  r.align(4);
  const n = r.u8('n_results');
  r.u8('reserved');
  r.u16('reserved2');
  if (n * 24 > r.remaining) throw pduError(r.pos - 4, `${n} presentation context results`, `${r.remaining} bytes left`);
  const results: ContextResult[] = [];
  for (let i = 0; i < n; i++) {
    const result = r.u16('result');
    const reason = r.u16('reason');
    const transferSyntax = readSyntax(r, 'transfer_syntax');
    results.push({ result, reason, transferSyntax });
  }
  return { maxXmitFrag, maxRecvFrag, assocGroupId, secAddr, results };
}

// --- bind_nak -------------------------------------------------------------------------------------

export function encodeBindNak(p: BindNakPdu): BuiltFrame {
  const body = Buffer.alloc(3 + 2 * p.versions.length);
  body.writeUInt16LE(p.rejectReason, 0);
  body[2] = p.versions.length;
  p.versions.forEach((v, i) => {
    body[3 + 2 * i] = v.major;
    body[4 + 2 * i] = v.minor;
  });
  return buildFrame(PTYPE.bind_nak, p.flags | WHOLE, p.callId, body, undefined, undefined, false);
}

export function decodeBindNakBody(r: PduReader): Omit<BindNakPdu, 'type' | 'flags' | 'callId' | 'auth'> {
  const rejectReason = r.u16('provider_reject_reason');
  const versions: { major: number; minor: number }[] = [];
  // the versions list is optional in practice (some servers send only the reason)
  if (r.remaining > 0) {
    const n = r.u8('n_protocols');
    if (n * 2 > r.remaining) throw pduError(r.pos - 1, `${n} protocol versions`, `${r.remaining} bytes left`);
    for (let i = 0; i < n; i++) versions.push({ major: r.u8('major'), minor: r.u8('minor') });
  }
  // an optional Signature + MS-EERR blob may follow (MS-RPCE §2.2.2.9); we ignore it
  return { rejectReason, versions };
}
