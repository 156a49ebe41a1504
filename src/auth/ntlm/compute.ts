// MS-NLMP §3.3 (NTOWF, ComputeResponse) and §3.4.5 (KXKEY, SIGNKEY, SEALKEY), plus the NTLMv2 client
// challenge structure they hash (§2.2.2.7).
import { createHash, createHmac } from 'node:crypto';
import { desEncrypt, expandDesKey } from '../../crypto/des.js';
import { md4 } from '../../crypto/md4.js';
import { AuthMalformedError } from '../errors.js';
import { decodeAvPairs, encodeAvPairs, type AvPair } from './avpairs.js';
import { NTLMSSP_NEGOTIATE_128, NTLMSSP_NEGOTIATE_56, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_LM_KEY, NTLMSSP_REQUEST_NON_NT_SESSION_KEY } from './flags.js';

export function hmacMd5(key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
}

function md5(...data: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return h.digest();
}

/** NT hash: MD4(UNICODE(Passwd)) — NTOWFv1 of §3.3.1. */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

// §3.3.1 LMOWFv1: DES of "KGS!@#$%" under the upper-cased, 14-byte-padded OEM password halves.
export function LMOWFv1(password: string): Buffer {
  const pw = Buffer.alloc(14);
  Buffer.from(password.toUpperCase(), 'latin1').copy(pw, 0, 0, 14);
  const magic = Buffer.from('KGS!@#$%', 'latin1');
  return Buffer.concat([desEncrypt(expandDesKey(pw.subarray(0, 7)), magic), desEncrypt(expandDesKey(pw.subarray(7, 14)), magic)]);
}

// §3.3.2 NTOWFv2 = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(Uppercase(User), UserDom)))
export function NTOWFv2(ntHashValue: Buffer, user: string, domain: string): Buffer {
  return hmacMd5(ntHashValue, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

// §6 DESL(K, D): three DES encryptions of D under 7-byte pieces of K padded to 21 bytes.
export function DESL(key16: Buffer, data8: Buffer): Buffer {
  const k = Buffer.alloc(21);
  key16.copy(k, 0, 0, 16);
  return Buffer.concat([0, 7, 14].map((o) => desEncrypt(expandDesKey(k.subarray(o, o + 7)), data8)));
}

// MS-NLMP §2.2.2.7 NTLMv2_CLIENT_CHALLENGE
export interface NTLMv2_CLIENT_CHALLENGE {
  TimeStamp: Buffer;
  ChallengeFromClient: Buffer;
  AvPairs: AvPair[];
}

/** The bytes of NTLMv2_CLIENT_CHALLENGE followed by Z(4): the "temp" of §3.3.2. */
export function encodeClientChallengeTemp(c: NTLMv2_CLIENT_CHALLENGE): Buffer {
  const head = Buffer.alloc(28);
  head[0] = 1; // RespType
  head[1] = 1; // HiRespType
  c.TimeStamp.copy(head, 8, 0, 8);
  c.ChallengeFromClient.copy(head, 16, 0, 8);
  return Buffer.concat([head, encodeAvPairs(c.AvPairs), Buffer.alloc(4)]);
}

/** Decodes the NTLMv2_RESPONSE (§2.2.2.8): 16-byte NTProofStr, then NTLMv2_CLIENT_CHALLENGE. */
export function decodeNtlmv2Response(nt: Buffer): { NTProofStr: Buffer; temp: Buffer; challenge: NTLMv2_CLIENT_CHALLENGE } {
  const token = 'NTLMv2_RESPONSE';
  if (nt.length < 16 + 28 + 4) throw new AuthMalformedError(token, nt.length, 'shorter than NTProofStr + NTLMv2_CLIENT_CHALLENGE');
  if (nt[16] !== 1 || nt[17] !== 1) throw new AuthMalformedError(token, 16, `RespType ${nt[16]}/HiRespType ${nt[17]}, expected 1/1`);
  const temp = nt.subarray(16);
  let AvPairs: AvPair[];
  try {
    AvPairs = decodeAvPairs(temp.subarray(28), token);
  } catch (err) {
    if (err instanceof AuthMalformedError) throw new AuthMalformedError(token, 16 + 28 + err.offset, 'AvPairs: ' + err.message);
    throw err;
  }
  return {
    NTProofStr: nt.subarray(0, 16),
    temp,
    challenge: { TimeStamp: Buffer.from(temp.subarray(8, 16)), ChallengeFromClient: Buffer.from(temp.subarray(16, 24)), AvPairs },
  };
}

export interface Ntlmv2Result {
  NtChallengeResponse: Buffer;
  LmChallengeResponse: Buffer;
  SessionBaseKey: Buffer;
  NTProofStr: Buffer;
}

// §3.3.2 ComputeResponse for NTLMv2, from the client challenge bytes ("temp", already serialized).
export function computeNtlmv2Response(responseKeyNT: Buffer, serverChallenge: Buffer, temp: Buffer, clientChallenge: Buffer): Ntlmv2Result {
  const NTProofStr = hmacMd5(responseKeyNT, serverChallenge, temp);
  return {
    NTProofStr,
    NtChallengeResponse: Buffer.concat([NTProofStr, temp]),
    // ResponseKeyLM = NTOWFv2 as well (LMOWFv2 is defined as NTOWFv2).
    LmChallengeResponse: Buffer.concat([hmacMd5(responseKeyNT, serverChallenge, clientChallenge), clientChallenge]),
    SessionBaseKey: hmacMd5(responseKeyNT, NTProofStr),
  };
}

// §3.3.1 ComputeResponse for NTLMv1 (with and without extended session security).
export function computeNtlmv1Response(
  flags: number, ntHashValue: Buffer, lmHash: Buffer | undefined, serverChallenge: Buffer, clientChallenge: Buffer,
): { NtChallengeResponse: Buffer; LmChallengeResponse: Buffer; SessionBaseKey: Buffer } {
  if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
    return {
      NtChallengeResponse: DESL(ntHashValue, md5(serverChallenge, clientChallenge).subarray(0, 8)),
      LmChallengeResponse: Buffer.concat([clientChallenge, Buffer.alloc(16)]),
      SessionBaseKey: md4(ntHashValue),
    };
  }
  const nt = DESL(ntHashValue, serverChallenge);
  return { NtChallengeResponse: nt, LmChallengeResponse: lmHash ? DESL(lmHash, serverChallenge) : nt, SessionBaseKey: md4(ntHashValue) };
}

// §3.4.5.1 KXKEY. NTLMv2 uses the SessionBaseKey as is; NTLMv1 derives it from the flags.
export function KXKEY(flags: number, sessionBaseKey: Buffer, lmChallengeResponse: Buffer, serverChallenge: Buffer, lmHash: Buffer | undefined, v2: boolean): Buffer {
  if (v2) return sessionBaseKey;
  if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) return hmacMd5(sessionBaseKey, serverChallenge, lmChallengeResponse.subarray(0, 8));
  if (flags & NTLMSSP_NEGOTIATE_LM_KEY && lmHash) {
    const lm8 = lmChallengeResponse.subarray(0, 8);
    return Buffer.concat([
      desEncrypt(expandDesKey(lmHash.subarray(0, 7)), lm8),
      desEncrypt(expandDesKey(Buffer.concat([lmHash.subarray(7, 8), Buffer.alloc(6, 0xbd)])), lm8),
    ]);
  }
  if (flags & NTLMSSP_REQUEST_NON_NT_SESSION_KEY && lmHash) return Buffer.concat([lmHash.subarray(0, 8), Buffer.alloc(8)]);
  return sessionBaseKey;
}

const CLIENT_SIGN = Buffer.from('session key to client-to-server signing key magic constant\0', 'latin1');
const SERVER_SIGN = Buffer.from('session key to server-to-client signing key magic constant\0', 'latin1');
const CLIENT_SEAL = Buffer.from('session key to client-to-server sealing key magic constant\0', 'latin1');
const SERVER_SEAL = Buffer.from('session key to server-to-client sealing key magic constant\0', 'latin1');

export type Direction = 'client' | 'server';

// §3.4.5.2 SIGNKEY (only with extended session security).
export function SIGNKEY(exportedSessionKey: Buffer, mode: Direction): Buffer {
  return md5(exportedSessionKey, mode === 'client' ? CLIENT_SIGN : SERVER_SIGN);
}

// §3.4.5.3 SEALKEY
export function SEALKEY(flags: number, exportedSessionKey: Buffer, mode: Direction): Buffer {
  if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) {
    const k = flags & NTLMSSP_NEGOTIATE_128 ? exportedSessionKey : flags & NTLMSSP_NEGOTIATE_56 ? exportedSessionKey.subarray(0, 7) : exportedSessionKey.subarray(0, 5);
    return md5(k, mode === 'client' ? CLIENT_SEAL : SERVER_SEAL);
  }
  // The weakened keys apply with LM_KEY only (connection-oriented; the datagram case does not arise here).
  if (flags & NTLMSSP_NEGOTIATE_LM_KEY) {
    if (flags & NTLMSSP_NEGOTIATE_56) return Buffer.concat([exportedSessionKey.subarray(0, 7), Buffer.from([0xa0])]);
    return Buffer.concat([exportedSessionKey.subarray(0, 5), Buffer.from([0xe5, 0x38, 0xb0])]);
  }
  return exportedSessionKey;
}
