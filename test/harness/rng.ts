// The fuzzers' random source: xorshift32, so that a failing case can be replayed from its seed.
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** The next 32-bit unsigned number. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** A number in [0, 1). */
  float(): number {
    return this.next() / 0x100000000;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
}
