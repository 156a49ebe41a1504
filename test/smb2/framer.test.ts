// Direct TCP framing: bytes in arbitrary pieces, limits, and the bytes a bad peer can send.
import { describe, expect, it } from 'vitest';
import { FrameParser, encodeFrame } from '../../src/smb2/framer.js';
import { FormatError } from '../../src/util/errors.js';

const same = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((x, i) => x.equals(b[i]!));

function frames(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.map(encodeFrame));
}

describe('FrameParser', () => {
  const payloads = [Buffer.from('first frame'), Buffer.alloc(300, 7), Buffer.from('x'), Buffer.alloc(70000, 1)];
  const stream = frames(payloads);

  it('whole stream in one chunk', () => {
    const got: Buffer[] = [];
    new FrameParser().parse(stream, (f) => got.push(Buffer.from(f)));
    expect(same(got, payloads)).toBe(true);
  });

  it('every split point, and byte by byte', () => {
    const small = frames(payloads.slice(0, 3));
    for (let cut = 0; cut <= small.length; cut++) {
      const got: Buffer[] = [];
      const p = new FrameParser();
      p.parse(small.subarray(0, cut), (f) => got.push(Buffer.from(f)));
      p.parse(small.subarray(cut), (f) => got.push(Buffer.from(f)));
      expect(same(got, payloads.slice(0, 3))).toBe(true);
      expect(p.partial).toBe(false);
    }
    const got: Buffer[] = [];
    const p = new FrameParser();
    for (let i = 0; i < small.length; i++) p.parse(small.subarray(i, i + 1), (f) => got.push(Buffer.from(f)));
    expect(same(got, payloads.slice(0, 3))).toBe(true);
  });

  it('random chunking of a large stream', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 20; round++) {
      const got: Buffer[] = [];
      const p = new FrameParser();
      for (let i = 0; i < stream.length; ) {
        const n = 1 + Math.floor(rnd() * 5000);
        p.parse(stream.subarray(i, i + n), (f) => got.push(Buffer.from(f)));
        i += n;
      }
      expect(same(got, payloads)).toBe(true);
    }
  });

  it('reports a partial frame', () => {
    const p = new FrameParser();
    p.parse(stream.subarray(0, 6), () => {});
    expect(p.partial).toBe(true);
  });

  it('refuses a frame larger than the limit before allocating it', () => {
    const p = new FrameParser(1024);
    const err = (() => {
      try {
        p.parse(Buffer.from([0, 0xff, 0xff, 0xff]), () => {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).expected).toMatch(/at most 1024/);
  });

  it('refuses a first byte other than 0 and an empty frame, at the right stream offset', () => {
    const p = new FrameParser();
    let e: unknown;
    try {
      p.parse(Buffer.concat([encodeFrame(Buffer.from('ok')), Buffer.from([0x85, 0, 0, 0])]), () => {});
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).offset).toBe(6);
    expect(() => new FrameParser().parse(Buffer.from([0, 0, 0, 0]), () => {})).toThrow(FormatError);
  });
});
