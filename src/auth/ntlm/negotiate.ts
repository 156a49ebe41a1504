// MS-NLMP §2.2.1.1 NEGOTIATE_MESSAGE
import { NTLMSSP_NEGOTIATE_VERSION } from './flags.js';
import { checkHeader, decodeVersion, encodeVersion, firstPayloadOffset, layout, NtLmNegotiate, readPayload, writeHeader, type Version } from './wire.js';

export interface NegotiateMessage {
  NegotiateFlags: number;
  /** OEM strings, only meaningful with NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED / _WORKSTATION_SUPPLIED. */
  DomainName: string;
  Workstation: string;
  Version?: Version;
}

const TOKEN = 'NTLM NEGOTIATE_MESSAGE';

export function decodeNegotiateMessage(b: Buffer): NegotiateMessage {
  // Very old clients stop after NegotiateFlags; the two field descriptors are then absent.
  checkHeader(TOKEN, b, NtLmNegotiate, 16);
  const msg: NegotiateMessage = { NegotiateFlags: b.readUInt32LE(12), DomainName: '', Workstation: '' };
  if (b.length < 32) return msg;
  msg.DomainName = readPayload(TOKEN, 'DomainName', b, 16).toString('latin1');
  msg.Workstation = readPayload(TOKEN, 'Workstation', b, 24).toString('latin1');
  if (msg.NegotiateFlags & NTLMSSP_NEGOTIATE_VERSION && b.length >= 40 && firstPayloadOffset(b, [16, 24]) >= 40) {
    msg.Version = decodeVersion(b, 32);
  }
  return msg;
}

export function encodeNegotiateMessage(msg: NegotiateMessage): Buffer {
  const headerSize = msg.Version ? 40 : 32;
  const b = layout(headerSize, [
    { at: 16, data: Buffer.from(msg.DomainName, 'latin1') },
    { at: 24, data: Buffer.from(msg.Workstation, 'latin1') },
  ]);
  writeHeader(b, NtLmNegotiate);
  b.writeUInt32LE(msg.NegotiateFlags >>> 0, 12);
  if (msg.Version) encodeVersion(msg.Version, b, 32);
  return b;
}
