// MSZIP framing edge cases and bad input. The blobs are built here with zlib's deflate (a DEFLATE
// encoder we did not write); Samba-made blobs are in samba.test.ts.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressMszip } from '../../../../src/interfaces/drsr/compression/index.js';
import { Rng } from '../../../harness/rng.js';
import { err } from './expect-error.js';

interface Block {
  plain: number;
  body: Buffer; // what follows the 8-byte header
}

/** MSZIP blocks of `blockSize` (≤ 32 KiB), each deflated with the previous 32 KiB as dictionary, headers 4-aligned. */
function blocks(data: Buffer, blockSize = 0x8000): Block[] {
  const out: Block[] = [];
  for (let at = 0; at < data.length || (at === 0 && out.length === 0); at += blockSize) {
    const chunk = data.subarray(at, at + blockSize);
    const dictionary = at > 0 ? data.subarray(Math.max(0, at - 0x8000), at) : undefined;
    out.push({ plain: chunk.length, body: Buffer.concat([Buffer.from('CK'), deflateRawSync(chunk, { dictionary })]) });
    if (data.length === 0) break;
  }
  return out;
}

function frame(bs: Block[], sizes?: (b: Block) => [number, number]): Buffer {
  const parts: Buffer[] = [];
  let len = 0;
  for (const b of bs) {
    const pad = (4 - (len % 4)) % 4;
    if (pad) parts.push(Buffer.alloc(pad));
    const h = Buffer.alloc(8);
    const [p, c] = sizes ? sizes(b) : [b.plain, b.body.length];
    h.writeUInt32LE(p, 0);
    h.writeUInt32LE(c, 4);
    parts.push(h, b.body);
    len += pad + 8 + b.body.length;
  }
  return Buffer.concat(parts);
}

const rng = new Rng(8);
const random = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(256)));
const text = (n: number) => Buffer.from('objectClass: user\nsAMAccountName: u0001\n'.repeat(Math.ceil(n / 40)).slice(0, n));

describe('decompressMszip', () => {
  for (const [name, data] of [
    ['empty', Buffer.alloc(0)],
    ['1 byte', Buffer.from([0x41])],
    ['exactly 32 KiB (one full block)', random(0x8000)],
    ['32 KiB + 1 (a second block of 1 byte)', random(0x8001)],
    ['exactly 64 KiB', text(0x10000)],
    ['64 KiB + 1', text(0x10001)],
    ['200 KB of text (7 blocks, matches across blocks)', text(200_000)],
  ] as const) {
    it(`round-trips ${name}`, () => {
      const blob = frame(blocks(data));
      expect(decompressMszip(blob, data.length).equals(data)).toBe(true);
    });
  }

  it('an empty blob is an empty stream', () => {
    expect(decompressMszip(Buffer.alloc(0), 0).length).toBe(0);
  });

  it('needs the previous block as dictionary (a match reaching into it)', () => {
    const data = Buffer.concat([random(0x8000), Buffer.alloc(0)]);
    const twice = Buffer.concat([data, data.subarray(0x1000, 0x5000)]); // 28 KiB back: inside the window
    const bs = blocks(twice);
    expect(bs[1]!.body.length).toBeLessThan(300); // 16 KiB of random bytes as back-references only
    expect(decompressMszip(frame(bs), twice.length).equals(twice)).toBe(true);
  });

  it('takes a block whose two sizes are equal as stored (§4.1.10.6.19)', () => {
    const first = random(0x8000);
    const stored = Buffer.from('stored block, not deflated');
    const blob = frame([...blocks(first), { plain: stored.length, body: stored }]);
    expect(decompressMszip(blob, first.length + stored.length).equals(Buffer.concat([first, stored]))).toBe(true);
  });

  it('accepts the pad after the last block, and ignores the pad content between blocks', () => {
    const data = text(0x9000);
    const bs = blocks(data);
    const firstEnd = 8 + bs[0]!.body.length;
    const blob = frame(bs);
    const pad = (4 - (blob.length % 4)) % 4;
    const between = (4 - (firstEnd % 4)) % 4;
    expect(pad * between).toBeGreaterThan(0); // this data needs both pads
    const padded = Buffer.concat([blob, Buffer.alloc(pad)]);
    padded.fill(0xaa, firstEnd, firstEnd + between);
    expect(decompressMszip(padded, data.length).equals(data)).toBe(true);
  });

  describe('bad input: typed errors with the offset', () => {
    const data = text(0x9000);
    const good = frame(blocks(data));

    it('declared size over the cap, or impossible for the input', () => {
      expect(err(() => decompressMszip(good, data.length, { maxUncompressedSize: 1000 })).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
      expect(err(() => decompressMszip(Buffer.alloc(12), 0xffffffff)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
      expect(err(() => decompressMszip(Buffer.alloc(12), 40_000)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
      expect(err(() => decompressMszip(good, -1)).code).toBe('ERR_DRS_COMPRESSION_LIMIT');
    });

    it('a short header, a compressed size past the end, a missing "CK"', () => {
      const e1 = err(() => decompressMszip(good.subarray(0, 5), 0));
      expect(e1).toMatchObject({ code: 'ERR_DRS_COMPRESSION_TRUNCATED', offset: 0 });
      const long = Buffer.from(good);
      long.writeUInt32LE(good.length, 4);
      expect(err(() => decompressMszip(long, data.length))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_TRUNCATED', offset: 4 });
      const noCk = Buffer.from(good);
      noCk[8] = 0x58;
      expect(err(() => decompressMszip(noCk, data.length))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_DATA', offset: 8 });
    });

    it('a block over 32 KiB, or over what is left of the declared size', () => {
      const big = Buffer.from(good);
      big.writeUInt32LE(0x8001, 0);
      expect(err(() => decompressMszip(big, data.length))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_DATA', offset: 0 });
      expect(err(() => decompressMszip(good, 0x8000 - 1))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_SIZE', offset: 0 });
    });

    it('a DEFLATE stream that is cut, corrupt, too long, too short or followed by bytes', () => {
      const bs = blocks(data);
      const cut = frame(bs, (b) => [b.plain, b.body.length]).subarray(0, 8 + bs[0]!.body.length - 3);
      cut.writeUInt32LE(bs[0]!.body.length - 3, 4);
      expect(err(() => decompressMszip(cut, 0x8000)).code).toBe('ERR_DRS_COMPRESSION_TRUNCATED');
      const corrupt = Buffer.from(good);
      corrupt[10] = 0xff; // BTYPE 11: reserved
      expect(err(() => decompressMszip(corrupt, data.length)).code).toBe('ERR_DRS_COMPRESSION_DATA');
      const small = frame(bs, (b) => [b.plain - 1, b.body.length]);
      expect(err(() => decompressMszip(small, data.length - 2)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
      const large = frame(bs, (b) => [Math.min(b.plain + 1, 0x8000), b.body.length]);
      expect(err(() => decompressMszip(large, data.length + 1)).code).toBe('ERR_DRS_COMPRESSION_SIZE');
      const trailing = frame([{ plain: bs[0]!.plain, body: Buffer.concat([bs[0]!.body, Buffer.from([1, 2, 3])]) }]);
      expect(err(() => decompressMszip(trailing, 0x8000)).code).toBe('ERR_DRS_COMPRESSION_DATA');
    });

    it('blocks that add up to less than the declared size', () => {
      expect(err(() => decompressMszip(good, data.length + 4))).toMatchObject({ code: 'ERR_DRS_COMPRESSION_SIZE' });
    });
  });
});
