// Single DES. OpenSSL 3 moved des-ecb to the legacy provider, but its default provider still has
// triple DES: des-ede-ecb with K1 = K2 gives E(K, D(K, E(K, x))) = E(K, x), i.e. single DES.
// Used by NTLMv1 (DESL, §6 of MS-NLMP) and the RID-keyed layer on DRSR password hashes (MS-SAMR §2.2.11.1).
import { createCipheriv, createDecipheriv } from 'node:crypto';

function checkKey(key: Uint8Array): void {
  if (key.length !== 8) throw new RangeError('DES key must be 8 bytes (use expandDesKey for 7-byte keys)');
}

/** Encrypts one or more whole 8-byte blocks (ECB) with the 8-byte key. */
export function desEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey(key);
  if (data.length % 8 !== 0) throw new RangeError('DES data must be a multiple of 8 bytes');
  const k = Buffer.concat([key, key]);
  const c = createCipheriv('des-ede-ecb', k, null).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

export function desDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  checkKey(key);
  if (data.length % 8 !== 0) throw new RangeError('DES data must be a multiple of 8 bytes');
  const k = Buffer.concat([key, key]);
  const c = createDecipheriv('des-ede-ecb', k, null).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** Spreads a 56-bit key (7 bytes) over 8 bytes, 7 bits per byte; the low (parity) bit is left 0,
 * which DES ignores. */
export function expandDesKey(key7: Uint8Array): Buffer {
  if (key7.length !== 7) throw new RangeError('expandDesKey needs 7 bytes');
  const k = key7;
  const out = Buffer.alloc(8);
  out[0] = k[0]! & 0xfe;
  out[1] = ((k[0]! << 7) | (k[1]! >> 1)) & 0xfe;
  out[2] = ((k[1]! << 6) | (k[2]! >> 2)) & 0xfe;
  out[3] = ((k[2]! << 5) | (k[3]! >> 3)) & 0xfe;
  out[4] = ((k[3]! << 4) | (k[4]! >> 4)) & 0xfe;
  out[5] = ((k[4]! << 3) | (k[5]! >> 5)) & 0xfe;
  out[6] = ((k[5]! << 2) | (k[6]! >> 6)) & 0xfe;
  out[7] = (k[6]! << 1) & 0xfe;
  return out;
}
