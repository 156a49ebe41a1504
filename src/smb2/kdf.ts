// SMB 3.x key derivation (MS-SMB2 §3.1.4.2): NIST SP800-108 KDF in counter mode, PRF HMAC-SHA256,
// r = 32, one iteration is enough for L = 128 or 256.
import { createHmac } from 'node:crypto';

/** KDF(Ki, Label, Context) → L/8 bytes. Label and Context are given with their terminating NULs. */
export function sp800108(key: Buffer, label: Buffer, context: Buffer, bits: 128 | 256 = 128): Buffer {
  const i = Buffer.from([0, 0, 0, 1]);
  const l = Buffer.alloc(4);
  l.writeUInt32BE(bits, 0);
  // SP800-108 §5.1: [i]2 ‖ Label ‖ 0x00 ‖ Context ‖ [L]2
  const out = createHmac('sha256', key).update(i).update(label).update(Buffer.from([0])).update(context).update(l).digest();
  return out.subarray(0, bits / 8);
}

const z = (s: string) => Buffer.from(s + '\0', 'ascii');

/** Labels and contexts of §3.2.5.3.1 / §3.3.5.5.3 for 3.0 and 3.0.2. */
export const SMB30_SIGNING = { label: z('SMB2AESCMAC'), context: z('SmbSign') };
export const SMB30_APPLICATION = { label: z('SMB2APP'), context: z('SmbRpc') };
/** Labels for 3.1.1; the context is the session's preauth integrity hash. */
export const SMB311_SIGNING_LABEL = z('SMBSigningKey');
export const SMB311_APPLICATION_LABEL = z('SMBAppKey');
/** Encryption keys (§3.2.5.3.1, §3.3.5.5.3): client-to-server and server-to-client. */
export const SMB30_C2S = { label: z('SMB2AESCCM'), context: z('ServerIn ') };
export const SMB30_S2C = { label: z('SMB2AESCCM'), context: z('ServerOut') };
export const SMB311_C2S_LABEL = z('SMBC2SCipherKey');
export const SMB311_S2C_LABEL = z('SMBS2CCipherKey');
