// Byte fixtures for each NDR construct, written by hand from C706 ch. 14 and MS-RPCE §4.6–§4.7.
import { describe, expect, it } from 'vitest';
import {
  boolean, char, conformantArray, conformantVaryingArray, contextHandle, enum16, fixedArray, full, GUID, i16, i64, lazy,
  ndrDecode, ndrEncode, operation, range, ref, string, struct, switchIs, u16, u32, u64, u8, union, unique, v1_enum,
  varyingArray, varyingString, wchar, f64, type NdrType,
} from '../../src/ndr/index.js';
import { RPC_UNICODE_STRING } from '../../src/ndr/dtyp.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
function both<T>(t: NdrType<T>, value: T, bytes: string): void {
  expect(ndrEncode(t, value).toString('hex')).toBe(hex(bytes).toString('hex'));
  expect(ndrDecode(t, hex(bytes))).toEqual(value);
}

describe('primitives and alignment', () => {
  it('pads each member to its natural alignment; a struct aligns to its largest member', () => {
    const S = struct({ a: u8, b: u32, c: u16, d: u64, e: i16, f: boolean });
    both(S, { a: 1, b: 2, c: 3, d: 4n, e: -1, f: true },
      '01 000000 02000000 0300 000000000000 0400000000000000 ffff 01');
  });
  it('enums are 16 bits unless v1_enum', () => {
    both(struct({ x: enum16(), y: v1_enum() }), { x: 3, y: 3 }, '0300 0000 03000000');
  });
  it('hyper and double align to 8 after a leading byte', () => {
    both(struct({ a: u8, h: i64, d: f64 }), { a: 9, h: -2n, d: 1.5 }, '09 00000000000000 feffffffffffffff 000000000000f83f');
  });
});

describe('strings and arrays', () => {
  it('RPC_UNICODE_STRING as in MS-RPCE §4.7', () => {
    both(RPC_UNICODE_STRING, { Length: 8, MaximumLength: 10, Buffer: 'abcd' },
      '0800 0a00 00000200 05000000 00000000 04000000 6100 6200 6300 6400');
  });
  it('a NULL buffer is a zero referent id', () => {
    both(RPC_UNICODE_STRING, { Length: 0, MaximumLength: 0, Buffer: null }, '0000 0000 00000000');
  });
  it('[string] wchar_t* counts the terminator; [string] char* decodes latin1', () => {
    both(string(wchar), 'hi', '03000000 00000000 03000000 6800 6900 0000');
    both(string(char), 'ok', '03000000 00000000 03000000 6f 6b 00');
  });
  it('fixed, varying and conformant arrays', () => {
    both(fixedArray(u16, 3), [1, 2, 3], '0100 0200 0300');
    both(varyingArray(u32, 4), [7, 8], '00000000 02000000 07000000 08000000');
    both(conformantArray(u8), Buffer.from([1, 2, 3]), '03000000 010203');
    both(conformantVaryingArray(u16), [5], '01000000 00000000 01000000 0500');
  });
  it('[string] char annotation[64] is a varying string', () => {
    both(varyingString(char, 64), 'ab', '00000000 03000000 616200');
  });
  it('an empty array does not align its (absent) elements', () => {
    both(struct({ n: u32, a: unique(conformantArray(u64, { size: 'n' })), z: u8 }), { n: 0, a: [], z: 1 },
      '00000000 00000200 01 000000 00000000');
  });
});

describe('conformant structures', () => {
  const CS = struct({ n: u16, name: conformantArray(wchar, { size: 'n + 1' }) });
  it("hoists the trailing array's max_count to the front", () => {
    both(CS, { n: 2, name: 'ab\0' }, '03000000 0200 6100 6200 0000');
  });
  it('hoists through a nested struct to the outermost one', () => {
    const Outer = struct({ tag: u8, inner: CS });
    both(Outer, { tag: 7, inner: { n: 0, name: '\0' } }, '01000000 07 00 0000 0000');
  });
});

describe('pointers', () => {
  it('defers embedded pointees after the whole construct, depth first, in order', () => {
    const Leaf = struct({ v: u16 });
    const Mid = struct({ leaf: unique(Leaf), w: u16 });
    const Top = struct({ a: unique(Mid), b: unique(Leaf) });
    // Top: ida idb | *a: idleaf w | *a.leaf | *b
    both(Top, { a: { leaf: { v: 1 }, w: 2 }, b: { v: 3 } },
      '00000200 04000200  08000200 0200  0100  0300');
  });
  it('embedded [ref] pointers take an id too; a null [ref] is refused', () => {
    const S = struct({ p: ref(u32) });
    both(S, { p: 5 }, '00000200 05000000');
    expect(() => ndrEncode(S, { p: null as unknown as number })).toThrow(/null \[ref\]/);
  });
  it('full pointers to the same object share an id and one pointee', () => {
    const P = struct({ x: u32 });
    const S = struct({ a: full(P), b: full(P) });
    const shared = { x: 9 };
    const bytes = ndrEncode(S, { a: shared, b: shared });
    expect(bytes.toString('hex')).toBe(hex('00000200 00000200 09000000').toString('hex'));
    const back = ndrDecode(S, bytes);
    expect(back.a).toEqual({ x: 9 });
    expect(back.a).toBe(back.b);
  });
  it('a linked list 100,000 long decodes without recursion', () => {
    interface Node { next: Node | null; v: number }
    const N: NdrType<Node> = struct({ next: unique(lazy(() => N)), v: u32 });
    let head: Node | null = null;
    for (let i = 99_999; i >= 0; i--) head = { next: head, v: i };
    const bytes = ndrEncode(N, head!);
    expect(bytes.length).toBe(100_000 * 8);
    let n: Node | null = ndrDecode(N, bytes);
    let count = 0;
    while (n) {
      expect(n.v).toBe(count++);
      n = n.next;
    }
    expect(count).toBe(100_000);
  });
});

describe('unions', () => {
  const U = union({ switchType: u32, arms: { Small: [1, u16], Big: [[2, 3], u64], None: [0, null] } });
  it('discriminant, then the arm at its own alignment', () => {
    both(U, { tag: 2, Big: 5n }, '02000000 00000000 0500000000000000');
    both(U, { tag: 1, Small: 4 }, '01000000 0400');
    both(U, { tag: 0, None: null }, '00000000');
  });
  it('switch_is to another field re-marshals the discriminant (MS-RPCE §2.2.4.8)', () => {
    const S = struct({ level: u32, u: switchIs(U, 'level') });
    both(S, { level: 1, u: { tag: 1, Small: 6 } }, '01000000 01000000 0600');
    expect(() => ndrEncode(S, { level: 2, u: { tag: 1, Small: 6 } })).toThrow(/discriminant/);
  });
  it('encapsulated unions align the arm to the largest arm', () => {
    const E = union({ switchType: u16, encapsulated: true, arms: { a: [1, u8], b: [2, u64] } });
    both(E, { tag: 1, a: 7 }, '0100 000000000000 07');
  });
  it('a default arm takes any other discriminant', () => {
    const D = union({ switchType: u16, arms: { one: [1, u32], other: ['default', u16] } });
    both(D, { tag: 9, other: 1 }, '0900 0100');
  });
});

describe('context handles, GUIDs, ranges', () => {
  it('a context handle is attributes + GUID in MS-DTYP §2.3.4.2 byte order', () => {
    both(contextHandle(), { attributes: 0, uuid: '01234567-89ab-cdef-0011-223344556677' },
      '00000000 67452301 ab89 efcd 0011 223344556677');
    both(GUID, '8a885d04-1ceb-11c9-9fe8-08002b104860', '045d888aeb1cc9119fe808002b104860');
  });
  it('[range] is enforced on encode', () => {
    expect(() => ndrEncode(range(u32, 0, 500), 501)).toThrow(/not in \[0, 500\]/);
  });
});

describe('operations (MS-RPCE §4.6)', () => {
  const CorrelatedMethod = operation(0, {
    in: { Size: u32, pArray: ref(conformantArray(i16, { size: 'Size' })) },
    out: {},
  });
  it('marshals [in] parameters in order; a top-level [ref] pointer has no referent id', () => {
    const stub = CorrelatedMethod.encodeRequest({ Size: 3, pArray: [1, -1, 2] });
    expect(stub.toString('hex')).toBe(hex('03000000 03000000 0100 ffff 0200').toString('hex'));
    expect(CorrelatedMethod.decodeRequest(stub)).toEqual({ Size: 3, pArray: [1, -1, 2] });
  });
  it('size_is can name a parameter that comes later, and *pointer', () => {
    const Op = operation(1, {
      in: { pcb: unique(u32), data: ref(conformantArray(u8, { size: 'pcb ? *pcb : 0' })), n: u32 },
      out: { num: ref(u32), items: conformantVaryingArray(u32, { size: 'max', length: '*num' }), returns: u32 },
    });
    const stub = Op.encodeRequest({ pcb: 2, data: Buffer.from([0xa, 0xb]), n: 1 });
    expect(stub.toString('hex')).toBe(hex('00000200 02000000 02000000 0a0b 0000 01000000').toString('hex'));
    const resp = Op.encodeResponse({ num: 1, items: [4], returns: 0 }, { max: 2 } as never);
    expect(resp.toString('hex')).toBe(hex('01000000 02000000 00000000 01000000 04000000 00000000').toString('hex'));
  });
  it('the return value comes last in the response', () => {
    const Op = operation(2, { in: {}, out: { h: ref(contextHandle()) }, returns: u32 });
    const stub = Op.encodeResponse({ h: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000001' }, returns: 5 });
    expect(stub.subarray(20).toString('hex')).toBe('05000000');
    expect(Op.decodeResponse(stub).returns).toBe(5);
  });
});
