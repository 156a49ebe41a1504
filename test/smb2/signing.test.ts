// SMB 3.x key derivation and message signing, checked against impacket's implementation (a peer we did
// not write) and against Samba-signed captures.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dialect, SMB2_FLAGS_SIGNED } from '../../src/smb2/constants.js';
import { SMB30_APPLICATION, SMB30_SIGNING, SMB311_SIGNING_LABEL, sp800108 } from '../../src/smb2/kdf.js';
import { deriveSessionKeys, preauthUpdate, PREAUTH_ZERO, signMessage, verifyMessage } from '../../src/smb2/signing.js';
import { ensurePackages, runPython } from '../harness/peers.js';

const fixture = (n: string) => readFileSync(join(import.meta.dirname, 'fixtures', n));

describe('SP800-108 KDF and AES-CMAC against impacket', () => {
  beforeAll(() => ensurePackages(['python3-impacket']));

  it('gives the same keys and MACs for random inputs', async () => {
    const cases = Array.from({ length: 8 }, (_, i) => ({
      key: createHmac('sha256', 'k').update(String(i)).digest().subarray(0, 16),
      context: i % 2 ? SMB30_SIGNING.context : createHmac('sha512', 'c').update(String(i)).digest(),
      label: i % 2 ? SMB30_SIGNING.label : SMB311_SIGNING_LABEL,
      msg: createHmac('sha512', 'm').update(String(i)).digest().subarray(0, 20 + i * 7),
    }));
    const script = [
      'import sys, json',
      'from impacket import crypto',
      'out = []',
      'for c in json.loads(sys.argv[1]):',
      '    k = bytes.fromhex(c["key"]); d = crypto.KDF_CounterMode(k, bytes.fromhex(c["label"]), bytes.fromhex(c["context"]), 128)',
      '    m = bytes.fromhex(c["msg"]); out.append([d.hex(), crypto.AES_CMAC(d, m, len(m)).hex()])',
      'print(json.dumps(out))',
    ].join('\n');
    const arg = JSON.stringify(cases.map((c) => ({ key: c.key.toString('hex'), label: c.label.toString('hex'), context: c.context.toString('hex'), msg: c.msg.toString('hex') })));
    const r = await runPython(script, [arg]);
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(r.stdout) as [string, string][];
    const { aesCmac } = await import('../../src/crypto/cmac.js');
    const ours = cases.map((c) => {
      const k = sp800108(c.key, c.label, c.context);
      return [k.toString('hex'), aesCmac(k, c.msg).toString('hex')];
    });
    expect(ours).toEqual(theirs);
  });
});

describe('signing', () => {
  it('sign then verify; any changed byte fails', () => {
    const msg = Buffer.from(fixture('smbclient-smb311-012-tree-connect-req.bin'));
    for (const algorithm of ['aes-cmac', 'hmac-sha256'] as const) {
      const key = Buffer.alloc(16, 3);
      signMessage(msg, key, algorithm);
      expect(msg.readUInt32LE(16) & SMB2_FLAGS_SIGNED).toBe(SMB2_FLAGS_SIGNED);
      expect(verifyMessage(msg, key, algorithm)).toBe(true);
      for (const at of [0, 20, 47, 48, 63, 64, msg.length - 1]) {
        const bad = Buffer.from(msg);
        bad[at]! ^= 1;
        expect(verifyMessage(bad, key, algorithm)).toBe(false);
      }
      expect(verifyMessage(msg, Buffer.alloc(16, 4), algorithm)).toBe(false);
    }
  });

  it('session keys per dialect: 2.x uses the session key, 3.0 and 3.1.1 derive distinct keys', () => {
    const gss = Buffer.from('00112233445566778899aabbccddeeff0011', 'hex');
    const k2 = deriveSessionKeys(Dialect.SMB210, gss);
    expect(k2.signingKey.toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect(k2.algorithm).toBe('hmac-sha256');
    const k3 = deriveSessionKeys(Dialect.SMB300, gss);
    expect(k3.signingKey).toEqual(sp800108(k2.sessionKey, SMB30_SIGNING.label, SMB30_SIGNING.context));
    expect(k3.applicationKey).toEqual(sp800108(k2.sessionKey, SMB30_APPLICATION.label, SMB30_APPLICATION.context));
    const h = preauthUpdate(PREAUTH_ZERO, Buffer.from('negotiate'));
    const k311 = deriveSessionKeys(Dialect.SMB311, gss, h);
    expect(k311.signingKey).toEqual(sp800108(k2.sessionKey, SMB311_SIGNING_LABEL, h));
    expect(k311.signingKey.equals(k3.signingKey)).toBe(false);
    expect(() => deriveSessionKeys(Dialect.SMB311, gss)).toThrow();
  });
});

describe('sessionCmac', () => {
  it('equals crypto/cmac.ts aesCmac for every length from 0 to 100 (RFC 4493 padding cases)', async () => {
    const { aesCmac } = await import('../../src/crypto/cmac.js');
    const { sessionCmac } = await import('../../src/smb2/signing.js');
    const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
    const msg = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff));
    for (let len = 0; len <= 100; len++) expect(sessionCmac(key, msg.subarray(0, len)).equals(aesCmac(key, msg.subarray(0, len)))).toBe(true);
    // RFC 4493 §4 example 2 (16 bytes)
    expect(sessionCmac(key, Buffer.from('6bc1bee22e409f96e93d7e117393172a', 'hex')).toString('hex')).toBe('070a16b46b4d4144f79bdd9dd04a287c');
  });
});

describe('encryption codec', () => {
  it('AES-128-CCM and AES-128-GCM round trips; any changed byte fails authentication with FormatError', async () => {
    const { Cipher, NonceSource, decryptMessage, encryptMessage } = await import('../../src/smb2/encryption.js');
    const { decodeTransformHeader } = await import('../../src/smb2/messages/transform.js');
    const { FormatError } = await import('../../src/util/errors.js');
    const msg = fixture('smbclient-smb311-012-tree-connect-req.bin');
    const key = Buffer.alloc(16, 0x42);
    const nonces = new NonceSource();
    for (const cipher of [Cipher.AES_128_CCM, Cipher.AES_128_GCM]) {
      const a = encryptMessage(msg, key, cipher, 0x1234n, nonces);
      const b = encryptMessage(msg, key, cipher, 0x1234n, nonces);
      expect(a.equals(b)).toBe(false); // fresh nonce every time
      const h = decodeTransformHeader(a);
      expect([h.originalMessageSize, h.sessionId, h.flags]).toEqual([msg.length, 0x1234n, 1]);
      expect(decryptMessage(a, key, cipher).equals(msg)).toBe(true);
      for (const at of [4, 20, 40, 44, 52, a.length - 1]) {
        const bad = Buffer.from(a);
        bad[at]! ^= 0x10;
        expect(() => decryptMessage(bad, key, cipher)).toThrow(FormatError);
      }
      expect(() => decryptMessage(a, Buffer.alloc(16, 1), cipher)).toThrow(FormatError);
    }
  });
});
