// RC4 as a stateful stream: NTLM session security keeps one RC4 state per direction for the whole
// session (MS-NLMP §3.4.3), so this is an object, not a one-shot function. Node 20's OpenSSL 3 has no RC4
// in its default provider. Long runs go through a small WebAssembly loop (rc4-wasm.ts).
import { rc4Wasm, WASM_CHUNK, WASM_DATA } from './rc4-wasm.js';

/** Below this many bytes the copy in and out of WebAssembly memory costs more than it saves. */
const WASM_MIN = 128;

export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < 1 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    this.key = Buffer.from(key);
    this.reset();
  }

  /** Back to the state right after keying (SPNEGO's mechListMIC needs this; see auth/spnego). */
  reset(): void {
    const s = this.s;
    const key = this.key;
    for (let k = 0; k < 256; k++) s[k] = k;
    let j = 0;
    for (let k = 0; k < 256; k++) {
      const t = s[k]!;
      j = (j + t + key[k % key.length]!) & 0xff;
      s[k] = s[j]!;
      s[j] = t;
    }
    this.i = 0;
    this.j = 0;
  }

  /** XORs the key stream into data[start, end) in place. */
  processInPlace(data: Uint8Array, start = 0, end = data.length): void {
    if (end - start >= WASM_MIN && rc4Wasm) {
      const { mem, rc4 } = rc4Wasm;
      mem.set(this.s, 0);
      mem[256] = this.i;
      mem[257] = this.j;
      // Whole 4-byte words only (the WebAssembly loop works a word at a time); the tail is done below.
      const words = start + ((end - start) & ~3);
      for (let p = start; p < words; p += WASM_CHUNK) {
        const n = Math.min(WASM_CHUNK, words - p);
        mem.set(data.subarray(p, p + n), WASM_DATA);
        rc4(WASM_DATA, n);
        data.set(mem.subarray(WASM_DATA, WASM_DATA + n), p);
      }
      this.s.set(mem.subarray(0, 256));
      this.i = mem[256]!;
      this.j = mem[257]!;
      start = words;
    }
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let p = start; p < end; p++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[p] = data[p]! ^ s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
  }

  /** Returns a new buffer: data XOR the next data.length bytes of key stream. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.from(data);
    this.processInPlace(out);
    return out;
  }
}

/** One-shot RC4 (e.g. EncryptedRandomSessionKey = RC4K(KeyExchangeKey, ExportedSessionKey)). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
