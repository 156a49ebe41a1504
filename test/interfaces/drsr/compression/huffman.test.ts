// LZ77+Huffman (MS-XCA §2.1–2.2). Streams come from the test encoder (huffman-encoder.ts); the peer
// that says they are the real format is libfwnt (libyal's Windows NT compression library, a decoder
// we did not write), called through ctypes from Debian's python. libfwnt 20181227 predates the
// 32-bit match length of newer MS-XCA revisions and stops at matches longer than 64 KiB, so the
// streams it sees keep matches ≤ 8 KiB; the longer ones are checked by our decoder alone.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decompressXpressHuffman } from '../../../../src/interfaces/drsr/compression/index.js';
import { HivewireError } from '../../../../src/util/errors.js';
import { installCommand, isInstalled, PY, run } from '../../../harness/peers.js';
import { Rng } from '../../../harness/rng.js';
import { encodeHuffman, parse, type HToken } from './huffman-encoder.js';
import { err } from './expect-error.js';

const rng = new Rng(0x5ca1);
const random = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(256)));
const text = (n: number) => {
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const u = rng.int(100000);
    const s = `dn: CN=user${u},OU=Staff,DC=lab,DC=example,DC=com\nsAMAccountName: user${u}\nuSNChanged: ${rng.int(1e9)}\n\n`;
    parts.push(s);
    len += s.length;
  }
  return Buffer.from(parts.join('').slice(0, n));
};
const enc = (d: Buffer, maxLength = 8192) => encodeHuffman(parse(d, maxLength), d.length);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const CASES: [string, Buffer][] = [
  ['1 byte', Buffer.from('A')],
  ['text, 1,000 bytes', text(1000)],
  ['random, 5,000 bytes (literals only)', random(5000)],
  ['exactly 64 KiB', text(0x10000)],
  ['64 KiB + 1', text(0x10001)],
  ['random 64 KiB then a match across the block boundary', Buffer.concat([random(0x10000 - 6), Buffer.from('0123456789abcdef0123456789abcdef')])],
  ['text, 300 KB (5 blocks, offsets up to 64 KiB)', text(300_000)],
  ['a run of 5,000 (16-bit length)', Buffer.concat([random(100), Buffer.alloc(5000, 0x41)])],
];

describe('decompressXpressHuffman', () => {
  for (const [name, data] of CASES) {
    it(`round-trips ${name}`, () => {
      expect(decompressXpressHuffman(enc(data), data.length).equals(data)).toBe(true);
    });
  }

  it('matches longer than a block: 16-bit lengths up to 65538 and 32-bit lengths', () => {
    const d = Buffer.concat([random(10), Buffer.alloc(200_000, 0x42), random(10)]);
    for (const max of [65538, 1 << 20]) {
      const tokens = parse(d, max);
      expect(tokens.some((t) => 'length' in t && t.length > 0x10000)).toBe(true);
      expect(decompressXpressHuffman(encodeHuffman(tokens, d.length), d.length).equals(d)).toBe(true);
    }
  });

  it('an empty output needs no input', () => {
    expect(decompressXpressHuffman(Buffer.alloc(0), 0).length).toBe(0);
  });

  describe('bad input: typed errors', () => {
    const data = text(3000);
    const good = enc(data);

    it('a stream shorter than its table, a table with no codes, an oversubscribed table', () => {
      expect(err(() => decompressXpressHuffman(good.subarray(0, 259), data.length)).code).toBe('ERR_DRS_COMPRESSION_TRUNCATED');
      const none = Buffer.from(good);
      none.fill(0, 0, 256);
      expect(err(() => decompressXpressHuffman(none, data.length))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_DATA', offset: 0 });
      const over = Buffer.from(good);
      over.fill(0x11, 0, 256); // 512 codes of length 1
      expect(err(() => decompressXpressHuffman(over, data.length)).detail).toBe('the table is oversubscribed');
    });

    it('a code the table leaves unused', () => {
      const d = Buffer.alloc(4);
      d[0] = 0x01; // symbol 0 has the only code, "0"; the stream is all ones
      expect(err(() => decompressXpressHuffman(Buffer.concat([d, Buffer.alloc(252), Buffer.alloc(4, 0xff)]), 3)).code).toBe('ERR_DRS_COMPRESSION_DATA');
    });

    it('a match before the start, a match past the declared size, a stream cut short, a size over the cap', () => {
      // table: symbol 0 and symbol 256 + (1 << 4) (offset 2 or 3, length 3) both of length 1
      const t = Buffer.alloc(256);
      t[0] = 0x01;
      t[(256 + 16) >> 1] = 0x01;
      // bits: 1 (the match) then one offset bit: a match at output 0
      expect(err(() => decompressXpressHuffman(Buffer.concat([t, Buffer.from([0x00, 0x80, 0, 0])]), 3)).code).toBe('ERR_DRS_COMPRESSION_DATA');
      // bits: 0 0 0 (three literals) then 1 0 (a match of 3 at offset 2): six bytes, five declared
      expect(err(() => decompressXpressHuffman(Buffer.concat([t, Buffer.from([0x00, 0x10, 0, 0])]), 5)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
      expect(err(() => decompressXpressHuffman(good.subarray(0, good.length - 40), data.length)).code).toMatch(/ERR_DRS_COMPRESSION_(TRUNCATED|DATA|SIZE)/);
      expect(err(() => decompressXpressHuffman(good, 1 << 30)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
    });

    it('long-length bytes cut short', () => {
      const d = Buffer.concat([random(10), Buffer.alloc(100_000, 0x43)]);
      const s = encodeHuffman(parse(d, 1 << 20), d.length);
      // the 7 length bytes (255, 0, 0, u32) of the one long match follow the first words of the stream
      for (const cut of [256 + 4, 256 + 6, 256 + 8]) {
        expect(err(() => decompressXpressHuffman(s.subarray(0, cut), d.length)).code).toMatch(/ERR_DRS_COMPRESSION_(TRUNCATED|DATA)/);
      }
    });
  });
});

// libfwnt's verdict on a list of streams: for each, its output's sha256 or null when it refuses.
const LIBFWNT = String.raw`
import ctypes, hashlib, json, sys
lib = ctypes.CDLL("libfwnt.so.1")
f = lib.libfwnt_lzxpress_huffman_decompress
f.restype = ctypes.c_int
f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_void_p)]
res = []
for c in json.load(sys.stdin):
    comp, n = bytes.fromhex(c["c"]), c["n"]
    out = ctypes.create_string_buffer(max(n, 1)); size = ctypes.c_size_t(n); e = ctypes.c_void_p()
    ok = f(comp, len(comp), out, ctypes.byref(size), ctypes.byref(e)) == 1 and size.value == n
    res.append(hashlib.sha256(out.raw[:n]).hexdigest() if ok else None)
print(json.dumps(res))
`;

async function libfwnt(cases: { c: Buffer; n: number }[]): Promise<(string | null)[]> {
  if (!isInstalled('libfwnt1')) throw new Error(`libfwnt (the LZ77+Huffman peer) is missing: ${installCommand(['libfwnt1'])}`);
  const r = await run(PY, ['-c', LIBFWNT], { input: JSON.stringify(cases.map((x) => ({ c: x.c.toString('hex'), n: x.n }))), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`libfwnt via ${PY} failed (${installCommand(['libfwnt1'])}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('LZ77+Huffman against libfwnt (a decoder we did not write)', () => {
  it('libfwnt decodes every test stream to the original data, as we do', async () => {
    const verdicts = await libfwnt(CASES.map(([, d]) => ({ c: enc(d), n: d.length })));
    CASES.forEach(([name, d], k) => expect(verdicts[k], name).toBe(sha(d)));
  });

  it('differential fuzz: on 400 mutated streams, whenever both decoders accept, the outputs are equal', async () => {
    const seeds = CASES.slice(1, 6).map(([, d]) => ({ c: enc(d), n: d.length }));
    const r = new Rng(77);
    const cases = Array.from({ length: 400 }, (_, k) => {
      const s = seeds[k % seeds.length]!;
      const c = Buffer.from(s.c);
      for (let m = 1 + r.int(3); m > 0; m--) {
        const p = r.int(c.length);
        c[p] = r.int(3) === 0 ? r.int(256) : c[p]! ^ (1 << r.int(8));
      }
      return { c, n: s.n };
    });
    const theirs = await libfwnt(cases);
    let both = 0;
    cases.forEach((x, k) => {
      let ours: string | null = null;
      try {
        ours = sha(decompressXpressHuffman(x.c, x.n));
      } catch (e) {
        expect(e).toBeInstanceOf(HivewireError);
      }
      if (ours !== null && theirs[k] !== null) {
        both++;
        expect(ours, `case ${k}`).toBe(theirs[k]);
      }
    });
    expect(both).toBeGreaterThan(20);
  }, 60_000);
});
