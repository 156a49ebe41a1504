// The common 16-byte header of every CO PDU (C706 §12.6.3.1) and the sec_trailer that closes a PDU
// carrying authentication (MS-RPCE §2.2.2.11): framing shared by all PDU types.
import { AUTH_PAD_ALIGN, DREP_LE, HEADER_SIZE, SEC_TRAILER_SIZE } from './constants.js';
import { pduError } from './reader.js';
import type { SecTrailer } from './types.js';

export interface PduHeader {
  rpcVers: number;
  rpcVersMinor: number;
  ptype: number;
  flags: number;
  drep: number;
  fragLength: number;
  authLength: number;
  callId: number;
}

/** Reads the common header of a frame whose first 16 bytes are present (no semantic checks). */
export function readHeader(buf: Buffer, offset = 0): PduHeader {
  return {
    rpcVers: buf[offset]!,
    rpcVersMinor: buf[offset + 1]!,
    ptype: buf[offset + 2]!,
    flags: buf[offset + 3]!,
    drep: buf.readUInt32LE(offset + 4),
    fragLength: buf.readUInt16LE(offset + 8),
    authLength: buf.readUInt16LE(offset + 10),
    callId: buf.readUInt32LE(offset + 12),
  };
}

/** The checks every PDU passes before its body is looked at (C706 §12.6.3.1, MS-RPCE §3.3.1.5.1). */
export function checkHeader(h: PduHeader, frameLength: number): void {
  if (h.rpcVers !== 5) throw pduError(0, 'rpc_vers 5', `got ${h.rpcVers}`);
  if (h.rpcVersMinor > 1) throw pduError(1, 'rpc_vers_minor 0 or 1', `got ${h.rpcVersMinor}`);
  // byte 0: high nibble 1 = little-endian integers, low nibble 0 = ASCII; byte 1: 0 = IEEE floats
  if ((h.drep & 0xffff) !== DREP_LE) {
    throw pduError(4, 'packed_drep 10 00 (little-endian, ASCII, IEEE)', `got ${(h.drep >>> 0).toString(16).padStart(8, '0')}`);
  }
  if (h.fragLength !== frameLength) throw pduError(8, `frag_length ${frameLength}`, `got ${h.fragLength}`);
  if (h.authLength > 0 && h.authLength + SEC_TRAILER_SIZE + HEADER_SIZE > h.fragLength) {
    throw pduError(10, 'auth_length that fits in the fragment', `auth_length ${h.authLength}, frag_length ${h.fragLength}`);
  }
}

/**
 * Locates and decodes the sec_trailer of a frame with auth_length > 0. `bodyOffset` is where the
 * PDU's fixed fields end; the trailer must not start before it, and its padding must lie inside the body.
 */
export function readSecTrailer(frame: Buffer, h: PduHeader, bodyOffset: number): { auth: SecTrailer; trailerOffset: number } {
  const trailerOffset = h.fragLength - h.authLength - SEC_TRAILER_SIZE;
  if (trailerOffset < bodyOffset) {
    throw pduError(10, 'a sec_trailer after the PDU body', `trailer at ${trailerOffset}, body needs ${bodyOffset}`);
  }
  const authPadLength = frame[trailerOffset + 2]!;
  if (authPadLength > trailerOffset - bodyOffset) {
    throw pduError(trailerOffset + 2, 'auth_pad_length within the body', `pad ${authPadLength}, body ${trailerOffset - bodyOffset} bytes`);
  }
  return {
    trailerOffset,
    auth: {
      authType: frame[trailerOffset]!,
      authLevel: frame[trailerOffset + 1]!,
      authPadLength,
      authContextId: frame.readUInt32LE(trailerOffset + 4),
      token: frame.subarray(trailerOffset + SEC_TRAILER_SIZE, h.fragLength),
    },
  };
}

export interface BuiltFrame {
  frame: Buffer;
  bodyOffset: number;
  trailerOffset: number;
}

/**
 * Serializes header + fixed fields + stub (+ pad + sec_trailer + token). `padFromBody`: the auth pad
 * aligns the stub to 16 bytes (request/response/fault, MS-RPCE §2.2.2.11); otherwise the trailer is
 * aligned to 4 bytes from the frame start, as bind-type PDUs are.
 */
export function buildFrame(
  ptype: number,
  flags: number,
  callId: number,
  fixed: Buffer,
  stub: Buffer | undefined,
  auth: SecTrailer | undefined,
  padFromBody: boolean,
): BuiltFrame {
  const stubLen = stub ? stub.length : 0;
  const bodyOffset = HEADER_SIZE + fixed.length;
  let pad = 0;
  if (auth) {
    pad = padFromBody ? (AUTH_PAD_ALIGN - (stubLen % AUTH_PAD_ALIGN)) % AUTH_PAD_ALIGN : (4 - ((bodyOffset + stubLen) % 4)) % 4;
  }
  const trailerOffset = bodyOffset + stubLen + pad;
  const fragLength = auth ? trailerOffset + SEC_TRAILER_SIZE + auth.token.length : trailerOffset;
  if (fragLength > 0xffff) throw pduError(8, 'a PDU of at most 65535 bytes', `would be ${fragLength}`);
  const frame = Buffer.allocUnsafe(fragLength);
  frame[0] = 5;
  frame[1] = 0;
  frame[2] = ptype;
  frame[3] = flags;
  frame.writeUInt32LE(DREP_LE, 4);
  frame.writeUInt16LE(fragLength, 8);
  frame.writeUInt16LE(auth ? auth.token.length : 0, 10);
  frame.writeUInt32LE(callId >>> 0, 12);
  fixed.copy(frame, HEADER_SIZE);
  if (stub) stub.copy(frame, bodyOffset);
  if (auth) {
    frame.fill(0, bodyOffset + stubLen, trailerOffset);
    frame[trailerOffset] = auth.authType;
    frame[trailerOffset + 1] = auth.authLevel;
    frame[trailerOffset + 2] = pad;
    frame[trailerOffset + 3] = 0;
    frame.writeUInt32LE(auth.authContextId >>> 0, trailerOffset + 4);
    auth.token.copy(frame, trailerOffset + SEC_TRAILER_SIZE);
  }
  return { frame, bodyOffset, trailerOffset };
}
