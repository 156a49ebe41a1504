// The TypeScript type of a decoded value follows from its description (checked by tsc in `npm test`).
import { describe, expectTypeOf, it } from 'vitest';
import { conformantArray, contextHandle, ndrDecode, operation, ref, string, struct, u16, u32, u64, u8, union, unique, wchar, type Infer } from '../../src/ndr/index.js';
import { RPC_UNICODE_STRING } from '../../src/ndr/dtyp.js';
import { IDL_DRSGetNCChanges } from './idl.js';

describe('inferred value types', () => {
  it('structs, pointers, arrays, strings', () => {
    const S = struct({ a: u32, b: u64, p: unique(u16), bytes: unique(conformantArray(u8)), s: unique(string(wchar)), list: unique(conformantArray(u32)) });
    expectTypeOf<Infer<typeof S>>().toEqualTypeOf<{ a: number; b: bigint; p: number | null; bytes: Buffer | null; s: string | null; list: number[] | null }>();
    expectTypeOf<ReturnType<typeof ndrDecode<Infer<typeof RPC_UNICODE_STRING>>>>().toEqualTypeOf<{ Length: number; MaximumLength: number; Buffer: string | null }>();
  });
  it('unions narrow on their tag', () => {
    const U = union({ switchType: u32, arms: { V1: [1, u16], V6: [6, struct({ x: u32 })] } });
    type V = Infer<typeof U>;
    expectTypeOf<Extract<V, { tag: 6 }>['V6']>().toEqualTypeOf<{ x: number }>();
    expectTypeOf<Extract<V, { tag: 1 }>['V1']>().toEqualTypeOf<number>();
  });
  it('operations type their requests and responses', () => {
    const Op = operation(0, { in: { h: contextHandle(), n: u32 }, out: { out: ref(u32) }, returns: u32 });
    expectTypeOf(Op.encodeRequest).parameter(0).toEqualTypeOf<{ h: { attributes: number; uuid: string }; n: number }>();
    expectTypeOf<ReturnType<typeof Op.decodeResponse>>().toMatchTypeOf<{ out: number; returns: number }>();
    expectTypeOf<Extract<ReturnType<typeof IDL_DRSGetNCChanges.decodeResponse>['pmsgOut'], { tag: 6 }>['V6']['cNumObjects']>().toEqualTypeOf<number>();
  });
});
