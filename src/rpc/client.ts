// The client side of one association over one byte stream (C706 §11.1, MS-RPCE §3.3.2): bind with
// optional authentication (3 legs with rpc_auth_3, or more with alter_context), alter_context for more
// interfaces, calls fragmented and reassembled, many calls in flight demultiplexed by call_id.
import type { Duplex } from 'node:stream';
import type { SecurityContext } from '../auth/types.js';
import { HivewireError } from '../util/errors.js';
import {
  RpcAbortedError,
  RpcBindError,
  RpcConnectionClosedError,
  RpcFault,
  RpcProtocolError,
  RpcSecurityError,
  RpcTimeoutError,
} from './errors.js';
import { maxStubPerFragment, splitStub } from './fragment.js';
import { HARD_MAX_FRAG, PduParser } from './parser.js';
import { encodeRequest } from './pdu/call.js';
import {
  DEFAULT_MAX_FRAG,
  NDR20_UUID,
  NDR20_VERSION,
  PFC_CONC_MPX,
  PFC_DID_NOT_EXECUTE,
  PFC_FIRST_FRAG,
  PFC_LAST_FRAG,
  PFC_SUPPORT_HEADER_SIGN,
  RESULT,
  RPC_C_AUTHN_LEVEL_CONNECT,
  RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
} from './pdu/constants.js';
import { decodePdu, encodePdu } from './pdu/pdu.js';
import type { BindAckPdu, BindNakPdu, ContextElem, DecodedPdu, SecTrailer, SyntaxId } from './pdu/types.js';
import { protectFrame, trailerFor, unprotectPdu, type ConnectionSecurity } from './security.js';
import { STATUS } from './status.js';

export interface ClientAuth {
  /** A fresh client-side context (NTLM: auth type 10, SPNEGO: 9); used for this connection only. */
  context: SecurityContext;
  /** RPC_C_AUTHN_LEVEL_CONNECT (2), _PKT_INTEGRITY (5) or _PKT_PRIVACY (6). */
  level: number;
  authContextId?: number;
}

export interface RpcClientOptions {
  auth?: ClientAuth;
  /** Fragment size we propose (default 5840). */
  maxFrag?: number;
  /** Join an existing association group. */
  assocGroupId?: number;
  /** Default per-call timeout in ms (0 = none). */
  timeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Presentation context of the interface (default: the one bound first). */
  contextId?: number;
  object?: string;
}

interface PendingCall {
  resolve: (stub: Buffer) => void;
  reject: (err: Error) => void;
  chunks: Buffer[];
  size: number;
  /** Given up on by the caller: its answer is dropped when it arrives. */
  abandoned: boolean;
}

type ControlPdu = (BindAckPdu | BindNakPdu) & DecodedPdu;

const MAX_RESPONSE_STUB = 64 * 1024 * 1024;

export class RpcClient {
  private readonly parser = new PduParser(HARD_MAX_FRAG);
  private nextCallId = 1;
  private nextContextId = 0;
  private readonly calls = new Map<number, PendingCall>();
  private control?: { callId: number; resolve: (p: ControlPdu) => void; reject: (err: Error) => void };
  private closedError?: Error;
  private security?: ConnectionSecurity;
  private maxXmitFrag = DEFAULT_MAX_FRAG;
  private multiplexed = false;
  /** Serialises calls when the server did not agree to concurrent multiplexing. */
  private exclusive: Promise<unknown> = Promise.resolve();
  private defaultContextId = 0;
  readonly contexts = new Map<number, SyntaxId>();
  assocGroupId = 0;
  /** The bind_ack's secondary address (port or pipe name). */
  secAddr = '';
  headerSigning = false;

  private constructor(
    private readonly stream: Duplex,
    private readonly options: RpcClientOptions,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err) => this.fail(new RpcConnectionClosedError(`RPC transport error: ${err.message}`, { cause: err })));
    stream.on('close', () => this.fail(new RpcConnectionClosedError()));
    stream.on('end', () => this.fail(new RpcConnectionClosedError('RPC connection closed by the peer')));
  }

  /** Binds `syntax` (an interface UUID + version) over `stream`, authenticating if asked. */
  static async bind(stream: Duplex, syntax: SyntaxId, options: RpcClientOptions = {}): Promise<RpcClient> {
    const c = new RpcClient(stream, options);
    try {
      await c.doBind(syntax);
    } catch (err) {
      c.close();
      throw err;
    }
    return c;
  }

  get authLevel(): number {
    return this.security?.authLevel ?? 0;
  }

  /** The security context's session key (for interfaces that encrypt with it, e.g. DRSR secrets). */
  get sessionKey(): Buffer | undefined {
    return this.security?.ctx.sessionKey;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  private contextElem(syntax: SyntaxId): ContextElem {
    const contextId = this.nextContextId++;
    return { contextId, abstractSyntax: syntax, transferSyntaxes: [{ uuid: NDR20_UUID, version: NDR20_VERSION, minor: 0 }] };
  }

  private async doBind(syntax: SyntaxId): Promise<void> {
    const auth = this.options.auth;
    const maxFrag = this.options.maxFrag ?? DEFAULT_MAX_FRAG;
    const elem = this.contextElem(syntax);
    let trailer: SecTrailer | undefined;
    let flags = PFC_CONC_MPX;
    if (auth) {
      const first = auth.context.step(undefined);
      trailer = this.authTrailer(first.output ?? Buffer.alloc(0));
      if (auth.level >= RPC_C_AUTHN_LEVEL_PKT_INTEGRITY) flags |= PFC_SUPPORT_HEADER_SIGN;
    }
    const callId = this.nextCallId++;
    const ack = await this.controlExchange(callId, {
      type: 'bind',
      flags,
      callId,
      maxXmitFrag: maxFrag,
      maxRecvFrag: maxFrag,
      assocGroupId: this.options.assocGroupId ?? 0,
      contexts: [elem],
      ...(trailer ? { auth: trailer } : {}),
    });
    if (ack.type === 'bind_nak') throw new RpcBindError(`bind rejected (bind_nak reason ${ack.rejectReason})`, ack.rejectReason);
    if (ack.type !== 'bind_ack') throw new RpcProtocolError(`expected bind_ack, got ${ack.type}`);
    this.maxXmitFrag = Math.min(ack.maxRecvFrag, maxFrag);
    this.assocGroupId = ack.assocGroupId;
    this.secAddr = ack.secAddr;
    this.multiplexed = (ack.flags & PFC_CONC_MPX) !== 0;
    this.acceptResults(ack, [elem]);
    this.defaultContextId = elem.contextId;
    if (auth) {
      this.headerSigning = (flags & ack.flags & PFC_SUPPORT_HEADER_SIGN) !== 0;
      await this.finishAuth(ack, [elem], callId);
    }
  }

  private authTrailer(token: Buffer): SecTrailer {
    const auth = this.options.auth!;
    return {
      authType: auth.context.authType,
      authLevel: auth.level,
      authPadLength: 0,
      authContextId: auth.authContextId ?? 0,
      token,
    };
  }

  /** Runs the remaining security legs after bind_ack (MS-RPCE §3.3.1.5.2.1). */
  private async finishAuth(ack: ControlPdu, elems: ContextElem[], bindCallId: number): Promise<void> {
    const auth = this.options.auth!;
    let input = ack.auth?.token;
    for (let legs = 0; legs < 8; legs++) {
      if (auth.context.complete && (!input || input.length === 0)) break;
      let step;
      try {
        step = auth.context.step(input && input.length > 0 ? Buffer.from(input) : undefined);
      } catch (err) {
        throw new RpcSecurityError('authentication failed', { cause: err });
      }
      if (!step.output || step.output.length === 0) {
        if (step.complete) break;
        throw new RpcSecurityError('security provider produced no token and is not complete');
      }
      if (step.complete) {
        // odd number of legs: the last one travels in rpc_auth_3, which gets no answer
        this.write(encodePdu({ type: 'rpc_auth_3', flags: this.headerSigning ? PFC_SUPPORT_HEADER_SIGN : 0, callId: bindCallId, auth: this.authTrailer(step.output) }));
        break;
      }
      const callId = this.nextCallId++;
      const resp = await this.controlExchange(callId, {
        type: 'alter_context',
        flags: PFC_CONC_MPX | (this.headerSigning ? PFC_SUPPORT_HEADER_SIGN : 0),
        callId,
        maxXmitFrag: this.options.maxFrag ?? DEFAULT_MAX_FRAG,
        maxRecvFrag: this.options.maxFrag ?? DEFAULT_MAX_FRAG,
        assocGroupId: this.assocGroupId,
        contexts: elems,
        auth: this.authTrailer(step.output),
      });
      if (resp.type !== 'alter_context_resp') throw new RpcSecurityError(`authentication leg answered with ${resp.type}`);
      input = resp.auth?.token;
    }
    if (!auth.context.complete) throw new RpcSecurityError('security context did not complete');
    this.security = {
      ctx: auth.context,
      authType: auth.context.authType,
      authLevel: auth.level < RPC_C_AUTHN_LEVEL_CONNECT ? RPC_C_AUTHN_LEVEL_CONNECT : auth.level,
      authContextId: auth.authContextId ?? 0,
    };
  }

  private acceptResults(ack: BindAckPdu, elems: ContextElem[]): void {
    const results = ack.results;
    if (results.length !== elems.length) {
      throw new RpcProtocolError(`${ack.type} has ${results.length} results for ${elems.length} contexts`);
    }
    results.forEach((r, i) => {
      const e = elems[i]!;
      if (r.result !== RESULT.acceptance) {
        throw new RpcBindError(`interface ${e.abstractSyntax.uuid} v${e.abstractSyntax.version}.${e.abstractSyntax.minor} rejected (result ${r.result}, reason ${r.reason})`, r.reason);
      }
      this.contexts.set(e.contextId, e.abstractSyntax);
    });
  }

  /** Adds another interface to the association (alter_context); returns its presentation context id. */
  async addInterface(syntax: SyntaxId): Promise<number> {
    const elem = this.contextElem(syntax);
    const callId = this.nextCallId++;
    const resp = await this.controlExchange(callId, {
      type: 'alter_context',
      flags: PFC_CONC_MPX,
      callId,
      maxXmitFrag: this.options.maxFrag ?? DEFAULT_MAX_FRAG,
      maxRecvFrag: this.options.maxFrag ?? DEFAULT_MAX_FRAG,
      assocGroupId: this.assocGroupId,
      contexts: [elem],
    });
    if (resp.type !== 'alter_context_resp') throw new RpcProtocolError(`expected alter_context_resp, got ${resp.type}`);
    this.acceptResults(resp, [elem]);
    return elem.contextId;
  }

  private controlExchange(callId: number, pdu: Parameters<typeof encodePdu>[0]): Promise<ControlPdu> {
    if (this.closedError) return Promise.reject(this.closedError);
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    return new Promise<ControlPdu>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => {
        this.control = undefined;
        reject(new RpcTimeoutError(timeoutMs));
        this.close();
      }, timeoutMs) : undefined;
      this.control = {
        callId,
        resolve: (p) => {
          if (timer) clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      };
      this.write(encodePdu(pdu));
    });
  }

  /** Calls `opnum` with an NDR-encoded request stub; resolves to the response stub. */
  call(opnum: number, stub: Buffer, opts: CallOptions = {}): Promise<Buffer> {
    if (this.multiplexed) return this.doCall(opnum, stub, opts);
    const run = this.exclusive.then(() => this.doCall(opnum, stub, opts));
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private doCall(opnum: number, stub: Buffer, opts: CallOptions): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(new RpcAbortedError({ cause: signal.reason }));
    const callId = this.nextCallId;
    this.nextCallId = (this.nextCallId + 1) & 0x7fffffff || 1;
    const contextId = opts.contextId ?? this.defaultContextId;
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 0;
    return new Promise<Buffer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => giveUp(new RpcAbortedError({ cause: signal?.reason }));
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const pending: PendingCall = {
        resolve: (s) => {
          cleanup();
          resolve(s);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        chunks: [],
        size: 0,
        abandoned: false,
      };
      const giveUp = (err: Error) => {
        if (pending.abandoned) return;
        pending.abandoned = true;
        this.calls.delete(callId);
        cleanup();
        // co_cancel keeps the connection usable; the late answer is dropped when it comes
        if (!this.closedError) this.write(encodePdu({ type: 'co_cancel', flags: 0, callId }));
        reject(err);
      };
      if (timeoutMs > 0) timer = setTimeout(() => giveUp(new RpcTimeoutError(timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.calls.set(callId, pending);
      const fixed = opts.object !== undefined ? 40 : 24;
      const per = maxStubPerFragment(this.maxXmitFrag, fixed, this.security);
      for (const f of splitStub(stub, per)) {
        const auth = trailerFor(this.security);
        const built = encodeRequest({
          type: 'request',
          flags: f.flags,
          callId,
          allocHint: f.allocHint,
          contextId,
          opnum,
          stub: f.data,
          ...(opts.object !== undefined ? { object: opts.object } : {}),
          ...(auth ? { auth } : {}),
        });
        this.write(protectFrame(built, this.security));
      }
    });
  }

  private write(frame: Buffer): void {
    if (!this.closedError && this.stream.writable) this.stream.write(frame);
  }

  private onData(chunk: Buffer): void {
    if (this.closedError) return;
    try {
      this.parser.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.fail(err instanceof HivewireError ? err : new RpcProtocolError('bad data from server', { cause: err }));
      this.stream.destroy();
    }
  }

  private onFrame(frame: Buffer): void {
    const p = decodePdu(frame);
    switch (p.type) {
      case 'bind_ack':
      case 'bind_nak':
      case 'alter_context_resp': {
        const c = this.control;
        if (!c) throw new RpcProtocolError(`unexpected ${p.type}`);
        this.control = undefined;
        c.resolve(p as ControlPdu);
        return;
      }
      case 'fault': {
        const c = this.control;
        if (c && c.callId === p.callId) {
          this.control = undefined;
          c.reject(new RpcFault(p.status, { didNotExecute: (p.flags & PFC_DID_NOT_EXECUTE) !== 0 }));
          return;
        }
        const call = this.calls.get(p.callId);
        if (!call) {
          // a fault for no call (e.g. call_id 0 after a protocol error) ends the association
          if (p.callId === 0 || p.status === STATUS.nca_s_proto_error) throw new RpcFault(p.status);
          return;
        }
        this.calls.delete(p.callId);
        if (!call.abandoned) call.reject(new RpcFault(p.status, { didNotExecute: (p.flags & PFC_DID_NOT_EXECUTE) !== 0 }));
        return;
      }
      case 'response': {
        const call = this.calls.get(p.callId);
        if (!call) {
          // the late answer of a call given up on: still verified, so that the signing sequence
          // stays in step, then dropped
          if (p.callId > 0 && p.callId < this.nextCallId) return unprotectPdu(p, this.security);
          throw new RpcProtocolError(`response for unknown call_id ${p.callId}`);
        }
        try {
          unprotectPdu(p, this.security);
        } catch (err) {
          // the signing sequence is lost: nothing more on this connection can be trusted
          this.calls.delete(p.callId);
          call.reject(err as Error);
          throw err;
        }
        if (p.flags & PFC_FIRST_FRAG && call.size > 0) throw new RpcProtocolError(`call_id ${p.callId}: second first fragment`);
        call.size += p.stub.length;
        if (call.size > MAX_RESPONSE_STUB) throw new RpcProtocolError(`call_id ${p.callId}: response larger than ${MAX_RESPONSE_STUB} bytes`);
        call.chunks.push(Buffer.from(p.stub));
        if (p.flags & PFC_LAST_FRAG) {
          this.calls.delete(p.callId);
          if (!call.abandoned) call.resolve(call.chunks.length === 1 ? call.chunks[0]! : Buffer.concat(call.chunks, call.size));
        }
        return;
      }
      case 'shutdown':
        throw new RpcConnectionClosedError('server sent shutdown');
      default:
        throw new RpcProtocolError(`unexpected ${p.type} from server`);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    const c = this.control;
    this.control = undefined;
    c?.reject(err);
    for (const call of this.calls.values()) if (!call.abandoned) call.reject(err);
    this.calls.clear();
  }

  /** Calls in flight (for tests and pools). */
  get pendingCalls(): number {
    return this.calls.size;
  }

  close(): void {
    this.fail(new RpcConnectionClosedError('RPC client closed'));
    this.stream.end();
    this.stream.destroy();
  }
}
