// Mutation fuzzing of the NDR decoder, shared by test/ndr/fuzz.test.ts (a CI sample) and bench/ndr.ts
// (the full count). Seeds are valid stubs of real operations; mutations are bit flips, byte edits,
// truncations, insertions and edits of aligned 32-bit words (where counts and referent ids live).
import { NdrError, ndrDecode, ndrEncode } from '../../src/ndr/index.js';
import { RPC_UNICODE_STRING } from '../../src/ndr/dtyp.js';
import {
  BaseRegEnumKey, BaseRegQueryValue, DRS_MSG_GETCHGREPLY_V6, IDL_DRSBind, IDL_DRSGetNCChanges, ept_lookup, ept_map, type REPLENTINFLIST_t,
} from './idl.js';

export interface Seed {
  name: string;
  stub: Buffer;
  decode: (b: Buffer) => unknown;
}

const H = { attributes: 0, uuid: '01234567-89ab-cdef-0123-456789abcdef' };
const G = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const dsname = (dn: string, n: number) => ({
  structLen: 58 + 2 * dn.length, SidLen: 0, Guid: G(n), Sid: { Data: Buffer.alloc(28) }, NameLen: dn.length, StringName: `${dn}\0`,
});

/** A DRS_MSG_GETCHGREPLY_V6 with `n` objects of `attrs` attributes each. */
export function sampleReplyV6(n: number, attrs = 4) {
  let head: REPLENTINFLIST_t | null = null;
  for (let k = n - 1; k >= 0; k--) {
    head = {
      pNextEntInf: head,
      Entinf: {
        pName: dsname(`CN=user${k},OU=LabUsers,DC=lab,DC=example,DC=com`, k),
        ulFlags: 0,
        AttrBlock: {
          attrCount: attrs,
          pAttr: Array.from({ length: attrs }, (_, a) => {
            const v = Buffer.from(`value ${a} of object ${k}`, 'utf16le');
            return { attrTyp: 0x90000 + a, AttrVal: { valCount: 1, pAVal: [{ valLen: v.length, pVal: v }] } };
          }),
        },
      },
      fIsNCPrefix: k === 0 ? 1 : 0,
      pParentGuid: G(0xffff),
      pMetaDataExt: {
        cNumProps: attrs,
        rgMetaData: Array.from({ length: attrs }, (_, a) => ({ dwVersion: 1, timeChanged: 13300000000n + BigInt(a), uuidDsaOriginating: G(7), usnOriginating: 1000n + BigInt(k) })),
      },
    };
  }
  const oid = Buffer.from('2a864886f7140102', 'hex');
  return {
    uuidDsaObjSrc: G(1), uuidInvocIdSrc: G(2), pNC: dsname('DC=lab,DC=example,DC=com', 3),
    usnvecFrom: { usnHighObjUpdate: 0n, usnReserved: 0n, usnHighPropUpdate: 0n },
    usnvecTo: { usnHighObjUpdate: 100n, usnReserved: 0n, usnHighPropUpdate: 90n },
    pUpToDateVecSrc: { dwVersion: 2, dwReserved1: 0, cNumCursors: 1, dwReserved2: 0, rgCursors: [{ uuidDsa: G(2), usnHighPropUpdate: 5n, timeLastSyncSuccess: 1n }] },
    PrefixTableSrc: { PrefixCount: 1, pPrefixEntry: [{ ndx: 1, prefix: { length: oid.length, elements: oid } }] },
    ulExtendedRet: 0, cNumObjects: n, cNumBytes: 0, pObjects: head, fMoreData: 0, cNumNcSizeObjects: 0, cNumNcSizeValues: 0,
    cNumValues: 1,
    rgValues: [{ pObject: dsname('CN=Group,DC=lab', 9), attrTyp: 31, Aval: { valLen: 3, pVal: Buffer.from([1, 2, 3]) }, fIsPresent: 1, MetaData: { timeCreated: 1n, MetaData: { dwVersion: 2, timeChanged: 3n, uuidDsaOriginating: G(7), usnOriginating: 4n } } }],
    dwDRSError: 0,
  };
}

export function seeds(): Seed[] {
  const tower = Buffer.from('050013000d354251e3064bd111ab0400c04fc2dcd204000200000013000d045d888aeb1cc9119fe808002b10486002000200000001000b020000000100070200c20301000904007f000001', 'hex');
  const v8 = {
    uuidDsaObjDest: G(1), uuidInvocIdSrc: G(2), pNC: dsname('DC=lab,DC=example,DC=com', 3),
    usnvecFrom: { usnHighObjUpdate: 5n, usnReserved: 0n, usnHighPropUpdate: 4n },
    pUpToDateVecDest: { dwVersion: 1, dwReserved1: 0, cNumCursors: 1, dwReserved2: 0, rgCursors: [{ uuidDsa: G(4), usnHighPropUpdate: 77n }] },
    ulFlags: 0x30, cMaxObjects: 1000, cMaxBytes: 0, ulExtendedOp: 0, liFsmoInfo: 0n,
    pPartialAttrSet: { dwVersion: 1, dwReserved1: 0, cAttrs: 2, rgPartialAttr: [0x90001, 0x90002] },
    pPartialAttrSetEx: null,
    PrefixTableDest: { PrefixCount: 1, pPrefixEntry: [{ ndx: 0, prefix: { length: 2, elements: Buffer.from([0x55, 0x04]) } }] },
  };
  const s: Seed[] = [
    {
      name: 'BaseRegQueryValue.in',
      stub: BaseRegQueryValue.encodeRequest({ hKey: H, lpValueName: { Length: 24, MaximumLength: 24, Buffer: 'ProductName\0' }, lpType: 0, lpData: Buffer.alloc(8), lpcbData: 8, lpcbLen: 8 }),
      decode: (b) => BaseRegQueryValue.decodeRequest(b),
    },
    {
      name: 'BaseRegQueryValue.out',
      stub: BaseRegQueryValue.encodeResponse({ lpType: 1, lpData: Buffer.from('Win\0', 'utf16le'), lpcbData: 8, lpcbLen: 8, returns: 0 }),
      decode: (b) => BaseRegQueryValue.decodeResponse(b),
    },
    {
      name: 'BaseRegEnumKey.out',
      stub: BaseRegEnumKey.encodeResponse({ lpNameOut: { Length: 6, MaximumLength: 512, Buffer: 'Key' }, lplpClassOut: { Length: 0, MaximumLength: 0, Buffer: null }, lpftLastWriteTime: { dwLowDateTime: 1, dwHighDateTime: 2 }, returns: 0 }),
      decode: (b) => BaseRegEnumKey.decodeResponse(b),
    },
    {
      name: 'ept_map.in',
      stub: ept_map.encodeRequest({ obj: G(0), map_tower: { tower_length: tower.length, tower_octet_string: tower }, entry_handle: H, max_towers: 4 }),
      decode: (b) => ept_map.decodeRequest(b),
    },
    {
      name: 'ept_map.out',
      stub: ept_map.encodeResponse({ entry_handle: H, num_towers: 2, ITowers: [{ tower_length: tower.length, tower_octet_string: tower }, { tower_length: 2, tower_octet_string: Buffer.from([1, 2]) }], status: 0 }, { max_towers: 4 }),
      decode: (b) => ept_map.decodeResponse(b, { max_towers: 4 }),
    },
    {
      name: 'ept_lookup.out',
      stub: ept_lookup.encodeResponse({ entry_handle: H, num_ents: 1, entries: [{ object: G(5), tower: { tower_length: tower.length, tower_octet_string: tower }, annotation: 'DRSUAPI' }], status: 0 }, { max_ents: 2 }),
      decode: (b) => ept_lookup.decodeResponse(b, { max_ents: 2 }),
    },
    {
      name: 'IDL_DRSBind.out',
      stub: IDL_DRSBind.encodeResponse({ ppextServer: { cb: 4, rgb: Buffer.from([1, 2, 3, 4]) }, phDrs: H, returns: 0 }),
      decode: (b) => IDL_DRSBind.decodeResponse(b),
    },
    {
      name: 'IDL_DRSGetNCChanges.in',
      stub: IDL_DRSGetNCChanges.encodeRequest({ hDrs: H, dwInVersion: 8, pmsgIn: { tag: 8, V8: v8 } }),
      decode: (b) => IDL_DRSGetNCChanges.decodeRequest(b),
    },
    {
      name: 'IDL_DRSGetNCChanges.out',
      stub: IDL_DRSGetNCChanges.encodeResponse({ pdwOutVersion: 6, pmsgOut: { tag: 6, V6: sampleReplyV6(3, 2) }, returns: 0 }),
      decode: (b) => IDL_DRSGetNCChanges.decodeResponse(b),
    },
    {
      name: 'RPC_UNICODE_STRING',
      stub: Buffer.from('08000a00000002000500000000000000040000006100620063006400', 'hex'),
      decode: (b) => ndrDecode(RPC_UNICODE_STRING, b),
    },
    {
      name: 'DRS_MSG_GETCHGREPLY_V6',
      stub: ndrEncode(DRS_MSG_GETCHGREPLY_V6, sampleReplyV6(2, 1)),
      decode: (b) => ndrDecode(DRS_MSG_GETCHGREPLY_V6, b),
    },
  ];
  return s;
}

/** xorshift32: reproducible mutations from a seed number. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const WORDS = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x20000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export function mutate(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const pick = (n: number) => Math.floor(r() * n);
  const edits = 1 + pick(4);
  let out = b;
  for (let e = 0; e < edits; e++) {
    if (out.length === 0) break;
    switch (pick(6)) {
      case 0: { // flip one bit
        const i = pick(out.length);
        out[i]! ^= 1 << pick(8);
        break;
      }
      case 1: // set a byte
        out[pick(out.length)] = pick(256);
        break;
      case 2: // truncate
        out = out.subarray(0, pick(out.length));
        break;
      case 3: { // edit an aligned 32-bit word: a count, a length or a referent id
        if (out.length < 4) break;
        const i = pick(out.length >> 2) << 2;
        const v = r() < 0.7 ? WORDS[pick(WORDS.length)]! : (out.readUInt32LE(i) + pick(9) - 4) >>> 0;
        out.writeUInt32LE(v, i);
        break;
      }
      case 4: { // insert junk
        const i = pick(out.length + 1);
        const junk = Buffer.alloc(1 + pick(8), pick(256));
        out = Buffer.concat([out.subarray(0, i), junk, out.subarray(i)]);
        break;
      }
      case 5: { // delete a run
        const i = pick(out.length);
        out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1 + pick(8))]);
        break;
      }
    }
  }
  return out;
}

export interface FuzzStats {
  cases: number;
  accepted: number;
  rejected: Record<string, number>;
  crashes: Array<{ seed: string; input: string; error: string }>;
  slowestMs: number;
}

/** Run `cases` mutated stubs; anything thrown that is not an NdrError is a crash. */
export function fuzz(cases: number, seedNumber = 1): FuzzStats {
  const all = seeds();
  const r = rng(seedNumber);
  const stats: FuzzStats = { cases: 0, accepted: 0, rejected: {}, crashes: [], slowestMs: 0 };
  for (let i = 0; i < cases; i++) {
    const seed = all[i % all.length]!;
    const input = mutate(seed.stub, r);
    const t0 = performance.now();
    try {
      seed.decode(input);
      stats.accepted++;
    } catch (e) {
      if (e instanceof NdrError) stats.rejected[e.code] = (stats.rejected[e.code] ?? 0) + 1;
      else if (stats.crashes.length < 10) stats.crashes.push({ seed: seed.name, input: input.toString('hex'), error: String((e as Error)?.stack ?? e) });
      else stats.crashes.length++;
    }
    const dt = performance.now() - t0;
    if (dt > stats.slowestMs) stats.slowestMs = dt;
    stats.cases++;
  }
  return stats;
}
