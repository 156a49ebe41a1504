// Marvin32 (the 64-bit form), the hash that guards new-format transaction log entries.

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

/** Marvin32 of `data` with a 64-bit seed; the result is hi << 32 | lo. */
export function marvin32(data: Buffer, seed: bigint): bigint {
  let s0 = Number(seed & 0xffffffffn);
  let s1 = Number((seed >> 32n) & 0xffffffffn);
  const mix = (v: number): void => {
    s0 = (s0 + v) >>> 0;
    s1 = (s1 ^ s0) >>> 0;
    s0 = rotl(s0, 20);
    s0 = (s0 + s1) >>> 0;
    s1 = rotl(s1, 9);
    s1 = (s1 ^ s0) >>> 0;
    s0 = rotl(s0, 27);
    s0 = (s0 + s1) >>> 0;
    s1 = rotl(s1, 19);
  };
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) mix(data.readUInt32LE(i));
  // the 0-3 trailing bytes, then a 0x80 marker byte, as one little-endian word
  let last = 0x80;
  for (let i = data.length - 1; i >= whole; i--) last = ((last << 8) | data[i]!) >>> 0;
  mix(last);
  mix(0);
  return (BigInt(s1) << 32n) | BigInt(s0);
}
