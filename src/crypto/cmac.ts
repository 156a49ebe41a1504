// AES-CMAC (RFC 4493) for SMB 3.x signing, built on Node's aes-128-ecb. Node's OpenSSL 3 does have a
// CMAC MAC but no stable API to reach it from Node 20.
import { createCipheriv } from 'node:crypto';

function aesBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null).setAutoPadding(false);
  return c.update(block);
}

// RFC 4493 §2.3: shift left by one bit; XOR Rb = 0x87 into the last byte when the top bit fell off.
function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 15; i++) out[i] = ((b[i]! << 1) | (b[i + 1]! >> 7)) & 0xff;
  out[15] = (b[15]! << 1) & 0xff;
  if (b[0]! & 0x80) out[15] = out[15]! ^ 0x87;
  return out;
}

export function cmacSubkeys(key: Uint8Array): { k1: Buffer; k2: Buffer } {
  const l = aesBlock(key, Buffer.alloc(16));
  const k1 = dbl(l);
  return { k1, k2: dbl(k1) };
}

/** AES-CMAC(key, message), 16 bytes (RFC 4493 §2.4). key: 16 bytes (AES-128) or 32 (AES-256, SMB 3.1.1 GMAC
 * does not need it, but the construction is the same). */
export function aesCmac(key: Uint8Array, message: Uint8Array): Buffer {
  if (key.length !== 16 && key.length !== 32) throw new RangeError('AES-CMAC key must be 16 or 32 bytes');
  const { k1, k2 } = cmacSubkeys(key);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  const lastStart = (n - 1) * 16;
  if (complete) {
    for (let i = 0; i < 16; i++) last[i] = message[lastStart + i]! ^ k1[i]!;
  } else {
    const rem = message.length - lastStart;
    for (let i = 0; i < rem; i++) last[i] = message[lastStart + i]!;
    last[rem] = 0x80;
    for (let i = 0; i < 16; i++) last[i] = last[i]! ^ k2[i]!;
  }
  // CBC-MAC over the first n-1 blocks with a zero IV, then the prepared last block.
  const cbc = createCipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  if (n > 1) cbc.update(message.subarray(0, lastStart));
  return cbc.update(last);
}
