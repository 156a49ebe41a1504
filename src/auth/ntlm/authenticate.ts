// MS-NLMP §2.2.1.3 AUTHENTICATE_MESSAGE
import { NTLMSSP_NEGOTIATE_UNICODE, NTLMSSP_NEGOTIATE_VERSION } from './flags.js';
import { checkHeader, decodeText, decodeVersion, encodeText, encodeVersion, firstPayloadOffset, layout, NtLmAuthenticate, readPayload, writeHeader, type Version } from './wire.js';

export interface AuthenticateMessage {
  LmChallengeResponse: Buffer;
  NtChallengeResponse: Buffer;
  DomainName: string;
  UserName: string;
  Workstation: string;
  EncryptedRandomSessionKey: Buffer;
  NegotiateFlags: number;
  Version?: Version;
  /** 16 bytes when the header has room for it (payload starts at or after 88). */
  MIC?: Buffer;
}

/** Where the MIC sits in the message (after the 8-byte Version). */
export const MIC_OFFSET = 72;

const TOKEN = 'NTLM AUTHENTICATE_MESSAGE';
const FIELDS = [12, 20, 28, 36, 44, 52];

export function decodeAuthenticateMessage(b: Buffer): AuthenticateMessage {
  checkHeader(TOKEN, b, NtLmAuthenticate, 64);
  const NegotiateFlags = b.readUInt32LE(60);
  const unicode = (NegotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const msg: AuthenticateMessage = {
    LmChallengeResponse: readPayload(TOKEN, 'LmChallengeResponse', b, 12),
    NtChallengeResponse: readPayload(TOKEN, 'NtChallengeResponse', b, 20),
    DomainName: decodeText(readPayload(TOKEN, 'DomainName', b, 28), unicode),
    UserName: decodeText(readPayload(TOKEN, 'UserName', b, 36), unicode),
    Workstation: decodeText(readPayload(TOKEN, 'Workstation', b, 44), unicode),
    EncryptedRandomSessionKey: readPayload(TOKEN, 'EncryptedRandomSessionKey', b, 52),
    NegotiateFlags,
  };
  // Version and MIC are present only if the payload leaves room for them after the fixed fields.
  const first = firstPayloadOffset(b, FIELDS);
  if (first >= 72 && b.length >= 72 && NegotiateFlags & NTLMSSP_NEGOTIATE_VERSION) msg.Version = decodeVersion(b, 64);
  if (first >= 88 && b.length >= 88) msg.MIC = Buffer.from(b.subarray(MIC_OFFSET, MIC_OFFSET + 16));
  return msg;
}

/** Encodes with room for Version and MIC (the MIC as given, or zeros to be filled in by the caller). */
export function encodeAuthenticateMessage(msg: AuthenticateMessage): Buffer {
  const unicode = (msg.NegotiateFlags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const withMic = msg.MIC !== undefined;
  const headerSize = withMic ? 88 : msg.Version ? 72 : 64;
  // Payload order as Windows writes it: domain, user, workstation, LM, NT, key.
  const b = layout(headerSize, [
    { at: 28, data: encodeText(msg.DomainName, unicode) },
    { at: 36, data: encodeText(msg.UserName, unicode) },
    { at: 44, data: encodeText(msg.Workstation, unicode) },
    { at: 12, data: msg.LmChallengeResponse },
    { at: 20, data: msg.NtChallengeResponse },
    { at: 52, data: msg.EncryptedRandomSessionKey },
  ]);
  writeHeader(b, NtLmAuthenticate);
  b.writeUInt32LE(msg.NegotiateFlags >>> 0, 60);
  if (headerSize >= 72 && msg.Version) encodeVersion(msg.Version, b, 64);
  if (msg.MIC) msg.MIC.copy(b, MIC_OFFSET, 0, 16);
  return b;
}
