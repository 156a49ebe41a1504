// Compressed GetNCChanges replies through the client's reply path (decodeGetNCChangesResponse): V7
// response stubs packed by Samba's own NDR code (MSZIP and XPRESS, test/interfaces/drsr/compression/
// fixtures, made by generate-fixtures.py from our captured Samba page) decode to the same reply as the
// uncompressed page; a wrong uncompressed size is a typed error. And when the client asks for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGetNCChangesResponse, DRS_EXT, encodeExtensions, decodeExtensions, offersCompression, CLIENT_FLAGS } from '../../../src/interfaces/drsr/client.js';
import { DRS_OPTIONS, decodeReplyPage, replicate, type ReplicationSource } from '../../../src/interfaces/drsr/replicate.js';
import type { GetNCChangesRequest } from '../../../src/interfaces/drsr/client.js';
import { HivewireError } from '../../../src/util/errors.js';
import { SEED } from './fuzz.js';

interface Case { name: string; alg: string; stub?: string; uncompressedSize: number; compressedSize: number }
const fixtures = JSON.parse(readFileSync(join(__dirname, 'compression', 'fixtures', 'samba-compressed.json'), 'utf8')) as { cases: Case[] };
const captured = fixtures.cases.filter((c) => /^(mszip|xpress): captured Samba page$/.test(c.name));

describe('compressed (V7) GetNCChanges replies', () => {
  it('has Samba-packed V7 stubs of the captured page for both algorithms', () => {
    expect(captured.map((c) => c.alg).sort()).toEqual(['mszip', 'xpress']);
  });

  for (const c of captured) {
    it(`${c.alg}: decodes to the same reply and page as the uncompressed V6 stub`, () => {
      const stub = Buffer.from(c.stub!, 'hex');
      expect(stub.readUInt32LE(0)).toBe(7); // pdwOutVersion: really a V7 reply
      expect(c.compressedSize).toBeLessThan(c.uncompressedSize);
      const plain = decodeGetNCChangesResponse(SEED);
      const r = decodeGetNCChangesResponse(stub);
      expect(r).toEqual(plain);
      expect(r.version).toBe(6);
      const page = decodeReplyPage(r);
      expect(page.objects.map((o) => o.dn)).toEqual(decodeReplyPage(plain).objects.map((o) => o.dn));
      expect(page.objects[0]!.attributes.objectClass).toEqual(['domainDNS', 'domain', 'top']);
    });

    it(`${c.alg}: a cbUncompressedSize that does not match the data is a typed error`, () => {
      const stub = Buffer.from(c.stub!, 'hex');
      // V7 body after pdwOutVersion, tag, dwCompressedVersion, CompressionAlg (+pad): cbUncompressedSize
      for (const delta of [-8, 8]) {
        const bad = Buffer.from(stub);
        bad.writeUInt32LE(c.uncompressedSize + delta, 16);
        let err: unknown;
        try {
          decodeGetNCChangesResponse(bad);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(HivewireError);
      }
    });
  }

  it('asks for compression (DRS_USE_COMPRESSION) only from a DC that offers it', async () => {
    // Samba's DC: V7 support (WHISTLER_BETA3) without GETCHG_DEFLATE or W2K3_DEFLATE
    const samba = 0x3fffff7f & ~(DRS_EXT.GETCHG_DEFLATE | DRS_EXT.W2K3_DEFLATE);
    expect(offersCompression({ dwFlags: samba })).toBe(false);
    expect(offersCompression({ dwFlags: samba | DRS_EXT.GETCHG_DEFLATE })).toBe(true);
    expect(offersCompression({ dwFlags: samba | DRS_EXT.W2K3_DEFLATE })).toBe(true);
    expect(offersCompression({ dwFlags: (samba | DRS_EXT.W2K3_DEFLATE) & ~DRS_EXT.WHISTLER_BETA3 })).toBe(false);
    // and we say we take V7, MSZIP and WIN2K3
    const ours = decodeExtensions(encodeExtensions()).dwFlags;
    expect(ours).toBe(CLIENT_FLAGS);
    expect(offersCompression({ dwFlags: ours })).toBe(true);

    for (const useCompression of [true, false]) {
      const seen: GetNCChangesRequest[] = [];
      const dc: ReplicationSource = {
        requestVersion: 10,
        useCompression,
        sessionKey: Buffer.alloc(16),
        async getNCChanges(req) {
          seen.push({ ...req });
          const r = decodeGetNCChangesResponse(Buffer.from(captured[0]!.stub!, 'hex'));
          r.fMoreData = 0;
          return r;
        },
      };
      await replicate(dc, { nc: 'DC=lab,DC=example,DC=com', onPage: () => {} });
      expect((seen[0]!.ulFlags & DRS_OPTIONS.USE_COMPRESSION) !== 0).toBe(useCompression);
    }
  });
});
