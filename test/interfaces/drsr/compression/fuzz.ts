// Mutation fuzzer for the compressed-reply path: Samba-made MSZIP and XPRESS blobs (the committed
// fixtures) with bytes flipped, sizes inflated, chunks cut or repeated, the declared size changed;
// each goes through decompression, the pickle headers and the V6 NDR decoder. Anything but a typed
// HivewireError is a failure, and so is a result whose length is not the declared size.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompressDrsBlob, decompressXpressHuffman, DRS_COMP_ALG_MSZIP, DRS_COMP_ALG_WIN2K3, pickleBody } from '../../../../src/interfaces/drsr/compression/index.js';
import { DRS_MSG_GETCHGREPLY_V6, IDL_DRSGetNCChanges } from '../../../../src/interfaces/drsr/types.js';
import { ndrDecode } from '../../../../src/ndr/index.js';
import { HivewireError } from '../../../../src/util/errors.js';
import { Rng } from '../../../harness/rng.js';
import { encodeHuffman, parse } from './huffman-encoder.js';

export interface Seed {
  name: string;
  alg: number;
  blob: Buffer;
  size: number;
}

/** The compressed blobs of the committed Samba fixtures. */
export function seeds(): Seed[] {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'samba-compressed.json');
  const { cases } = JSON.parse(readFileSync(file, 'utf8')) as { cases: { name: string; alg: string; stub: string; version?: number }[] };
  return cases.filter((c) => c.version === undefined).map((c) => {
    const r = IDL_DRSGetNCChanges.decodeResponse(Buffer.from(c.stub, 'hex'));
    if (r.pmsgOut.tag !== 7) throw new Error(`${c.name}: not a V7 stub`);
    const blob = r.pmsgOut.V7.CompressedAny;
    return { name: c.name, alg: c.alg === 'mszip' ? DRS_COMP_ALG_MSZIP : DRS_COMP_ALG_WIN2K3, blob: Buffer.from(blob.pbCompressedData!), size: blob.cbUncompressedSize };
  });
}

export function mutate(seed: Seed, r: Rng): { alg: number; blob: Buffer; size: number } {
  let b = Buffer.from(seed.blob);
  let size = seed.size;
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const p = r.int(Math.max(1, b.length));
    switch (r.int(8)) {
      case 0:
        b[p] = r.int(256);
        break;
      case 1:
        b[p] = b[p]! ^ (1 << r.int(8));
        break;
      case 2: // a large or off-by-one value where a u32 (a chunk header's size) may be
        if (p + 4 <= b.length) b.writeUInt32LE(r.pick([0xffffffff, 0x80000000, 0x10000, 0x10001, 0x8000, 0x8001, 0, b.readUInt32LE(p) + 1, b.readUInt32LE(p) - 1]) >>> 0, p);
        break;
      case 3: // cut short
        b = b.subarray(0, p);
        break;
      case 4: // repeat a region (a chunk twice, a match word twice)
        b = Buffer.concat([b.subarray(0, p), b.subarray(p, p + 1 + r.int(64)), b.subarray(p)]);
        break;
      case 5: // drop a region
        b = Buffer.concat([b.subarray(0, p), b.subarray(p + 1 + r.int(16))]);
        break;
      case 6:
        size = r.pick([0, 1, size - 1, size + 1, size * 2, 0xffffffff, 0x7fffffff]);
        break;
      default: // the other algorithm, or one that does not exist
        return { alg: r.pick([DRS_COMP_ALG_MSZIP, DRS_COMP_ALG_WIN2K3, 0, 1, 4, 0xffff]), blob: b, size };
    }
  }
  return { alg: seed.alg, blob: b, size };
}

export interface FuzzResult {
  cases: number;
  typed: number;
  decoded: number;
  /** Anything thrown that is not a HivewireError; the first 20 are in `failures`. */
  untyped: number;
  failures: string[];
}

export function fuzz(count: number, seed = 0xd125): FuzzResult {
  const all = seeds();
  const r = new Rng(seed);
  const res: FuzzResult = { cases: 0, typed: 0, decoded: 0, untyped: 0, failures: [] };
  for (let i = 0; i < count; i++) {
    const s = all[i % all.length]!;
    const m = mutate(s, r);
    res.cases++;
    try {
      const out = decompressDrsBlob(m.alg, m.blob, m.size);
      if (out.length !== m.size) throw new Error(`decompressed ${out.length} bytes, declared ${m.size}`);
      ndrDecode(DRS_MSG_GETCHGREPLY_V6, pickleBody(out), { allowTrailing: true });
      res.decoded++;
    } catch (e) {
      if (e instanceof HivewireError) res.typed++;
      else if (++res.untyped <= 20) res.failures.push(`case ${i} (${s.name}): ${(e as Error)?.stack ?? String(e)}`);
    }
  }
  return res;
}

/** The same for LZ77+Huffman: streams from the test encoder, mutated; typed errors only. */
export function fuzzHuffman(count: number, seed = 0x4a11): FuzzResult {
  const r = new Rng(seed);
  const text = Buffer.from('dn: CN=user1,OU=Staff,DC=lab,DC=example,DC=com\nuSNChanged: 4242\n\n'.repeat(400));
  const noise = Buffer.from(Array.from({ length: 3000 }, () => r.int(256)));
  const all = [text, Buffer.concat([noise, text]), Buffer.concat([text, Buffer.alloc(70000, 0x41)])].map((d) => ({
    name: `huffman ${d.length}`, alg: -1, blob: encodeHuffman(parse(d), d.length), size: d.length,
  }));
  const res: FuzzResult = { cases: 0, typed: 0, decoded: 0, untyped: 0, failures: [] };
  for (let i = 0; i < count; i++) {
    const s = all[i % all.length]!;
    const m = mutate(s, r);
    res.cases++;
    try {
      const out = decompressXpressHuffman(m.blob, m.size);
      if (out.length !== m.size) throw new Error(`decompressed ${out.length} bytes, declared ${m.size}`);
      res.decoded++;
    } catch (e) {
      if (e instanceof HivewireError) res.typed++;
      else if (++res.untyped <= 20) res.failures.push(`case ${i} (${s.name}): ${(e as Error)?.stack ?? String(e)}`);
    }
  }
  return res;
}
