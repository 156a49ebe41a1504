// MS-NLMP §3.4 session security: MAC (§3.4.4), SIGN (§3.4.2), SEAL (§3.4.3), one RC4 state and one sequence
// number per direction for the life of the connection (connection-oriented NTLM, §3.4.1).
import { timingSafeEqual } from 'node:crypto';
import { crc32 } from '../../crypto/crc32.js';
import { Rc4 } from '../../crypto/rc4.js';
import { AuthError } from '../errors.js';
import { hmacMd5, SEALKEY, SIGNKEY, type Direction } from './compute.js';
import { NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_KEY_EXCH, NTLMSSP_NEGOTIATE_SEAL, NTLMSSP_NEGOTIATE_SIGN } from './flags.js';

export const NTLM_SIGNATURE_SIZE = 16;

export class NtlmSessionSecurity {
  readonly flags: number;
  private readonly ess: boolean;
  private readonly keyExch: boolean;
  private readonly integrity: boolean;
  private readonly sendSignKey: Buffer;
  private readonly recvSignKey: Buffer;
  private readonly sendHandle: Rc4;
  private readonly recvHandle: Rc4;
  private sendSeq = 0;
  private recvSeq = 0;

  /** `role` is the side this object sends as: a client sends with the client-to-server keys. */
  constructor(flags: number, exportedSessionKey: Buffer, role: Direction) {
    const peer: Direction = role === 'client' ? 'server' : 'client';
    this.flags = flags;
    this.ess = (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) !== 0;
    this.keyExch = (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0;
    this.integrity = (flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) !== 0;
    this.sendSignKey = this.ess ? SIGNKEY(exportedSessionKey, role) : Buffer.alloc(0);
    this.recvSignKey = this.ess ? SIGNKEY(exportedSessionKey, peer) : Buffer.alloc(0);
    this.sendHandle = new Rc4(SEALKEY(flags, exportedSessionKey, role));
    this.recvHandle = new Rc4(SEALKEY(flags, exportedSessionKey, peer));
  }

  get sendSequence(): number {
    return this.sendSeq;
  }
  get receiveSequence(): number {
    return this.recvSeq;
  }

  /** Re-keys the outgoing RC4 state (not the sequence number): SPNEGO does this after the mechListMIC. */
  resetSendHandle(): void {
    this.sendHandle.reset();
  }
  resetReceiveHandle(): void {
    this.recvHandle.reset();
  }

  // §3.4.4.1 / §3.4.4.2 MAC. The checksum covers the plaintext; RC4 runs on it after any sealing.
  private mac(handle: Rc4, signKey: Buffer, seq: number, message: Buffer): Buffer {
    const sig = Buffer.alloc(16);
    sig.writeUInt32LE(1, 0);
    if (!this.integrity) return sig; // §3.4.4.3: version 1, everything else zero
    if (this.ess) {
      const seqBuf = Buffer.alloc(4);
      seqBuf.writeUInt32LE(seq >>> 0, 0);
      hmacMd5(signKey, seqBuf, message).copy(sig, 4, 0, 8);
      if (this.keyExch) handle.processInPlace(sig, 4, 12);
      sig.writeUInt32LE(seq >>> 0, 12);
    } else {
      // RandomPad (0) | CRC32 | SeqNum (0), all through RC4, then SeqNum XOR ours. The §3.4.4.1 pseudo-code
      // then zeroes RandomPad, but the §4.2.2.4 example (Windows' bytes) keeps the encrypted pad: we send it
      // as Windows does, and `check` ignores the pad so that either form verifies.
      sig.writeUInt32LE(crc32(message), 8);
      handle.processInPlace(sig, 4, 16);
      sig.writeUInt32LE((sig.readUInt32LE(12) ^ seq) >>> 0, 12);
    }
    return sig;
  }

  // §3.4.2 SIGN
  sign(message: Buffer): Buffer {
    const sig = this.mac(this.sendHandle, this.sendSignKey, this.sendSeq, message);
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    return sig;
  }

  verify(message: Buffer, signature: Buffer): void {
    const expected = this.mac(this.recvHandle, this.recvSignKey, this.recvSeq, message);
    this.recvSeq = (this.recvSeq + 1) >>> 0;
    this.check(expected, signature);
  }

  // §3.4.3 SEAL, in the DCE/RPC layout: encrypt message[start, end), sign all of `message` as plaintext.
  sealInPlace(message: Buffer, start: number, end: number): Buffer {
    this.requireSeal();
    checkRange(message, start, end);
    // The checksum needs the plaintext, but RC4 must encrypt the data before the checksum.
    const seq = this.sendSeq;
    this.sendSeq = (this.sendSeq + 1) >>> 0;
    const sig = Buffer.alloc(16);
    sig.writeUInt32LE(1, 0);
    if (this.ess) {
      const seqBuf = Buffer.alloc(4);
      seqBuf.writeUInt32LE(seq, 0);
      hmacMd5(this.sendSignKey, seqBuf, message).copy(sig, 4, 0, 8);
      this.sendHandle.processInPlace(message, start, end);
      if (this.keyExch) this.sendHandle.processInPlace(sig, 4, 12);
      sig.writeUInt32LE(seq, 12);
      return sig;
    }
    const crc = crc32(message);
    this.sendHandle.processInPlace(message, start, end);
    sig.writeUInt32LE(crc, 8);
    this.sendHandle.processInPlace(sig, 4, 16);
    sig.writeUInt32LE((sig.readUInt32LE(12) ^ seq) >>> 0, 12);
    return sig;
  }

  unsealInPlace(message: Buffer, start: number, end: number, signature: Buffer): void {
    this.requireSeal();
    checkRange(message, start, end);
    this.recvHandle.processInPlace(message, start, end);
    const expected = this.mac(this.recvHandle, this.recvSignKey, this.recvSeq, message);
    this.recvSeq = (this.recvSeq + 1) >>> 0;
    this.check(expected, signature);
  }

  private requireSeal(): void {
    if (!(this.flags & NTLMSSP_NEGOTIATE_SEAL)) throw new AuthError('ERR_AUTH_NOT_SUPPORTED', 'NTLMSSP_NEGOTIATE_SEAL was not negotiated');
  }

  private check(expected: Buffer, signature: Buffer): void {
    // Without extended session security the RandomPad (bytes 4..7) carries nothing: compare the rest.
    const from = this.ess || !this.integrity ? 0 : 8;
    const ok = signature.length === NTLM_SIGNATURE_SIZE && signature.readUInt32LE(0) === 1 && timingSafeEqual(expected.subarray(from), signature.subarray(from));
    if (!ok) {
      throw new AuthError('ERR_AUTH_BAD_SIGNATURE', `NTLM signature does not match (expected sequence ${this.recvSeq - 1})`);
    }
  }
}

function checkRange(message: Buffer, start: number, end: number): void {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= message.length)) {
    throw new RangeError(`seal range [${start}, ${end}) outside the ${message.length}-byte message`);
  }
}
