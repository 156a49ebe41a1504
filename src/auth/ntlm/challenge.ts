// MS-NLMP §2.2.1.2 CHALLENGE_MESSAGE
import { AuthMalformedError } from '../errors.js';
import { decodeAvPairs, encodeAvPairs, type AvPair } from './avpairs.js';
import { NTLMSSP_NEGOTIATE_TARGET_INFO, NTLMSSP_NEGOTIATE_UNICODE, NTLMSSP_NEGOTIATE_VERSION } from './flags.js';
import { checkHeader, decodeText, decodeVersion, encodeText, encodeVersion, firstPayloadOffset, layout, NtLmChallenge, readPayload, writeHeader, type Version } from './wire.js';

export interface ChallengeMessage {
  NegotiateFlags: number;
  ServerChallenge: Buffer;
  TargetName: string;
  /** Decoded AV pairs (empty when TargetInfo is absent). */
  TargetInfo: AvPair[];
  Version?: Version;
}

const TOKEN = 'NTLM CHALLENGE_MESSAGE';

export function decodeChallengeMessage(b: Buffer): ChallengeMessage {
  checkHeader(TOKEN, b, NtLmChallenge, 32);
  const NegotiateFlags = b.readUInt32LE(20);
  const unicode = (NegotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const msg: ChallengeMessage = {
    NegotiateFlags,
    ServerChallenge: Buffer.from(b.subarray(24, 32)),
    TargetName: decodeText(readPayload(TOKEN, 'TargetName', b, 12), unicode),
    TargetInfo: [],
  };
  if (b.length >= 48) {
    const ti = readPayload(TOKEN, 'TargetInfo', b, 40);
    if (ti.length > 0) {
      try {
        msg.TargetInfo = decodeAvPairs(ti, TOKEN);
      } catch (err) {
        if (err instanceof AuthMalformedError) throw new AuthMalformedError(TOKEN, b.readUInt32LE(44) + err.offset, `TargetInfo: ${err.message}`);
        throw err;
      }
    }
    if (NegotiateFlags & NTLMSSP_NEGOTIATE_VERSION && b.length >= 56 && firstPayloadOffset(b, [12, 40]) >= 56) {
      msg.Version = decodeVersion(b, 48);
    }
  }
  return msg;
}

export function encodeChallengeMessage(msg: ChallengeMessage): Buffer {
  if (msg.ServerChallenge.length !== 8) throw new RangeError('ServerChallenge must be 8 bytes');
  const unicode = (msg.NegotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const withInfo = (msg.NegotiateFlags & NTLMSSP_NEGOTIATE_TARGET_INFO) !== 0;
  const b = layout(msg.Version ? 56 : 48, [
    { at: 12, data: encodeText(msg.TargetName, unicode) },
    { at: 40, data: withInfo ? encodeAvPairs(msg.TargetInfo) : Buffer.alloc(0) },
  ]);
  writeHeader(b, NtLmChallenge);
  b.writeUInt32LE(msg.NegotiateFlags >>> 0, 20);
  msg.ServerChallenge.copy(b, 24);
  if (msg.Version) encodeVersion(msg.Version, b, 48);
  return b;
}
