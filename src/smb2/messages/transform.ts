// MS-SMB2 §2.2.41 SMB2 TRANSFORM_HEADER (SMB 3.x encryption).
import { fail, need } from '../bytes.js';

export const SMB2_TRANSFORM_PROTOCOL_ID = 0x424d53fd; // 0xFD 'S' 'M' 'B' read little-endian
export const TRANSFORM_HEADER_SIZE = 52;

export interface TransformHeader {
  signature: Buffer;
  nonce: Buffer;
  originalMessageSize: number;
  /** Flags (3.1.1) / EncryptionAlgorithm (3.0.x): 0x0001. */
  flags: number;
  sessionId: bigint;
}

export function isTransform(frame: Buffer): boolean {
  return frame.length >= 4 && frame.readUInt32LE(0) === SMB2_TRANSFORM_PROTOCOL_ID;
}

export function encodeTransformHeader(h: TransformHeader): Buffer {
  const out = Buffer.alloc(TRANSFORM_HEADER_SIZE);
  out.writeUInt32LE(SMB2_TRANSFORM_PROTOCOL_ID, 0);
  h.signature.copy(out, 4, 0, 16);
  h.nonce.copy(out, 20, 0, 16);
  out.writeUInt32LE(h.originalMessageSize, 36);
  out.writeUInt16LE(h.flags, 42);
  out.writeBigUInt64LE(h.sessionId, 44);
  return out;
}

export function decodeTransformHeader(frame: Buffer): TransformHeader {
  need(frame, 0, TRANSFORM_HEADER_SIZE, 'TRANSFORM_HEADER (52 bytes)');
  if (frame.readUInt32LE(0) !== SMB2_TRANSFORM_PROTOCOL_ID) fail(0, 'ProtocolId 0xFD "SMB"');
  const size = frame.readUInt32LE(36);
  if (size !== frame.length - TRANSFORM_HEADER_SIZE) fail(36, `OriginalMessageSize ${frame.length - TRANSFORM_HEADER_SIZE}`, `got ${size}`);
  const flags = frame.readUInt16LE(42);
  if (flags !== 1) fail(42, 'Flags/EncryptionAlgorithm 0x0001', `got ${flags}`);
  return {
    signature: frame.subarray(4, 20),
    nonce: frame.subarray(20, 36),
    originalMessageSize: size,
    flags,
    sessionId: frame.readBigUInt64LE(44),
  };
}
