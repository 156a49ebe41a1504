// MS-SMB2 §2.2.1 SMB2 Packet Header (SYNC §2.2.1.2 and ASYNC §2.2.1.1), and compound splitting
// (§3.2.4.1.4, §3.3.5.2.7).
import { SMB2_FLAGS_ASYNC_COMMAND } from '../constants.js';
import { fail, need } from '../bytes.js';

export const SMB2_HEADER_SIZE = 64;
export const SMB2_PROTOCOL_ID = 0x424d53fe; // 0xFE 'S' 'M' 'B' read little-endian
/** Offset of the Signature field inside the header. */
export const SIGNATURE_OFFSET = 48;

export interface Smb2Header {
  creditCharge: number;
  /** Responses: the NTSTATUS. Requests: ChannelSequence/Reserved (3.x) or Status (2.x), ignored. */
  status: number;
  command: number;
  /** CreditRequest on a request, CreditResponse on a response. */
  credits: number;
  flags: number;
  nextCommand: number;
  messageId: bigint;
  /** ASYNC form only (SMB2_FLAGS_ASYNC_COMMAND set); 0n otherwise. */
  asyncId: bigint;
  /** SYNC form only; 0 otherwise. */
  treeId: number;
  sessionId: bigint;
  signature: Buffer;
}

const ZERO_SIGNATURE = Buffer.alloc(16);

export function header(fields: Partial<Smb2Header> & { command: number }): Smb2Header {
  return {
    creditCharge: 0,
    status: 0,
    credits: 0,
    flags: 0,
    nextCommand: 0,
    messageId: 0n,
    asyncId: 0n,
    treeId: 0,
    sessionId: 0n,
    signature: ZERO_SIGNATURE,
    ...fields,
  };
}

export function encodeHeader(h: Smb2Header, out: Buffer, offset = 0): void {
  out.writeUInt32LE(SMB2_PROTOCOL_ID, offset);
  out.writeUInt16LE(SMB2_HEADER_SIZE, offset + 4);
  out.writeUInt16LE(h.creditCharge, offset + 6);
  out.writeUInt32LE(h.status >>> 0, offset + 8);
  out.writeUInt16LE(h.command, offset + 12);
  out.writeUInt16LE(h.credits, offset + 14);
  out.writeUInt32LE(h.flags >>> 0, offset + 16);
  out.writeUInt32LE(h.nextCommand, offset + 20);
  out.writeBigUInt64LE(h.messageId, offset + 24);
  if (h.flags & SMB2_FLAGS_ASYNC_COMMAND) {
    out.writeBigUInt64LE(h.asyncId, offset + 32);
  } else {
    out.writeUInt32LE(0, offset + 32);
    out.writeUInt32LE(h.treeId >>> 0, offset + 36);
  }
  out.writeBigUInt64LE(h.sessionId, offset + 40);
  h.signature.copy(out, offset + SIGNATURE_OFFSET, 0, 16);
}

/** A whole message: header followed by `body`. */
export function encodeMessage(h: Smb2Header, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(SMB2_HEADER_SIZE + body.length);
  encodeHeader(h, out, 0);
  body.copy(out, SMB2_HEADER_SIZE);
  return out;
}

export function decodeHeader(msg: Buffer, offset = 0): Smb2Header {
  need(msg, offset, SMB2_HEADER_SIZE, 'SMB2 header (64 bytes)');
  if (msg.readUInt32LE(offset) !== SMB2_PROTOCOL_ID) fail(offset, 'ProtocolId 0xFE "SMB"', `got 0x${msg.readUInt32BE(offset).toString(16)}`);
  const size = msg.readUInt16LE(offset + 4);
  if (size !== SMB2_HEADER_SIZE) fail(offset + 4, 'header StructureSize 64', `got ${size}`);
  const flags = msg.readUInt32LE(offset + 16);
  const async = (flags & SMB2_FLAGS_ASYNC_COMMAND) !== 0;
  return {
    creditCharge: msg.readUInt16LE(offset + 6),
    status: msg.readUInt32LE(offset + 8),
    command: msg.readUInt16LE(offset + 12),
    credits: msg.readUInt16LE(offset + 14),
    flags,
    nextCommand: msg.readUInt32LE(offset + 20),
    messageId: msg.readBigUInt64LE(offset + 24),
    asyncId: async ? msg.readBigUInt64LE(offset + 32) : 0n,
    treeId: async ? 0 : msg.readUInt32LE(offset + 36),
    sessionId: msg.readBigUInt64LE(offset + 40),
    signature: msg.subarray(offset + SIGNATURE_OFFSET, offset + SIGNATURE_OFFSET + 16),
  };
}

/**
 * Splits one transport frame into its compounded messages (§2.2.1 NextCommand). Each slice starts at
 * its header and runs to the next header (padding included, as signing needs) or to the frame end.
 */
export function splitCompound(frame: Buffer, maxMessages = 64): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    need(frame, offset, SMB2_HEADER_SIZE, 'SMB2 header (64 bytes)');
    const next = frame.readUInt32LE(offset + 20);
    if (next === 0) {
      out.push(frame.subarray(offset));
      return out;
    }
    if (next < SMB2_HEADER_SIZE || next % 8 !== 0) fail(offset + 20, 'NextCommand ≥ 64 and a multiple of 8', `got ${next}`);
    if (offset + next + SMB2_HEADER_SIZE > frame.length) fail(offset + 20, 'NextCommand inside the frame', `got ${next}`);
    out.push(frame.subarray(offset, offset + next));
    offset += next;
    if (out.length >= maxMessages) fail(offset, `at most ${maxMessages} compounded messages`);
  }
}

/** Joins messages into one compound frame payload: pads each but the last to 8 and sets NextCommand. */
export function joinCompound(messages: Buffer[]): Buffer {
  if (messages.length === 1) return messages[0]!;
  let total = 0;
  for (let i = 0; i < messages.length; i++) total += i < messages.length - 1 ? (messages[i]!.length + 7) & ~7 : messages[i]!.length;
  const out = Buffer.alloc(total);
  let offset = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    m.copy(out, offset);
    const len = i < messages.length - 1 ? (m.length + 7) & ~7 : m.length;
    out.writeUInt32LE(i < messages.length - 1 ? len : 0, offset + 20);
    offset += len;
  }
  return out;
}
