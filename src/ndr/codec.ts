// One description as a whole stub: what Samba's ndr_pack/ndr_unpack do for a single type.
import { NdrReader, NdrWriter, type WriterOptions } from './stream.js';
import type { NdrType } from './type.js';
import type { DecodeOptions } from './operation.js';

/** Encode `value` as one top-level construct: its inline part, then its pointees. */
export function ndrEncode<T>(t: NdrType<T>, value: T, opts?: WriterOptions): Buffer {
  const w = new NdrWriter(256, opts);
  w.writeFull(t, value, value);
  return w.result();
}

/** Decode one top-level construct that fills `buf`. Throws NdrError. */
export function ndrDecode<T>(t: NdrType<T>, buf: Buffer, opts?: DecodeOptions): T {
  const r = new NdrReader(buf);
  const box: { v?: T } = {};
  r.readFull(t, box, 'v', undefined);
  r.finish(opts?.allowTrailing ?? false);
  return box.v as T;
}
