// MS-NLMP §2.2.2.1 AV_PAIR lists (CHALLENGE_MESSAGE TargetInfo and the NTLMv2 client challenge).
import { AuthMalformedError } from '../errors.js';

export const MsvAvEOL = 0x0000;
export const MsvAvNbComputerName = 0x0001;
export const MsvAvNbDomainName = 0x0002;
export const MsvAvDnsComputerName = 0x0003;
export const MsvAvDnsDomainName = 0x0004;
export const MsvAvDnsTreeName = 0x0005;
export const MsvAvFlags = 0x0006;
export const MsvAvTimestamp = 0x0007;
export const MsvAvSingleHost = 0x0008;
export const MsvAvTargetName = 0x0009;
export const MsvAvChannelBindings = 0x000a;

/** MsvAvFlags bit: the client put a MIC in the AUTHENTICATE_MESSAGE. */
export const MSV_AV_FLAG_MIC_PRESENT = 0x00000002;

export interface AvPair {
  AvId: number;
  Value: Buffer;
}

/** Decodes pairs up to MsvAvEOL (excluded). A list without an MsvAvEOL is malformed. */
export function decodeAvPairs(b: Buffer, token = 'NTLM AV_PAIR list'): AvPair[] {
  const out: AvPair[] = [];
  let p = 0;
  for (;;) {
    if (b.length - p < 4) throw new AuthMalformedError(token, p, 'AV_PAIR list ends without MsvAvEOL');
    const AvId = b.readUInt16LE(p);
    const AvLen = b.readUInt16LE(p + 2);
    if (AvId === MsvAvEOL) return out;
    if (AvLen > b.length - p - 4) throw new AuthMalformedError(token, p, `AvLen ${AvLen} runs past the end of the list`);
    out.push({ AvId, Value: b.subarray(p + 4, p + 4 + AvLen) });
    p += 4 + AvLen;
  }
}

export function encodeAvPairs(pairs: AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const { AvId, Value } of pairs) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(AvId, 0);
    h.writeUInt16LE(Value.length, 2);
    parts.push(h, Value);
  }
  parts.push(Buffer.alloc(4)); // MsvAvEOL
  return Buffer.concat(parts);
}

export function findAvPair(pairs: AvPair[], id: number): Buffer | undefined {
  return pairs.find((p) => p.AvId === id)?.Value;
}

/** Replaces the pair with this id or appends one before EOL. */
export function setAvPair(pairs: AvPair[], id: number, value: Buffer): void {
  const i = pairs.findIndex((p) => p.AvId === id);
  if (i >= 0) pairs[i] = { AvId: id, Value: value };
  else pairs.push({ AvId: id, Value: value });
}
