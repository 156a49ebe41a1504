import { describe, expect, it } from 'vitest';
import { Rc4, rc4 } from '../../src/crypto/rc4.js';
import { rc4Wasm } from '../../src/crypto/rc4-wasm.js';

// RFC 6229 §2: key stream at given offsets for a 40-bit and a 128-bit key.
const VECTORS: { key: string; stream: [number, string][] }[] = [
  {
    key: '0102030405',
    stream: [
      [0, 'b2396305f03dc027ccc3524a0a1118a8'],
      [16, '6982944f18fc82d589c403a47a0d0919'],
      [240, '28cb1132c96ce286421dcaadb8b69eae'],
      [256, '1cfcf62b03eddb641d77dfcf7f8d8c93'],
      [1520, '3294f744d8f9790507e70f62e5bbceea'],
      [4096, 'ff25b58995996707e51fbdf08b34d875'],
    ],
  },
  {
    key: '0102030405060708090a0b0c0d0e0f10',
    stream: [
      [0, '9ac7cc9a609d1ef7b2932899cde41b97'],
      [16, '5248c4959014126a6e8a84f11d1a9e1c'],
      [240, '065902e4b620f6cc36c8589f66432f2b'],
      [256, 'd39d566bc6bce3010768151549f3873f'],
      [1520, 'b40110c4190b5622a96116b0017ed297'],
      [4096, 'a36a4c301ae8ac13610ccbc12256cacc'],
    ],
  },
];

describe('rc4 (RFC 6229)', () => {
  for (const v of VECTORS) {
    it(`key ${v.key}`, () => {
      const ks = rc4(Buffer.from(v.key, 'hex'), Buffer.alloc(4112));
      for (const [off, hex] of v.stream) expect(ks.subarray(off, off + 16).toString('hex')).toBe(hex);
    });
  }
  it('keeps its state across calls: pieces give the same stream as one call', () => {
    const key = Buffer.from(VECTORS[1]!.key, 'hex');
    const whole = rc4(key, Buffer.alloc(1000));
    const s = new Rc4(key);
    const parts = [s.update(Buffer.alloc(1)), s.update(Buffer.alloc(333)), s.update(Buffer.alloc(666))];
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
  });
  it('processInPlace touches only the given range; reset() restarts the stream', () => {
    const key = Buffer.from('secret');
    const s = new Rc4(key);
    const buf = Buffer.alloc(32, 7);
    s.processInPlace(buf, 8, 24);
    expect(buf.subarray(0, 8).equals(Buffer.alloc(8, 7))).toBe(true);
    expect(buf.subarray(24).equals(Buffer.alloc(8, 7))).toBe(true);
    expect(buf.subarray(8, 24).equals(rc4(key, Buffer.alloc(16, 7)))).toBe(true);
    s.reset();
    expect(s.update(Buffer.alloc(16, 7)).equals(buf.subarray(8, 24))).toBe(true);
  });
  it('the WebAssembly path (long runs, 64 KiB chunks) and the JavaScript path (short runs) give one stream', () => {
    expect(rc4Wasm).toBeDefined(); // Node 20 has WebAssembly: the fast path is really exercised
    const key = Buffer.from('0123456789abcdef0123');
    const whole = new Rc4(key).update(Buffer.alloc(200_000, 0x5a)); // long run: WebAssembly, several chunks
    const s = new Rc4(key);
    const pieces: Buffer[] = [];
    let p = 0;
    for (const n of [1, 127, 128, 129, 7, 65536, 3, 65537, 2000]) {
      pieces.push(s.update(Buffer.alloc(n, 0x5a)));
      p += n;
    }
    while (p < 200_000) {
      const n = Math.min(100, 200_000 - p); // short runs: JavaScript
      pieces.push(s.update(Buffer.alloc(n, 0x5a)));
      p += n;
    }
    expect(Buffer.concat(pieces).equals(whole)).toBe(true);
  });
  it('rejects an empty key', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(RangeError);
  });
});
