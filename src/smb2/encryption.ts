// SMB 3.x message encryption (MS-SMB2 §3.1.4.3) and decryption (§3.2.5.1.1.1, §3.3.5.2.1.1):
// AES-128-CCM (RFC 4309) or AES-128-GCM over the whole SMB2 message (a compound chain included),
// with the TRANSFORM_HEADER from Nonce to SessionId as additional authenticated data.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FormatError } from '../util/errors.js';
import { FORMAT } from './bytes.js';
import { TRANSFORM_HEADER_SIZE, decodeTransformHeader, encodeTransformHeader } from './messages/transform.js';

/** §2.2.3.1.2 cipher ids. */
export const Cipher = { AES_128_CCM: 0x0001, AES_128_GCM: 0x0002 } as const;
export const SUPPORTED_CIPHERS: readonly number[] = [Cipher.AES_128_GCM, Cipher.AES_128_CCM];

const AAD_START = 20; // Nonce … SessionId

/** Nonces must never repeat under one key: a random prefix per sender and a counter. */
export class NonceSource {
  private readonly prefix = randomBytes(4);
  private counter = 0n;
  next(cipher: number): Buffer {
    const nonce = Buffer.alloc(16);
    this.prefix.copy(nonce, 0);
    nonce.writeBigUInt64LE(this.counter++, 4);
    // CCM uses 11 bytes, GCM 12; the rest stays zero (§2.2.41)
    nonce.fill(0, cipher === Cipher.AES_128_CCM ? 11 : 12);
    return nonce;
  }
}

function algorithm(cipher: number): { name: 'aes-128-ccm' | 'aes-128-gcm'; nonceLength: number } {
  if (cipher === Cipher.AES_128_CCM) return { name: 'aes-128-ccm', nonceLength: 11 };
  if (cipher === Cipher.AES_128_GCM) return { name: 'aes-128-gcm', nonceLength: 12 };
  throw new RangeError(`unsupported SMB2 cipher ${cipher}`);
}

/** TRANSFORM_HEADER ‖ ciphertext of `message` (one message or a whole compound chain). */
export function encryptMessage(message: Buffer, key: Buffer, cipher: number, sessionId: bigint, nonces: NonceSource): Buffer {
  const { name, nonceLength } = algorithm(cipher);
  const nonce = nonces.next(cipher);
  const header = encodeTransformHeader({ signature: Buffer.alloc(16), nonce, originalMessageSize: message.length, flags: 1, sessionId });
  const aad = header.subarray(AAD_START);
  const iv = nonce.subarray(0, nonceLength);
  let body: Buffer;
  let tag: Buffer;
  if (name === 'aes-128-ccm') {
    const c = createCipheriv(name, key, iv, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: message.length });
    body = Buffer.concat([c.update(message), c.final()]);
    tag = c.getAuthTag();
  } else {
    const c = createCipheriv(name, key, iv);
    c.setAAD(aad);
    body = Buffer.concat([c.update(message), c.final()]);
    tag = c.getAuthTag();
  }
  tag.copy(header, 4);
  return Buffer.concat([header, body]);
}

/** Decrypts a TRANSFORM frame; throws FormatError when it does not authenticate. */
export function decryptMessage(frame: Buffer, key: Buffer, cipher: number): Buffer {
  const h = decodeTransformHeader(frame);
  const { name, nonceLength } = algorithm(cipher);
  const aad = frame.subarray(AAD_START, TRANSFORM_HEADER_SIZE);
  const body = frame.subarray(TRANSFORM_HEADER_SIZE);
  const iv = h.nonce.subarray(0, nonceLength);
  try {
    if (name === 'aes-128-ccm') {
      const d = createDecipheriv(name, key, iv, { authTagLength: 16 });
      d.setAuthTag(h.signature);
      d.setAAD(aad, { plaintextLength: body.length });
      return Buffer.concat([d.update(body), d.final()]);
    }
    const d = createDecipheriv(name, key, iv);
    d.setAuthTag(h.signature);
    d.setAAD(aad);
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    throw new FormatError(FORMAT, 4, 'a TRANSFORM_HEADER signature that authenticates the message', 'decryption failed');
  }
}
