// Mutation fuzzing of the RPC decoders (PDU codec, incremental parser, EPM stubs and towers): shared by
// the CI sample (test/rpc/fuzz.test.ts) and the full run (bench/rpc-fuzz.ts). Every input must decode
// or fail with a FormatError/NdrError-style HivewireError: anything else (RangeError, TypeError, a hang)
// is a bug.
import { readdirSync, readFileSync } from 'node:fs';
import { HivewireError } from '../../src/util/errors.js';
import { decodeTower, buildTower } from '../../src/interfaces/epm/tower.js';
import {
  decode_ept_lookup_in,
  decode_ept_lookup_out,
  decode_ept_map_in,
  decode_ept_map_out,
  encode_ept_lookup_in,
  encode_ept_lookup_out,
  encode_ept_map_in,
  encode_ept_map_out,
  NULL_HANDLE,
} from '../../src/interfaces/epm/types.js';
import { PduParser } from '../../src/rpc/parser.js';
import { Rng } from '../harness/rng.js';
import { decodePdu, encodePdu } from '../../src/rpc/pdu/pdu.js';

/** The fuzzers' xorshift32 as a function, so that a failing case can be replayed from its seed. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

export function pduCorpus(): Buffer[] {
  const dir = new URL('./fixtures/', import.meta.url);
  const out: Buffer[] = readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => readFileSync(new URL(f, dir)));
  const auth = { authType: 10, authLevel: 6, authPadLength: 0, authContextId: 1, token: Buffer.alloc(16, 7) };
  out.push(
    encodePdu({ type: 'alter_context', flags: 0, callId: 3, maxXmitFrag: 5840, maxRecvFrag: 5840, assocGroupId: 1, contexts: [
      { contextId: 0, abstractSyntax: { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', version: 3, minor: 0 }, transferSyntaxes: [
        { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2, minor: 0 },
        { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', version: 1, minor: 0 },
      ] },
    ], auth }),
    encodePdu({ type: 'request', flags: 3, callId: 4, allocHint: 40, contextId: 0, opnum: 3, object: '01234567-89ab-cdef-0123-456789abcdef', stub: Buffer.alloc(40, 1), auth }),
    encodePdu({ type: 'co_cancel', flags: 3, callId: 4 }),
    encodePdu({ type: 'orphaned', flags: 3, callId: 4 }),
    encodePdu({ type: 'shutdown', flags: 3, callId: 0 }),
  );
  return out;
}

export function stubCorpus(): { name: string; buf: Buffer; decode: (b: Buffer) => unknown }[] {
  const tower = buildTower({ uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', version: 4, minor: 0 }, { protocol: 'ncacn_ip_tcp', port: 49153, address: '127.0.0.3' });
  const npTower = buildTower({ uuid: '338cd001-2244-31f1-aaaa-900038001003', version: 1, minor: 0 }, { protocol: 'ncacn_np', pipe: '\\PIPE\\winreg', host: '\\\\HOST' });
  return [
    { name: 'tower', buf: tower, decode: (b) => decodeTower(b) },
    { name: 'np tower', buf: npTower, decode: (b) => decodeTower(b) },
    {
      name: 'ept_lookup in',
      buf: encode_ept_lookup_in({ inquiry_type: 1, object: '00000000-0000-0000-0000-000000000000', Ifid: { Uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', VersMajor: 4, VersMinor: 0 }, vers_option: 1, entry_handle: NULL_HANDLE, max_ents: 500 }),
      decode: decode_ept_lookup_in,
    },
    {
      name: 'ept_lookup out',
      buf: encode_ept_lookup_out({ entry_handle: Buffer.alloc(20, 1), entries: [{ object: '00000000-0000-0000-0000-000000000000', tower, annotation: 'drsuapi' }, { object: '00000000-0000-0000-0000-000000000000', tower: npTower, annotation: '' }], status: 0 }, 500),
      decode: decode_ept_lookup_out,
    },
    { name: 'ept_map in', buf: encode_ept_map_in({ obj: null, map_tower: tower, entry_handle: NULL_HANDLE, max_towers: 4 }), decode: decode_ept_map_in },
    { name: 'ept_map out', buf: encode_ept_map_out({ entry_handle: NULL_HANDLE, towers: [tower, null, npTower], status: 0 }, 4), decode: decode_ept_map_out },
  ];
}

/** One mutation of `src` driven by `r`. */
export function mutate(src: Buffer, r: () => number, corpus: Buffer[]): Buffer {
  const b = Buffer.from(src);
  const kind = r() % 9;
  const at = b.length ? r() % b.length : 0;
  switch (kind) {
    case 0: // flip bits
      for (let i = 0, n = 1 + (r() % 4); i < n && b.length; i++) b[r() % b.length]! ^= 1 << (r() % 8);
      return b;
    case 1: // interesting bytes
      for (let i = 0, n = 1 + (r() % 3); i < n && b.length; i++) b[r() % b.length] = [0, 0xff, 0x7f, 0x80, 1, 0x10][r() % 6]!;
      return b;
    case 2: // truncate
      return b.subarray(0, r() % (b.length + 1));
    case 3: // append junk
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + (r() % 64) }, () => r() & 0xff))]);
    case 4: // 16-bit length-ish field set to something extreme
      if (b.length >= 2) b.writeUInt16LE([0, 1, 0xffff, 0x8000, b.length, b.length + 1, b.length - 1][r() % 7]! & 0xffff, r() % (b.length - 1));
      return b;
    case 5: // 32-bit count set to something extreme
      if (b.length >= 4) b.writeUInt32LE([0, 1, 0xffffffff, 0x7fffffff, 500, 501, 2000, 2001][r() % 8]! >>> 0, r() % (b.length - 3));
      return b;
    case 6: // splice with another corpus entry
      return Buffer.concat([b.subarray(0, at), corpus[r() % corpus.length]!.subarray(r() % 32)]);
    case 7: // duplicate a region
      return Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1 + (r() % 32)), b.subarray(at)]);
    default: // fix frag_length so the header checks pass and the body is exercised
      if (b.length >= 16) b.writeUInt16LE(b.length & 0xffff, 8);
      return b;
  }
}

export interface FuzzReport {
  cases: number;
  accepted: number;
  rejected: number;
}

function expected(err: unknown): boolean {
  return err instanceof HivewireError;
}

/** Runs `n` cases from `seed`; throws on the first input that fails any other way. */
export function fuzzDecoders(n: number, seed: number): FuzzReport {
  const r = rng(seed);
  const pdus = pduCorpus();
  const stubs = stubCorpus();
  const rep: FuzzReport = { cases: 0, accepted: 0, rejected: 0 };
  for (let i = 0; i < n; i++) {
    const which = r() % 4;
    let input: Buffer;
    let fn: (b: Buffer) => unknown;
    if (which === 3) {
      const s = stubs[r() % stubs.length]!;
      input = mutate(s.buf, r, [s.buf]);
      fn = s.decode;
    } else if (which === 2) {
      // the parser: a mutated stream in random pieces, every frame decoded
      input = Buffer.concat([mutate(pdus[r() % pdus.length]!, r, pdus), pdus[r() % pdus.length]!]);
      const pieces = 1 + (r() % 5);
      fn = (b) => {
        const p = new PduParser(r() % 2 ? 0xffff : 1024);
        const step = Math.max(1, Math.ceil(b.length / pieces));
        for (let o = 0; o < b.length; o += step) p.push(b.subarray(o, o + step), (f) => decodePdu(f));
        return p.pending;
      };
    } else {
      input = mutate(pdus[r() % pdus.length]!, r, pdus);
      fn = decodePdu;
    }
    rep.cases++;
    try {
      fn(input);
      rep.accepted++;
    } catch (err) {
      if (!expected(err)) {
        const e = new Error(`fuzz case ${i} (seed ${seed}) threw ${(err as Error)?.name}: ${(err as Error)?.message}\ninput: ${input.toString('hex')}`);
        (e as Error & { cause?: unknown }).cause = err;
        throw e;
      }
      rep.rejected++;
    }
  }
  return rep;
}
