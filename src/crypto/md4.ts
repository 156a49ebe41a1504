// MD4 (RFC 1320). Node 20's OpenSSL 3 keeps MD4 in the legacy provider, which is not loaded by default;
// NTLM needs it for the NT hash (NTOWFv1 = MD4(UNICODE(password))).

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export function md4(data: Uint8Array): Buffer {
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  const n = data.length;
  const padded = Buffer.alloc(((n + 8) >>> 6 << 6) + 64);
  padded.set(data, 0);
  padded[n] = 0x80;
  const bits = n * 8;
  padded.writeUInt32LE(bits >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bits / 0x100000000) >>> 0, padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Int32Array(16);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readInt32LE(off + i * 4);
    const aa = a, bb = b, cc = c, dd = d;
    // Round 1: F(x,y,z) = xy | ~x z
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + ((b & c) | (~b & d)) + x[i]!) | 0, 3);
      d = rotl((d + ((a & b) | (~a & c)) + x[i + 1]!) | 0, 7);
      c = rotl((c + ((d & a) | (~d & b)) + x[i + 2]!) | 0, 11);
      b = rotl((b + ((c & d) | (~c & a)) + x[i + 3]!) | 0, 19);
    }
    // Round 2: G(x,y,z) = xy | xz | yz, constant 0x5A827999
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + ((b & c) | (b & d) | (c & d)) + x[i]! + 0x5a827999) | 0, 3);
      d = rotl((d + ((a & b) | (a & c) | (b & c)) + x[i + 4]! + 0x5a827999) | 0, 5);
      c = rotl((c + ((d & a) | (d & b) | (a & b)) + x[i + 8]! + 0x5a827999) | 0, 9);
      b = rotl((b + ((c & d) | (c & a) | (d & a)) + x[i + 12]! + 0x5a827999) | 0, 13);
    }
    // Round 3: H(x,y,z) = x ^ y ^ z, constant 0x6ED9EBA1
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + (b ^ c ^ d) + x[i]! + 0x6ed9eba1) | 0, 3);
      d = rotl((d + (a ^ b ^ c) + x[i + 8]! + 0x6ed9eba1) | 0, 9);
      c = rotl((c + (d ^ a ^ b) + x[i + 4]! + 0x6ed9eba1) | 0, 11);
      b = rotl((b + (c ^ d ^ a) + x[i + 12]! + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
