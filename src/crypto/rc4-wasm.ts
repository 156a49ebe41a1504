// The RC4 inner loop as a tiny WebAssembly function: faster than the same loop in JavaScript, which matters for sealed RPC streams. The module is assembled here from its opcodes (no
// toolchain, no binary blob); its text form is:
//
//   (module
//     (memory (export "mem") 2)                  ;; [0,256) S, [256] i, [257] j, [1024, 1024+64K) data
//     (func (export "rc4") (param $off i32) (param $len i32)
//       (local $i i32) (local $j i32) (local $p i32) (local $end i32) (local $si i32) (local $sj i32) (local $acc i32)
//       i = mem[256]; j = mem[257]; p = off; end = off + len
//       while p + 4 <= end: four times { i = (i+1)&255; si = S[i]; j = (j+si)&255; sj = S[j];
//                      S[i] = sj; S[j] = si; next key byte = S[(si+sj)&255] }; XOR the four into mem[p..p+4); p += 4
//       mem[256] = i; mem[257] = j))

const I32 = 0x7f;
const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  get: 0x20, set: 0x21, tee: 0x22, load: 0x28, load8u: 0x2d, store: 0x36, store8: 0x3a, const: 0x41,
  gtU: 0x4b, add: 0x6a, and: 0x71, or: 0x72, xor: 0x73, shl: 0x74,
};
// locals: 0 off, 1 len, 2 i, 3 j, 4 p, 5 end, 6 si, 7 sj, 8 acc
const [OFF, LEN, I, J, P, END, SI, SJ, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const mem0 = [0, 0]; // memarg: align 0, offset 0
const mem256 = [0, 0x80, 0x02];
const mem257 = [0, 0x81, 0x02];
const c255 = [op.const, 0xff, 0x01];

/** One key-stream byte, shifted into place and OR-ed into acc. */
function keyByte(k: number): number[] {
  return [
    op.get, I, op.const, 1, op.add, ...c255, op.and, op.tee, I, op.load8u, ...mem0, op.set, SI,
    op.get, J, op.get, SI, op.add, ...c255, op.and, op.tee, J, op.load8u, ...mem0, op.set, SJ,
    op.get, I, op.get, SJ, op.store8, ...mem0,
    op.get, J, op.get, SI, op.store8, ...mem0,
    op.get, SI, op.get, SJ, op.add, ...c255, op.and, op.load8u, ...mem0,
    ...(k > 0 ? [op.const, 8 * k, op.shl, op.get, ACC, op.or] : []),
    op.set, ACC,
  ];
}

// Four key-stream bytes per round, XOR-ed into the data as one 32-bit word; the caller does the tail.
const BODY = [
  1, 7, I32, // seven i32 locals
  op.const, 0, op.load8u, ...mem256, op.set, I,
  op.const, 0, op.load8u, ...mem257, op.set, J,
  op.get, OFF, op.set, P,
  op.get, OFF, op.get, LEN, op.add, op.set, END,
  op.block, 0x40, op.loop, 0x40,
  op.get, P, op.const, 4, op.add, op.get, END, op.gtU, op.brIf, 1,
  ...keyByte(0), ...keyByte(1), ...keyByte(2), ...keyByte(3),
  op.get, P, op.get, P, op.load, ...mem0, op.get, ACC, op.xor, op.store, ...mem0,
  op.get, P, op.const, 4, op.add, op.set, P,
  op.br, 0, op.end, op.end,
  op.const, 0, op.get, I, op.store8, ...mem256,
  op.const, 0, op.get, J, op.store8, ...mem257,
  op.end,
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (s: string) => [s.length, ...Buffer.from(s, 'latin1')];

const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [1, 0x60, 2, I32, I32, 0]), // type: (i32, i32) -> ()
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0x00, 2]), // one memory, 2 pages
  ...section(7, [2, ...name('mem'), 0x02, 0, ...name('rc4'), 0x00, 0]),
  ...section(10, [1, ...uleb(BODY.length), ...BODY]),
]);

export const WASM_DATA = 1024;
export const WASM_CHUNK = 65536;

export interface Rc4Wasm {
  mem: Uint8Array;
  rc4: (off: number, len: number) => void;
}

// The global exists in Node 20; the project's TypeScript lib setting (ES2023, no DOM) does not declare it.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

function load(): Rc4Wasm | undefined {
  try {
    const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wa) return undefined;
    const inst = new wa.Instance(new wa.Module(MODULE));
    const memory = inst.exports.mem as { buffer: ArrayBuffer };
    return { mem: new Uint8Array(memory.buffer), rc4: inst.exports.rc4 as (off: number, len: number) => void };
  } catch {
    return undefined; // no WebAssembly: the JavaScript loop does the work
  }
}

/** The shared instance (Node runs JavaScript on one thread, so calls never overlap). */
export const rc4Wasm: Rc4Wasm | undefined = load();
