// Proof against a peer we did not write: Samba's pidl-generated NDR code compresses a V7 GetNCChanges
// reply (MSZIP and XPRESS) when it packs one; we decompress it and must get, byte for byte, the
// pickle Samba packs uncompressed for the same ctr6. The committed fixtures come from
// generate-fixtures.py; the second block runs that script against the installed Samba now.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decompressDrsBlob, decompressGetChgReplyV2, decompressGetChgReplyV7, decompressLz77, DRS_COMP_ALG_MSZIP, DRS_COMP_ALG_WIN2K3, pickleBody,
} from '../../../../src/interfaces/drsr/compression/index.js';
import { HivewireError } from '../../../../src/util/errors.js';
import { Rng } from '../../../harness/rng.js';
import { IDL_DRSGetNCChanges } from '../../../../src/interfaces/drsr/types.js';
import { ndrDecode } from '../../../../src/ndr/index.js';
import { DRS_MSG_GETCHGREPLY_V6 } from '../../../../src/interfaces/drsr/types.js';
import { installCommand, PY, run } from '../../../harness/peers.js';

const here = dirname(fileURLToPath(import.meta.url));
const SEED_PATH = join(here, '..', 'fixtures', 'getncchanges-v6-page.bin');
const SEED = readFileSync(SEED_PATH);
const GENERATOR = join(here, 'generate-fixtures.py');

interface SambaCase {
  name: string;
  alg: 'mszip' | 'xpress';
  uncompressedSize: number;
  compressedSize: number;
  pickleLength: number;
  pickleSha256: string;
  stub?: string;
  pickle?: string;
  blob?: string;
  /** 2 for a V2 reply (compressed V1); absent for V7. */
  version?: number;
}
const ALG = { mszip: DRS_COMP_ALG_MSZIP, xpress: DRS_COMP_ALG_WIN2K3 };
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Decodes a Samba-made V7 response stub with the drsr IDL (types.ts) and returns its V7 arm. */
function v7Of(stub: Buffer) {
  const r = IDL_DRSGetNCChanges.decodeResponse(stub);
  expect(r.pdwOutVersion).toBe(7);
  if (r.pmsgOut.tag !== 7) throw new Error('not a V7 reply');
  return r.pmsgOut.V7;
}

function checkCase(c: SambaCase): void {
  let blob: Buffer;
  if (c.stub) {
    const v7 = v7Of(Buffer.from(c.stub, 'hex'));
    expect(v7.dwCompressedVersion).toBe(6);
    expect(v7.CompressionAlg).toBe(ALG[c.alg]);
    expect(v7.CompressedAny.cbUncompressedSize).toBe(c.uncompressedSize);
    blob = Buffer.from(v7.CompressedAny.pbCompressedData!);
  } else {
    blob = Buffer.from(c.blob!, 'hex');
  }
  expect(blob.length, c.name).toBe(c.compressedSize);
  const pickle = decompressDrsBlob(ALG[c.alg], blob, c.uncompressedSize);
  expect(pickle.length, c.name).toBe(c.pickleLength);
  expect(sha256(pickle), c.name).toBe(c.pickleSha256);
  if (c.pickle) expect(pickle.toString('hex'), c.name).toBe(c.pickle);
  // The pickle is a type serialization V1 stream whose body our NDR decoders read.
  const body = pickleBody(pickle);
  expect(() => ndrDecode(DRS_MSG_GETCHGREPLY_V6, body, { allowTrailing: true }), c.name).not.toThrow();
}

/** A V2 reply (MSZIP of a V1 pickle): byte-identical to Samba's pickle, and the page's objects. */
function checkV2(c: SambaCase): void {
  const stub = Buffer.from(c.stub!, 'hex');
  // types.ts has no V2 arm (our client never asks for V1/V2): read the DRS_COMPRESSED_BLOB by hand.
  expect(stub.readUInt32LE(0)).toBe(2);
  const blob = { cbUncompressedSize: stub.readUInt32LE(8), cbCompressedSize: stub.readUInt32LE(12), pbCompressedData: stub.subarray(24, 24 + stub.readUInt32LE(12)) };
  expect(blob.cbUncompressedSize).toBe(c.uncompressedSize);
  expect(sha256(decompressDrsBlob(DRS_COMP_ALG_MSZIP, blob.pbCompressedData, blob.cbUncompressedSize))).toBe(c.pickleSha256);
  const v1 = decompressGetChgReplyV2({ CompressedV1: blob });
  const plain = IDL_DRSGetNCChanges.decodeResponse(SEED);
  if (plain.pmsgOut.tag !== 6) throw new Error('seed is not V6');
  const v6 = plain.pmsgOut.V6;
  expect(v1.cNumObjects).toBe(v6.cNumObjects);
  expect(v1.pNC).toEqual(v6.pNC);
  expect(v1.pObjects).toEqual(v6.pObjects);
  expect(v1.usnvecTo).toEqual(v6.usnvecTo);
  expect(v1.pUpToDateVecSrcV1).toBeNull();
}

describe('Samba-compressed V7 replies (committed fixtures from python3-samba)', () => {
  const fixtures = JSON.parse(readFileSync(join(here, 'fixtures', 'samba-compressed.json'), 'utf8')) as { samba: string; cases: SambaCase[] };

  it('covers both algorithms, the captured page, an empty ctr6 and a multi-block stream', () => {
    const names = fixtures.cases.map((c) => c.name);
    for (const alg of ['mszip', 'xpress']) {
      expect(names).toContain(`${alg}: captured Samba page`);
      expect(names).toContain(`${alg}: empty ctr6`);
    }
    expect(fixtures.cases.some((c) => c.uncompressedSize > 3 * 65536)).toBe(true);
  });

  for (const c of fixtures.cases.filter((x) => x.version === undefined)) {
    it(`decompresses byte-identical to Samba's pickle: ${c.name}`, () => checkCase(c));
  }

  it('a V2 reply (MSZIP of a V1 pickle) decompresses byte-identical and decodes to the page\'s objects', () => {
    checkV2(fixtures.cases.find((x) => x.version === 2)!);
  });

  it('the captured page, compressed by Samba either way, decodes to the same reply as the uncompressed V6 stub', () => {
    const plain = IDL_DRSGetNCChanges.decodeResponse(SEED);
    if (plain.pmsgOut.tag !== 6) throw new Error('seed is not V6');
    for (const alg of ['mszip', 'xpress']) {
      const c = fixtures.cases.find((x) => x.name === `${alg}: captured Samba page`)!;
      const out = decompressGetChgReplyV7(v7Of(Buffer.from(c.stub!, 'hex')));
      expect(out.version).toBe(6);
      expect(out.reply).toEqual(plain.pmsgOut.V6);
    }
  });
});

describe('Samba-compressed V7 replies (generated now by the installed python3-samba)', () => {
  let live: { samba: string; cases: SambaCase[] };

  beforeAll(async () => {
    const r = await run(PY, [GENERATOR, SEED_PATH, '--all'], { timeoutMs: 120_000 });
    if (r.code !== 0) {
      throw new Error(`generate-fixtures.py failed (exit ${r.code}); it needs python3-samba for ${PY}: ${installCommand(['python3-samba'])}\n${r.stderr}`);
    }
    live = JSON.parse(r.stdout);
  }, 150_000);

  it('decompresses every case byte-identical to Samba (random, repetitive, block boundaries, many blocks)', () => {
    expect(live.cases.length).toBeGreaterThanOrEqual(20);
    const sizes = new Set(live.cases.map((c) => c.uncompressedSize));
    for (const s of [32768, 32776, 65536, 65544, 300000]) expect(sizes.has(s)).toBe(true);
    for (const c of live.cases) {
      if (c.version === 2) checkV2(c);
      else checkCase(c);
    }
  });
});

// Samba's own LZ77 decoder (lzxpress_decompress in libndr-samba, called through ctypes): for each
// stream, the sha256 of its output when it returns exactly the expected size, else null.
const SAMBA_LZ77 = String.raw`
import ctypes, hashlib, json, sys
import samba.ndr
lib = ctypes.CDLL("/usr/lib/x86_64-linux-gnu/samba/libndr-samba-samba4.so.0")
lib.lzxpress_decompress.restype = ctypes.c_ssize_t
lib.lzxpress_decompress.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint32]
res = []
for c in json.load(sys.stdin):
    data, n = bytes.fromhex(c["c"]), c["n"]
    out = ctypes.create_string_buffer(max(n, 1))
    got = lib.lzxpress_decompress(data, len(data), out, n)
    res.append(hashlib.sha256(out.raw[:n]).hexdigest() if got == n else None)
print(json.dumps(res))
`;

describe("our LZ77 decoder against Samba's lzxpress_decompress (differential)", () => {
  it('on Samba-made chunks and 600 mutations of them, whenever both accept, the outputs are equal', async () => {
    const fixtures = JSON.parse(readFileSync(join(here, 'fixtures', 'samba-compressed.json'), 'utf8')) as { cases: SambaCase[] };
    const chunks: { c: Buffer; n: number }[] = [];
    for (const f of fixtures.cases.filter((x) => x.alg === 'xpress')) {
      const blob = Buffer.from(v7Of(Buffer.from(f.stub!, 'hex')).CompressedAny.pbCompressedData!);
      for (let pos = 0; pos < blob.length; ) {
        const n = blob.readUInt32LE(pos);
        const len = blob.readUInt32LE(pos + 4);
        if (n > 0) chunks.push({ c: blob.subarray(pos + 8, pos + 8 + len), n });
        pos = Math.min((pos + 8 + len + 3) & ~3, blob.length);
      }
    }
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const r = new Rng(0x5a3ba);
    const cases = [...chunks];
    for (let k = 0; k < 600; k++) {
      const s = chunks[k % chunks.length]!;
      const c = Buffer.from(s.c);
      for (let m = 1 + r.int(3); m > 0; m--) {
        const p = r.int(c.length);
        c[p] = r.int(3) === 0 ? r.int(256) : c[p]! ^ (1 << r.int(8));
      }
      cases.push({ c, n: s.n });
    }
    const res = await run(PY, ['-c', SAMBA_LZ77], { input: JSON.stringify(cases.map((x) => ({ c: x.c.toString('hex'), n: x.n }))), timeoutMs: 60_000 });
    if (res.code !== 0) throw new Error(`Samba's lzxpress_decompress via ${PY} failed (${installCommand(['python3-samba'])}): ${res.stderr}`);
    const theirs = JSON.parse(res.stdout) as (string | null)[];
    let both = 0;
    cases.forEach((x, k) => {
      let ours: string | null = null;
      try {
        ours = sha256(decompressLz77(x.c, x.n));
      } catch (e) {
        expect(e).toBeInstanceOf(HivewireError);
      }
      if (k < chunks.length) expect(ours, `unmutated chunk ${k}`).toBe(theirs[k]);
      if (ours !== null && theirs[k] !== null) {
        both++;
        expect(ours, `case ${k}`).toBe(theirs[k]);
      }
    });
    expect(both).toBeGreaterThan(chunks.length + 50);
  }, 60_000);
});
