// A DCE/RPC bind PDU for winreg built by hand (C706 §12.6.3.1; MS-RPCE §2.2.2) and a reader for the
// bind_ack, so SMB2 interop tests can push real RPC traffic through a pipe without the rpc/ layer.

/** MS-DTYP §2.3.4.2 packet form of a GUID string. */
export function guidBytes(s: string): Buffer {
  const h = s.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return out;
}

export const WINREG = { uuid: '338CD001-2244-31F1-AAAA-900038001003', major: 1, minor: 0 };
export const NDR = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2 };

export function winregBind(callId = 1): Buffer {
  const b = Buffer.alloc(72);
  b.writeUInt8(5, 0); // rpc_vers
  b.writeUInt8(0, 1); // rpc_vers_minor
  b.writeUInt8(11, 2); // PTYPE bind
  b.writeUInt8(0x03, 3); // PFC_FIRST_FRAG | PFC_LAST_FRAG
  b.writeUInt32LE(0x00000010, 4); // drep: little-endian, ASCII, IEEE
  b.writeUInt16LE(72, 8); // frag_length
  b.writeUInt16LE(0, 10); // auth_length
  b.writeUInt32LE(callId, 12);
  b.writeUInt16LE(4280, 16); // max_xmit_frag
  b.writeUInt16LE(4280, 18); // max_recv_frag
  b.writeUInt32LE(0, 20); // assoc_group_id
  b.writeUInt8(1, 24); // n_context_elem
  b.writeUInt16LE(0, 28); // p_cont_id
  b.writeUInt8(1, 30); // n_transfer_syn
  guidBytes(WINREG.uuid).copy(b, 32);
  b.writeUInt16LE(WINREG.major, 48);
  b.writeUInt16LE(WINREG.minor, 50);
  guidBytes(NDR.uuid).copy(b, 52);
  b.writeUInt32LE(NDR.version, 68);
  return b;
}

export interface BindAck {
  ptype: number;
  callId: number;
  fragLength: number;
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  secondaryAddress: string;
  results: Array<{ result: number; reason: number; transferSyntax: Buffer; transferVersion: number }>;
}

export function parseBindAck(b: Buffer): BindAck {
  if (b.length < 28) throw new Error(`bind_ack too short: ${b.length}`);
  const secLen = b.readUInt16LE(24);
  const secondaryAddress = b.toString('latin1', 26, 26 + secLen).replace(/\0+$/, '');
  let p = 26 + secLen;
  p = (p + 3) & ~3;
  const n = b.readUInt8(p);
  p += 4;
  const results: BindAck['results'] = [];
  for (let i = 0; i < n; i++) {
    results.push({ result: b.readUInt16LE(p), reason: b.readUInt16LE(p + 2), transferSyntax: b.subarray(p + 4, p + 20), transferVersion: b.readUInt32LE(p + 20) });
    p += 24;
  }
  return {
    ptype: b[2]!, callId: b.readUInt32LE(12), fragLength: b.readUInt16LE(8), maxXmitFrag: b.readUInt16LE(16), maxRecvFrag: b.readUInt16LE(18),
    assocGroupId: b.readUInt32LE(20), secondaryAddress, results,
  };
}

/** A single-fragment request PDU (C706 §12.6.4.9) on presentation context 0. */
export function rpcRequest(callId: number, opnum: number, stub: Buffer): Buffer {
  const b = Buffer.alloc(24 + stub.length);
  b.writeUInt8(5, 0);
  b.writeUInt8(0, 1);
  b.writeUInt8(0, 2); // PTYPE request
  b.writeUInt8(0x03, 3);
  b.writeUInt32LE(0x00000010, 4);
  b.writeUInt16LE(b.length, 8);
  b.writeUInt32LE(callId, 12);
  b.writeUInt32LE(stub.length, 16); // alloc_hint
  b.writeUInt16LE(0, 20); // p_cont_id
  b.writeUInt16LE(opnum, 22);
  stub.copy(b, 24);
  return b;
}

/** MS-RRP §3.1.5.3 OpenLocalMachine (opnum 2): ServerName NULL, samDesired MAXIMUM_ALLOWED. */
export function openLocalMachine(callId: number): Buffer {
  const stub = Buffer.alloc(8);
  stub.writeUInt32LE(0, 0);
  stub.writeUInt32LE(0x02000000, 4);
  return rpcRequest(callId, 2, stub);
}

/** MS-RRP §3.1.5.21 BaseRegGetVersion (opnum 26) on a key handle (20-byte context handle). */
export function getVersion(callId: number, handle: Buffer): Buffer {
  return rpcRequest(callId, 26, handle);
}

/** The stub of a response PDU (C706 §12.6.4.10), or an error for anything else. */
export function responseStub(pdu: Buffer): Buffer {
  if (pdu[2] !== 2) throw new Error(`expected a response PDU, got PTYPE ${pdu[2]}${pdu[2] === 3 ? ` (fault 0x${pdu.readUInt32LE(24).toString(16)})` : ''}`);
  return pdu.subarray(24, pdu.readUInt16LE(8));
}
