// A small LZ77+Huffman (MS-XCA §2.1) encoder for the tests: greedy hash matching, per-block
// length-limited Huffman codes, the 16-bit-word bit stream with the long-length bytes placed where
// a reader that keeps at least 16 bits buffered will look for them. It writes what the decoder is
// tested on; libfwnt (a decoder we did not write) checks that the format is the real one.
const BLOCK = 0x10000;

export type HToken = { lit: number } | { offset: number; length: number };

/** Greedy LZ77 parse with offsets up to 65535 and lengths up to `maxLength`. */
export function parse(data: Buffer, maxLength = 65538): HToken[] {
  const out: HToken[] = [];
  const head = new Map<number, number>();
  let p = 0;
  while (p < data.length) {
    let best = 0;
    let bestOff = 0;
    if (p + 3 <= data.length) {
      const key = data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16);
      const cand = head.get(key);
      if (cand !== undefined && p - cand <= 0xffff) {
        let l = 0;
        while (p + l < data.length && l < maxLength && data[cand + l] === data[p + l]) l++;
        if (l >= 3) {
          best = l;
          bestOff = p - cand;
        }
      }
      head.set(key, p);
    }
    if (best) {
      for (let k = 1; k < best && p + k + 3 <= data.length; k++) head.set(data[p + k]! | (data[p + k + 1]! << 8) | (data[p + k + 2]! << 16), p + k);
      out.push({ offset: bestOff, length: best });
      p += best;
    } else {
      out.push({ lit: data[p]! });
      p++;
    }
  }
  return out;
}

function symbolOf(t: HToken): { sym: number; offsetBits: number } {
  if ('lit' in t) return { sym: t.lit, offsetBits: 0 };
  const offsetBits = 31 - Math.clz32(t.offset);
  return { sym: 256 + Math.min(t.length - 3, 15) + (offsetBits << 4), offsetBits };
}

/** Code lengths ≤ 15 for the symbol frequencies (Huffman, frequencies flattened until it fits). */
function codeLengths(freq: number[]): number[] {
  let f = freq.slice();
  for (;;) {
    const lens = huffman(f);
    if (Math.max(...lens) <= 15) return lens;
    f = f.map((x) => (x ? (x >> 1) + 1 : 0));
  }
}

function huffman(freq: number[]): number[] {
  const lens = new Array<number>(freq.length).fill(0);
  type Node = { w: number; syms: number[] };
  let nodes: Node[] = [];
  freq.forEach((w, s) => w > 0 && nodes.push({ w, syms: [s] }));
  if (nodes.length === 1) {
    lens[nodes[0]!.syms[0]!] = 1;
    return lens;
  }
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.w - b.w);
    const [a, b] = nodes.splice(0, 2) as [Node, Node];
    for (const s of a.syms) lens[s]!++;
    for (const s of b.syms) lens[s]!++;
    nodes.push({ w: a.w + b.w, syms: [...a.syms, ...b.syms] });
  }
  return lens;
}

function canonical(lens: number[]): number[] {
  const codes = new Array<number>(lens.length).fill(0);
  const order = lens.map((l, s) => [l, s] as const).filter(([l]) => l > 0).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let code = 0;
  let prev = order[0]?.[0] ?? 0;
  for (const [l, s] of order) {
    code <<= l - prev;
    prev = l;
    codes[s] = code++;
  }
  return codes;
}

/** Encodes tokens (which must produce `size` bytes) as LZ77+Huffman, with the EOF symbol at the end. */
export function encodeHuffman(tokens: HToken[], size: number): Buffer {
  // Split into blocks: a block ends once its output reaches 64 KiB (its last match may run over).
  const blocks: HToken[][] = [];
  let cur: HToken[] = [];
  let o = 0;
  let blockEnd = BLOCK;
  for (const t of tokens) {
    cur.push(t);
    o += 'lit' in t ? 1 : t.length;
    if (o >= blockEnd) {
      blocks.push(cur);
      cur = [];
      blockEnd = o + BLOCK;
    }
  }
  if (cur.length || blocks.length === 0) blocks.push(cur);
  if (o !== size) throw new Error(`tokens make ${o} bytes, not ${size}`);
  const parts: Buffer[] = [];
  blocks.forEach((bt, k) => parts.push(encodeBlock(bt, k === blocks.length - 1)));
  return Buffer.concat(parts);
}

function encodeBlock(tokens: HToken[], last: boolean): Buffer {
  const freq = new Array<number>(512).fill(0);
  for (const t of tokens) freq[symbolOf(t).sym]!++;
  if (last) freq[256]!++;
  if (!freq.some((x) => x > 0)) freq[0] = 1;
  const lens = codeLengths(freq);
  const codes = canonical(lens);
  const table = Buffer.alloc(256);
  for (let s = 0; s < 512; s++) table[s >> 1]! |= lens[s]! << (s & 1 ? 4 : 0);
  const bits: number[] = [];
  const bytes: { after: number; b: number[] }[] = [];
  const put = (v: number, n: number) => {
    for (let k = n - 1; k >= 0; k--) bits.push((v >>> k) & 1);
  };
  // Words the reader has pulled once it has consumed `b` bits: 2, plus one whenever fewer than 16 remain.
  const wordsPulled = (b: number) => 2 + Math.max(0, Math.ceil((b - 16) / 16));
  for (const t of [...tokens, ...(last ? [{ offset: 1, length: 3 } as HToken] : [])]) {
    const { sym, offsetBits } = symbolOf(t);
    put(codes[sym]!, lens[sym]!);
    if ('lit' in t) continue;
    const l = t.length - 3;
    if (l >= 15) {
      const extra: number[] = [];
      if (l - 15 < 255) extra.push(l - 15);
      else if (l <= 0xffff) extra.push(255, l & 0xff, l >>> 8);
      else extra.push(255, 0, 0, l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24);
      bytes.push({ after: wordsPulled(bits.length), b: extra });
    }
    put(t.offset - (1 << offsetBits), offsetBits);
  }
  const words = Math.max(wordsPulled(bits.length), ...bytes.map((x) => x.after));
  const out: number[] = [...table];
  let bi = 0;
  for (let w = 0; w < words; w++) {
    let v = 0;
    for (let k = 0; k < 16; k++) v = (v << 1) | (bits[w * 16 + k] ?? 0);
    out.push(v & 0xff, v >>> 8);
    while (bi < bytes.length && bytes[bi]!.after === w + 1) out.push(...bytes[bi++]!.b);
  }
  return Buffer.from(out);
}
