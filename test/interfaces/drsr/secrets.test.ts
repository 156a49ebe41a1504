import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/crypto/crc32.js';
import { desEncrypt, expandDesKey } from '../../../src/crypto/des.js';
import { md4 } from '../../../src/crypto/md4.js';
import { rc4 } from '../../../src/crypto/rc4.js';
import { DrsSecretError } from '../../../src/interfaces/drsr/errors.js';
import { decryptAttribute, decryptSecretValue, parseSupplementalCredentials, removeRidDes } from '../../../src/interfaces/drsr/secrets.js';

const fx = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'secrets-administrator.json'), 'utf8')) as {
  sessionKey: string; rid: number; unicodePwd: string[]; ntPwdHistory: string[]; supplementalCredentials: string[];
};

function encrypt(key: Buffer, data: Buffer, salt = randomBytes(16)): Buffer {
  const k = createHash('md5').update(key).update(salt).digest();
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(data) >>> 0);
  return Buffer.concat([salt, rc4(k, Buffer.concat([crc, data]))]);
}

describe('secret attributes', () => {
  it("decrypts Samba's unicodePwd of Administrator (captured with its session key) to MD4(password)", () => {
    const key = Buffer.from(fx.sessionKey, 'hex');
    const nt = decryptAttribute('unicodePwd', key, fx.rid, Buffer.from(fx.unicodePwd[0]!, 'hex'));
    expect(nt).toEqual(md4(Buffer.from('LabAdmin123', 'utf16le')));
    const hist = decryptAttribute('ntPwdHistory', key, fx.rid, Buffer.from(fx.ntPwdHistory[0]!, 'hex'));
    expect(hist.subarray(0, 16)).toEqual(nt);
  });

  it('parses supplementalCredentials into Kerberos keys with the realm salt', () => {
    const key = Buffer.from(fx.sessionKey, 'hex');
    const sc = parseSupplementalCredentials(decryptAttribute('supplementalCredentials', key, fx.rid, Buffer.from(fx.supplementalCredentials[0]!, 'hex')));
    expect(sc.kerberosSalt).toBe('LAB.EXAMPLE.COMAdministrator');
    expect(sc.kerberosKeys.map((k) => [k.type, k.key.length])).toEqual([
      ['aes256-cts-hmac-sha1-96', 64], ['aes128-cts-hmac-sha1-96', 32], ['des-cbc-md5', 16], ['des-cbc-crc', 16],
    ]);
    expect(sc.packages).toContain('Kerberos-Newer-Keys');
  });

  it('refuses a value whose CRC32 does not match (a wrong key is an error, not wrong data)', () => {
    const v = Buffer.from(fx.unicodePwd[0]!, 'hex');
    const wrong = Buffer.from(fx.sessionKey, 'hex');
    wrong[0]! ^= 1;
    expect(() => decryptSecretValue(wrong, v)).toThrow(DrsSecretError);
    expect(() => decryptSecretValue(wrong, v.subarray(0, 19))).toThrow(/at least 20/);
  });

  it('round-trips both layers for RID 500 (keys of [MS-SAMR] §2.2.11.1.3)', () => {
    const key = randomBytes(16);
    const hash = randomBytes(32);
    const k1 = expandDesKey(Buffer.from('f4010000f40100', 'hex'));
    const k2 = expandDesKey(Buffer.from('00f4010000f401', 'hex'));
    const enc = Buffer.concat([0, 16].flatMap((p) => [desEncrypt(k1, hash.subarray(p, p + 8)), desEncrypt(k2, hash.subarray(p + 8, p + 16))]));
    expect(removeRidDes(500, enc)).toEqual(hash);
    expect(decryptAttribute('lmPwdHistory', key, 500, encrypt(key, enc))).toEqual(hash);
    expect(() => removeRidDes(500, enc.subarray(0, 15))).toThrow(DrsSecretError);
    expect(() => removeRidDes(0, enc)).toThrow(DrsSecretError);
  });

  it('rejects malformed USER_PROPERTIES with typed errors', () => {
    const b = Buffer.alloc(112 + 6 + 4);
    b.writeUInt32LE(b.length - 12, 4);
    b.writeUInt16LE(0x50, 108);
    b.writeUInt16LE(1, 110);
    b.writeUInt16LE(4, 112);
    b.writeUInt16LE(200, 114); // value longer than the blob
    expect(() => parseSupplementalCredentials(b)).toThrow(DrsSecretError);
    b.writeUInt16LE(0x51, 108);
    expect(() => parseSupplementalCredentials(b)).toThrow(/PropertySignature/);
  });
});
