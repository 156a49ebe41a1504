// An RPC operation's request and response stubs (C706 §14.4: the [in] parameters in order, then
// the [out] parameters in order and the return value last). A top-level [ref] pointer has no wire
// form (its pointee stands in its place); top-level unique/full pointers keep their referent id.
import { NdrReader, NdrWriter, type WriterOptions } from './stream.js';
import { PointerType, type Infer, type NdrType } from './type.js';

type Params = Record<string, NdrType<any>>;
export type ParamValues<P extends Params> = { -readonly [K in keyof P]: Infer<P[K]> };
export type ResponseValues<O extends Params, R> = ParamValues<O> & (R extends NdrType<infer T> ? { returns: T } : unknown);

export interface DecodeOptions {
  /** Accept bytes after the last parameter (e.g. a verification trailer, MS-RPCE §2.2.2.13). */
  allowTrailing?: boolean;
}

function topLevel(t: NdrType<unknown>): NdrType<unknown> {
  return t instanceof PointerType && t.kind === 'ref' ? t.target : t;
}

function encodeParams(params: [string, NdrType<unknown>][], values: any, fallback: any, opts?: WriterOptions): Buffer {
  if (values === null || typeof values !== 'object') throw new TypeError('parameters must be an object');
  const w = new NdrWriter(256, opts);
  w.fallback = fallback;
  for (const [name, t] of params) w.writeFull(t, values[name], values);
  return w.result();
}

function decodeParams(params: [string, NdrType<unknown>][], stub: Buffer, fallback: any, allowTrailing: boolean): any {
  const r = new NdrReader(stub);
  r.fallback = fallback;
  const o: any = {};
  for (const [name, t] of params) r.readFull(t, o, name, o);
  r.finish(allowTrailing);
  return o;
}

export class Operation<I extends Params, O extends Params, R extends NdrType<any> | undefined> {
  private readonly inP: [string, NdrType<unknown>][];
  private readonly outP: [string, NdrType<unknown>][];
  constructor(
    readonly opnum: number,
    readonly spec: { in: I; out: O; returns?: R },
  ) {
    this.inP = Object.entries(spec.in).map(([n, t]) => [n, topLevel(t)]);
    this.outP = Object.entries(spec.out).map(([n, t]) => [n, topLevel(t)]);
    if (spec.returns) this.outP.push(['returns', spec.returns]);
  }

  /** Client: the request stub. */
  encodeRequest(values: ParamValues<I>, opts?: WriterOptions): Buffer {
    return encodeParams(this.inP, values, undefined, opts);
  }
  /** Server: the [in] parameters from a request stub. Throws NdrError (fault 0x6F7). */
  decodeRequest(stub: Buffer, opts?: DecodeOptions): ParamValues<I> {
    return decodeParams(this.inP, stub, undefined, opts?.allowTrailing ?? false);
  }
  /** Server: the response stub; `inValues` lets size_is/switch_is name [in] parameters. */
  encodeResponse(values: ResponseValues<O, R>, inValues?: Partial<ParamValues<I>>, opts?: WriterOptions): Buffer {
    return encodeParams(this.outP, values, inValues, opts);
  }
  /** Client: the [out] parameters and `returns`; with `inValues`, correlations to [in]-only parameters
   * are checked too. An [in,out] parameter is checked against its [out] value, even when it comes
   * later in the stub (BaseRegQueryValue's lpData before lpcbData/lpcbLen): the server sized the
   * array with the values it sends back. */
  decodeResponse(stub: Buffer, inValues?: Partial<ParamValues<I>>, opts?: DecodeOptions): ResponseValues<O, R> {
    const inOnly = inValues && Object.fromEntries(Object.entries(inValues).filter(([k]) => !this.outP.some(([n]) => n === k)));
    return decodeParams(this.outP, stub, inOnly, opts?.allowTrailing ?? false);
  }
}

/** `operation(15, { in: {...}, out: {...}, returns: error_status_t })`, parameters in IDL order. */
export function operation<I extends Params, O extends Params, R extends NdrType<any> | undefined = undefined>(
  opnum: number,
  spec: { in: I; out: O; returns?: R },
): Operation<I, O, R> {
  return new Operation(opnum, spec);
}
