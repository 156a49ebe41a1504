// Message signing (MS-SMB2 §3.1.4.1) and verification (§3.1.5.1), and the per-session keys
// (§3.2.5.3.1 client, §3.3.5.5.3 server) shared by both roles.
import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { cmacSubkeys } from '../crypto/cmac.js';
import { Dialect, SMB2_FLAGS_SIGNED, isSmb3 } from './constants.js';
import { SIGNATURE_OFFSET } from './messages/header.js';
import { SMB30_APPLICATION, SMB30_C2S, SMB30_S2C, SMB30_SIGNING, SMB311_APPLICATION_LABEL, SMB311_C2S_LABEL, SMB311_S2C_LABEL, SMB311_SIGNING_LABEL, sp800108 } from './kdf.js';

export type SigningAlgorithmName = 'hmac-sha256' | 'aes-cmac';

export interface SessionKeys {
  /** Session.SessionKey: first 16 bytes of the GSS session key (§3.3.1.8). */
  sessionKey: Buffer;
  signingKey: Buffer;
  applicationKey: Buffer;
  algorithm: SigningAlgorithmName;
  /** SMB 3.x: key of client-to-server and of server-to-client encryption (null for 2.x). */
  c2sKey: Buffer | null;
  s2cKey: Buffer | null;
}

/**
 * Keys of a session once authentication completes. `preauthHash` is the session's
 * PreauthIntegrityHashValue (3.1.1 only).
 */
export function deriveSessionKeys(dialect: number, gssKey: Buffer, preauthHash?: Buffer): SessionKeys {
  const sessionKey = Buffer.alloc(16);
  gssKey.copy(sessionKey, 0, 0, 16);
  if (!isSmb3(dialect)) return { sessionKey, signingKey: sessionKey, applicationKey: sessionKey, algorithm: 'hmac-sha256', c2sKey: null, s2cKey: null };
  if (dialect === Dialect.SMB311) {
    if (!preauthHash) throw new Error('SMB 3.1.1 key derivation needs the preauth integrity hash');
    return {
      sessionKey,
      signingKey: sp800108(sessionKey, SMB311_SIGNING_LABEL, preauthHash),
      applicationKey: sp800108(sessionKey, SMB311_APPLICATION_LABEL, preauthHash),
      algorithm: 'aes-cmac',
      c2sKey: sp800108(sessionKey, SMB311_C2S_LABEL, preauthHash),
      s2cKey: sp800108(sessionKey, SMB311_S2C_LABEL, preauthHash),
    };
  }
  return {
    sessionKey,
    signingKey: sp800108(sessionKey, SMB30_SIGNING.label, SMB30_SIGNING.context),
    applicationKey: sp800108(sessionKey, SMB30_APPLICATION.label, SMB30_APPLICATION.context),
    algorithm: 'aes-cmac',
    c2sKey: sp800108(sessionKey, SMB30_C2S.label, SMB30_C2S.context),
    s2cKey: sp800108(sessionKey, SMB30_S2C.label, SMB30_S2C.context),
  };
}

// A session signs every message with one key: keep its CMAC subkeys (RFC 4493 §2.3) instead of
// deriving them again per message, which was half the cost of a small signed request.
const subkeys = new WeakMap<Buffer, { k1: Buffer; k2: Buffer }>();

/** AES-128-CMAC (RFC 4493 §2.4) with the subkeys of `key` cached; same result as crypto/cmac.ts aesCmac. */
export function sessionCmac(key: Buffer, msg: Buffer): Buffer {
  let sk = subkeys.get(key);
  if (!sk) {
    sk = cmacSubkeys(key);
    subkeys.set(key, sk);
  }
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const lastStart = (n - 1) * 16;
  const last = Buffer.alloc(16);
  if (msg.length > 0 && msg.length % 16 === 0) {
    for (let i = 0; i < 16; i++) last[i] = msg[lastStart + i]! ^ sk.k1[i]!;
  } else {
    const rem = msg.length - lastStart;
    msg.copy(last, 0, lastStart);
    last[rem] = 0x80;
    for (let i = 0; i < 16; i++) last[i] = last[i]! ^ sk.k2[i]!;
  }
  const cbc = createCipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  if (n > 1) cbc.update(msg.subarray(0, lastStart));
  return cbc.update(last);
}

function mac(msg: Buffer, key: Buffer, algorithm: SigningAlgorithmName): Buffer {
  if (algorithm === 'aes-cmac') return sessionCmac(key, msg);
  return createHmac('sha256', key).update(msg).digest().subarray(0, 16);
}

/** Sets SMB2_FLAGS_SIGNED and writes the signature into `msg` (one message of a frame, padding included). */
export function signMessage(msg: Buffer, key: Buffer, algorithm: SigningAlgorithmName): void {
  msg.writeUInt32LE((msg.readUInt32LE(16) | SMB2_FLAGS_SIGNED) >>> 0, 16);
  msg.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + 16);
  mac(msg, key, algorithm).copy(msg, SIGNATURE_OFFSET);
}

/** True when the signature in `msg` is right. `msg` is left unchanged. */
export function verifyMessage(msg: Buffer, key: Buffer, algorithm: SigningAlgorithmName): boolean {
  const saved = Buffer.from(msg.subarray(SIGNATURE_OFFSET, SIGNATURE_OFFSET + 16));
  msg.fill(0, SIGNATURE_OFFSET, SIGNATURE_OFFSET + 16);
  const expected = mac(msg, key, algorithm);
  saved.copy(msg, SIGNATURE_OFFSET);
  return timingSafeEqual(expected, saved);
}

/** §3.3.5.4 / §3.2.5.2: PreauthIntegrityHashValue := SHA-512(previous ‖ message). */
export function preauthUpdate(previous: Buffer, message: Buffer): Buffer {
  return createHash('sha512').update(previous).update(message).digest();
}
export const PREAUTH_ZERO = Buffer.alloc(64);
