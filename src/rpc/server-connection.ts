// One server-side connection: the CO server state machine (C706 §11.2, MS-RPCE §3.3.3) over a byte
// stream — bind/alter_context negotiation, the security context legs, request reassembly, dispatch to
// handlers (several calls in flight, answers in any order), faults, cancel/orphaned, limits.
import type { Duplex } from 'node:stream';
import type { SecurityContext } from '../auth/types.js';
import { FormatError, HivewireError } from '../util/errors.js';
import { RpcFault } from './errors.js';
import { maxStubPerFragment, splitStub } from './fragment.js';
import { PduParser } from './parser.js';
import {
  BIND_NAK_REASON,
  BIND_TIME_FEATURE_PREFIX,
  KeepConnectionOnOrphanSupported,
  MIN_MAX_FRAG,
  NDR20_UUID,
  NDR20_VERSION,
  PFC_CONC_MPX,
  PFC_DID_NOT_EXECUTE,
  PFC_FIRST_FRAG,
  PFC_LAST_FRAG,
  PFC_SUPPORT_HEADER_SIGN,
  PROVIDER_REASON,
  RESULT,
  RPC_C_AUTHN_LEVEL_CONNECT,
  RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
} from './pdu/constants.js';
import { decodePdu, encodePdu } from './pdu/pdu.js';
import type { BindPdu, ContextResult, DecodedPdu, RequestPdu, SecTrailer, SyntaxId } from './pdu/types.js';
import { protectFrame, trailerFor, unprotectPdu, type ConnectionSecurity } from './security.js';
import type { AssociationGroup, CallContext, CallIdentity, RpcInterface, RpcServer, TransportInfo } from './server.js';
import { encodeResponse } from './pdu/call.js';
import { STATUS } from './status.js';
import { splitVerificationTrailer } from './verification.js';

const ZERO_SYNTAX: SyntaxId = { uuid: '00000000-0000-0000-0000-000000000000', version: 0, minor: 0 };
const NDR20: SyntaxId = { uuid: NDR20_UUID, version: NDR20_VERSION, minor: 0 };

interface Reassembly {
  callId: number;
  opnum: number;
  contextId: number;
  object?: string;
  chunks: Buffer[];
  size: number;
}

interface PendingAuth {
  ctx: SecurityContext;
  authType: number;
  authLevel: number;
  authContextId: number;
}

export class ServerConnection {
  private readonly parser: PduParser;
  private group?: AssociationGroup;
  private bound = false;
  private closed = false;
  private readonly contexts = new Map<number, RpcInterface>();
  private maxXmitFrag: number;
  private security?: ConnectionSecurity;
  private pendingAuth?: PendingAuth;
  private authFailed = false;
  private lastCallId = -1;
  private reassembly?: Reassembly;
  /** A call whose remaining fragments are dropped (it was faulted mid-way). */
  private droppedCallId = -1;
  private readonly inFlight = new Map<number, ServerCall>();
  /** The caller as handlers see it; rebuilt when the security context changes. */
  private callIdentity?: CallIdentity;
  private identityFor?: ConnectionSecurity | undefined;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly server: RpcServer,
    private readonly stream: Duplex,
    private readonly info: TransportInfo,
  ) {
    this.maxXmitFrag = server.limits.maxFrag;
    // before bind the peer has agreed to nothing: accept up to our own fragment size
    this.parser = new PduParser(Math.max(server.limits.maxFrag, MIN_MAX_FRAG));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => this.destroy());
    stream.on('close', () => this.onClose());
    stream.on('end', () => this.destroy());
    this.touch();
  }

  destroy(): void {
    if (this.closed) return;
    this.onClose();
    this.stream.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const c of this.inFlight.values()) c.abort();
    this.inFlight.clear();
    if (this.group) this.server.leaveGroup(this, this.group);
  }

  private report(err: unknown): void {
    try {
      this.server.options.onError?.(err, this.info);
    } catch {
      // a failing logger must not break the connection
    }
  }

  /** Last traffic (performance.now()): the idle timer looks at it rather than being re-armed per PDU. */
  private lastActivity = 0;

  private touch(): void {
    const ms = this.server.limits.idleTimeoutMs;
    if (ms <= 0 || this.closed) return;
    this.lastActivity = performance.now();
    if (this.idleTimer) return;
    const check = () => {
      const idle = performance.now() - this.lastActivity;
      if (idle >= ms && this.inFlight.size === 0) return this.destroy();
      this.idleTimer = setTimeout(check, Math.max(1, idle >= ms ? ms : ms - idle));
      this.idleTimer.unref();
    };
    this.idleTimer = setTimeout(check, ms);
    this.idleTimer.unref();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.touch();
    try {
      this.parser.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.report(err);
      // a bad frag_length: the byte stream cannot be resynchronised
      this.destroy();
    }
  }

  private send(frame: Buffer): void {
    if (!this.closed && this.stream.writable) this.stream.write(frame);
  }

  private sendFault(callId: number, status: number, didNotExecute: boolean, contextId = 0): void {
    let flags = PFC_FIRST_FRAG | PFC_LAST_FRAG;
    if (didNotExecute) flags |= PFC_DID_NOT_EXECUTE;
    this.send(encodePdu({ type: 'fault', flags, callId, allocHint: 0, contextId, cancelCount: 0, faultFlags: 0, status }));
  }

  /** A protocol error on a request: fault nca_s_proto_error (MS-RPCE §3.3.3.5.7), then drop the connection. */
  private protocolError(callId: number): void {
    this.sendFault(callId, STATUS.nca_s_proto_error, true);
    this.destroy();
  }

  private onFrame(frame: Buffer): void {
    if (this.closed) return;
    let p: DecodedPdu;
    try {
      p = decodePdu(frame);
    } catch (err) {
      this.report(err);
      if (err instanceof FormatError) {
        const ptype = frame[2];
        if (ptype === 11) this.sendBindNak(frame.readUInt32LE(12), BIND_NAK_REASON.protocol_version_not_supported);
        else this.protocolError(frame.readUInt32LE(12));
        this.destroy();
        return;
      }
      throw err;
    }
    switch (p.type) {
      case 'bind':
        return this.onBind(p);
      case 'alter_context':
        return this.onAlterContext(p);
      case 'rpc_auth_3':
        return this.onAuth3(p);
      case 'request':
        return this.onRequest(p);
      case 'co_cancel':
        this.inFlight.get(p.callId)?.abort();
        return;
      case 'orphaned': {
        const c = this.inFlight.get(p.callId);
        if (c) {
          c.orphaned = true;
          c.abort();
        }
        if (this.reassembly?.callId === p.callId) {
          this.reassembly = undefined;
          this.droppedCallId = p.callId;
        }
        return;
      }
      default:
        // server-to-client PDU types (and shutdown) make no sense here
        return this.protocolError(p.callId);
    }
  }

  private sendBindNak(callId: number, reason: number): void {
    this.send(encodePdu({ type: 'bind_nak', flags: 0, callId, rejectReason: reason, versions: [{ major: 5, minor: 0 }] }));
  }

  // --- presentation contexts (MS-RPCE §3.3.1.5.6, §3.3.1.5.3) -------------------------------------

  private negotiateContexts(p: BindPdu): ContextResult[] {
    const results: ContextResult[] = [];
    for (const c of p.contexts) {
      const feature = c.transferSyntaxes.find((t) => t.uuid.startsWith(BIND_TIME_FEATURE_PREFIX));
      if (feature) {
        // the feature bitmask travels in the last 8 bytes of the pseudo syntax UUID; we can keep the
        // connection open after an orphaned PDU, nothing else (MS-RPCE §2.2.2.15)
        const clientBits = parseInt(feature.uuid.slice(19, 21), 16); // first byte of Data4
        results.push({ result: RESULT.negotiate_ack, reason: clientBits & KeepConnectionOnOrphanSupported, transferSyntax: ZERO_SYNTAX });
        continue;
      }
      const iface = this.server.findInterface(c.abstractSyntax.uuid, c.abstractSyntax.version, c.abstractSyntax.minor);
      if (!iface) {
        results.push({ result: RESULT.provider_rejection, reason: PROVIDER_REASON.abstract_syntax_not_supported, transferSyntax: ZERO_SYNTAX });
        continue;
      }
      const ndr = c.transferSyntaxes.some((t) => t.uuid === NDR20_UUID && t.version === NDR20_VERSION);
      const existing = this.contexts.get(c.contextId);
      if (!ndr || (existing && existing !== iface)) {
        // NDR64 and anything else: declined; the client proceeds with the NDR 2.0 context it also offered
        results.push({
          result: RESULT.provider_rejection,
          reason: ndr ? PROVIDER_REASON.reason_not_specified : PROVIDER_REASON.proposed_transfer_syntaxes_not_supported,
          transferSyntax: ZERO_SYNTAX,
        });
        continue;
      }
      this.contexts.set(c.contextId, iface);
      results.push({ result: RESULT.acceptance, reason: 0, transferSyntax: NDR20 });
    }
    return results;
  }

  /** MS-RPCE §3.3.3.5.5: at most 4000 x NumberOfRegisteredInterfaces presentation contexts. */
  private contextRoom(): number {
    return 4000 * Math.max(1, this.server.interfaces().length) - this.contexts.size;
  }

  /** Feeds a security leg; returns the token to send back, or throws. */
  private authLeg(auth: SecTrailer): Buffer | undefined {
    let pending = this.pendingAuth;
    if (!pending) {
      if (this.security) throw new RpcFault(STATUS.nca_s_proto_error); // no security context multiplexing
      if (auth.authLevel < RPC_C_AUTHN_LEVEL_CONNECT || auth.authLevel > RPC_C_AUTHN_LEVEL_PKT_PRIVACY) {
        throw new RpcFault(STATUS.nca_s_unsupported_authn_level);
      }
      const ctx = this.server.options.security?.(auth.authType);
      if (!ctx) throw new RpcFault(STATUS.RPC_S_UNKNOWN_AUTHN_SERVICE);
      pending = { ctx, authType: auth.authType, authLevel: auth.authLevel, authContextId: auth.authContextId };
      this.pendingAuth = pending;
    } else if (auth.authType !== pending.authType || auth.authContextId !== pending.authContextId) {
      throw new RpcFault(STATUS.nca_s_proto_error);
    }
    const step = pending.ctx.step(auth.token.length > 0 ? Buffer.from(auth.token) : undefined);
    if (step.complete) {
      this.security = pending;
      this.pendingAuth = undefined;
    }
    return step.output;
  }

  private ackTrailer(auth: SecTrailer, token: Buffer | undefined): SecTrailer | undefined {
    if (!token || token.length === 0) return undefined;
    return { authType: auth.authType, authLevel: auth.authLevel, authPadLength: 0, authContextId: auth.authContextId, token };
  }

  private onBind(p: BindPdu & DecodedPdu): void {
    if (this.bound) {
      this.sendBindNak(p.callId, BIND_NAK_REASON.reason_not_specified);
      return this.destroy();
    }
    if (p.contexts.length > this.contextRoom()) return this.sendBindNak(p.callId, BIND_NAK_REASON.local_limit_exceeded);
    const group = this.server.joinGroup(this, p.assocGroupId, this.info.clientAddress);
    if (!group) return this.sendBindNak(p.callId, BIND_NAK_REASON.reason_not_specified);
    this.group = group;
    let token: Buffer | undefined;
    if (p.auth) {
      try {
        token = this.authLeg(p.auth);
      } catch (err) {
        this.report(err);
        const unknown = err instanceof RpcFault && err.status === STATUS.RPC_S_UNKNOWN_AUTHN_SERVICE;
        this.sendBindNak(p.callId, unknown ? BIND_NAK_REASON.authentication_type_not_recognized : BIND_NAK_REASON.invalid_checksum);
        return this.destroy();
      }
    }
    this.bound = true;
    const ours = this.server.limits.maxFrag;
    // the client's receive size bounds what we send, its transmit size bounds what it sends us
    this.maxXmitFrag = Math.max(MIN_MAX_FRAG, Math.min(ours, p.maxRecvFrag));
    const maxRecvFrag = Math.max(MIN_MAX_FRAG, Math.min(ours, p.maxXmitFrag));
    this.parser.maxFragLength = Math.max(maxRecvFrag, ours);
    const results = this.negotiateContexts(p);
    let flags = p.flags & PFC_CONC_MPX;
    if (p.auth && p.flags & PFC_SUPPORT_HEADER_SIGN) flags |= PFC_SUPPORT_HEADER_SIGN;
    this.send(
      encodePdu({
        type: 'bind_ack',
        flags,
        callId: p.callId,
        maxXmitFrag: this.maxXmitFrag,
        maxRecvFrag,
        assocGroupId: group.id,
        secAddr: this.info.secAddr ?? '',
        results,
        ...(p.auth ? { auth: this.ackTrailer(p.auth, token) } : {}),
      }),
    );
  }

  private onAlterContext(p: BindPdu & DecodedPdu): void {
    if (!this.bound) return this.protocolError(p.callId);
    if (p.contexts.length > this.contextRoom()) return this.protocolError(p.callId);
    let token: Buffer | undefined;
    if (p.auth) {
      try {
        token = this.authLeg(p.auth);
      } catch (err) {
        this.report(err);
        this.sendFault(p.callId, err instanceof RpcFault ? err.status : STATUS.ERROR_ACCESS_DENIED, true);
        return this.destroy();
      }
    }
    const results = this.negotiateContexts(p);
    let flags = p.flags & PFC_CONC_MPX;
    if (p.auth && p.flags & PFC_SUPPORT_HEADER_SIGN) flags |= PFC_SUPPORT_HEADER_SIGN;
    this.send(
      encodePdu({
        type: 'alter_context_resp',
        flags,
        callId: p.callId,
        maxXmitFrag: this.maxXmitFrag,
        maxRecvFrag: this.parser.maxFragLength,
        assocGroupId: this.group!.id,
        secAddr: '',
        results,
        ...(p.auth ? { auth: this.ackTrailer(p.auth, token) } : {}),
      }),
    );
  }

  private onAuth3(p: DecodedPdu): void {
    // the server never answers rpc_auth_3 (MS-RPCE §3.3.1.5.2.1); a failure shows on the next request
    if (!this.pendingAuth || !p.auth) {
      this.authFailed = true;
      return;
    }
    try {
      this.authLeg(p.auth);
      if (!this.security) this.authFailed = true;
    } catch (err) {
      this.report(err);
      this.authFailed = true;
      this.pendingAuth = undefined;
    }
  }

  // --- requests ------------------------------------------------------------------------------------

  private onRequest(p: RequestPdu & DecodedPdu): void {
    if (!this.bound) return this.protocolError(p.callId);
    if (p.callId === this.droppedCallId && !(p.flags & PFC_FIRST_FRAG)) return;
    if (this.authFailed || this.pendingAuth) {
      this.sendFault(p.callId, STATUS.ERROR_ACCESS_DENIED, true, p.contextId);
      return this.destroy();
    }
    const minLevel = this.server.options.minAuthLevel ?? 0;
    if (minLevel > 0 && (this.security?.authLevel ?? 0) < minLevel) {
      return this.sendFault(p.callId, STATUS.ERROR_ACCESS_DENIED, true, p.contextId);
    }
    try {
      unprotectPdu(p, this.security);
    } catch (err) {
      this.report(err);
      // a PDU that fails verification: the sequence state is lost, so fault and close
      this.sendFault(p.callId, STATUS.RPC_S_SEC_PKG_ERROR, true, p.contextId);
      return this.destroy();
    }
    const limit = this.server.limits.maxRequestStub;
    if (p.flags & PFC_FIRST_FRAG) {
      if (this.reassembly || p.callId <= this.lastCallId) return this.protocolError(p.callId);
      this.lastCallId = p.callId;
      if (p.allocHint > limit) return this.dropCall(p.callId, STATUS.ERROR_ACCESS_DENIED, p.contextId);
      this.reassembly = { callId: p.callId, opnum: p.opnum, contextId: p.contextId, chunks: [], size: 0 };
      if (p.object !== undefined) this.reassembly.object = p.object;
    } else if (!this.reassembly || this.reassembly.callId !== p.callId) {
      // MS-RPCE §3.3.3.5.6: a stray fragment of a recent old call is ignored
      if (!this.reassembly && p.callId < this.lastCallId && this.lastCallId - p.callId < 150) return;
      return this.protocolError(p.callId);
    }
    const r = this.reassembly!;
    if (r.size + p.stub.length > limit) return this.dropCall(p.callId, STATUS.ERROR_ACCESS_DENIED, p.contextId);
    // a single-fragment call uses the frame's bytes (the parser hands each frame over as its own);
    // fragments are copied, so that a long call does not pin every frame it came in
    r.chunks.push(p.flags & PFC_FIRST_FRAG && p.flags & PFC_LAST_FRAG ? p.stub : Buffer.from(p.stub));
    r.size += p.stub.length;
    if (!(p.flags & PFC_LAST_FRAG)) return;
    this.reassembly = undefined;
    let stub = r.chunks.length === 1 ? r.chunks[0]! : Buffer.concat(r.chunks, r.size);
    const vt = splitVerificationTrailer(stub);
    if (vt) {
      // MS-RPCE §2.2.2.13: a must-process command we cannot process rejects the call with status 5
      if (vt.unknownMustProcess) return this.sendFault(r.callId, STATUS.ERROR_ACCESS_DENIED, true, r.contextId);
      stub = vt.stub;
    }
    this.dispatch(r, stub);
  }

  private dropCall(callId: number, status: number, contextId: number): void {
    this.reassembly = undefined;
    this.droppedCallId = callId;
    this.sendFault(callId, status, true, contextId);
  }

  private identity(): CallIdentity {
    // one object per connection (handlers may cache per identity), until the security context changes
    if (this.callIdentity && this.identityFor === this.security) return this.callIdentity;
    this.identityFor = this.security;
    return (this.callIdentity = this.buildIdentity());
  }

  private buildIdentity(): CallIdentity {
    const id = this.security?.ctx.identity ?? (this.security ? undefined : this.info.identity);
    if (!id) return { user: '', domain: '', groups: [], privileges: [], anonymous: true, source: 'none' };
    const acct = id.account;
    return {
      user: id.user,
      domain: id.domain,
      ...(acct?.sid ? { sid: acct.sid } : {}),
      groups: acct?.groups ?? [],
      privileges: acct?.privileges ?? [],
      anonymous: id.anonymous,
      source: this.security ? 'rpc' : 'transport',
    };
  }

  private dispatch(r: Reassembly, stub: Buffer): void {
    const iface = this.contexts.get(r.contextId);
    if (!iface) return this.sendFault(r.callId, STATUS.nca_s_unk_if, true, r.contextId);
    const handler = iface.opnums[r.opnum];
    if (!handler) return this.sendFault(r.callId, STATUS.nca_s_op_rng_error, true, r.contextId);
    if (this.inFlight.size >= this.server.limits.maxCallsInFlight) {
      return this.sendFault(r.callId, STATUS.RPC_S_SERVER_TOO_BUSY, true, r.contextId);
    }
    const call = new ServerCall(r, iface, this.identity(), this.security?.authLevel ?? 0, this.group!.handles,
      this.security ? this.security.ctx.sessionKey : this.info.sessionKey, this.info.clientAddress);
    this.inFlight.set(r.callId, call);
    let result: Promise<Buffer>;
    try {
      result = Promise.resolve(handler(stub, call));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (out) => {
        this.inFlight.delete(r.callId);
        if (!call.orphaned && Buffer.isBuffer(out)) this.sendResponse(r.callId, r.contextId, out);
        else if (!call.orphaned) this.sendFault(r.callId, STATUS.nca_s_fault_unspec, false, r.contextId);
      },
      (err: unknown) => {
        this.inFlight.delete(r.callId);
        if (!call.orphaned) this.sendFault(r.callId, faultStatus(err, call.aborted), false, r.contextId);
      },
    );
  }

  private sendResponse(callId: number, contextId: number, stub: Buffer): void {
    if (this.closed) return;
    const per = maxStubPerFragment(this.maxXmitFrag, 24, this.security);
    for (const f of splitStub(stub, per)) {
      const built = encodeResponse({
        type: 'response',
        flags: f.flags,
        callId,
        allocHint: f.allocHint,
        contextId,
        cancelCount: 0,
        stub: f.data,
        ...(trailerFor(this.security) ? { auth: trailerFor(this.security)! } : {}),
      });
      this.send(protectFrame(built, this.security));
    }
  }
}

/** One call being executed. Its AbortSignal is only made when a handler asks for it: most never do. */
class ServerCall implements CallContext {
  readonly opnum: number;
  readonly callId: number;
  readonly object: string | undefined;
  orphaned = false;
  aborted = false;
  private controller: AbortController | undefined;
  constructor(
    r: Reassembly,
    readonly iface: RpcInterface,
    readonly identity: CallIdentity,
    readonly authLevel: number,
    readonly handles: AssociationGroup['handles'],
    readonly sessionKey: Buffer | undefined,
    readonly clientAddress: string | undefined,
  ) {
    this.opnum = r.opnum;
    this.callId = r.callId;
    this.object = r.object;
  }
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }
  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

/** The fault status for an error a handler threw. */
export function faultStatus(err: unknown, cancelled: boolean): number {
  if (err instanceof RpcFault) return err.status;
  if (cancelled) return STATUS.nca_s_fault_cancel;
  // errors that know their fault (the NDR layer's NdrError carries faultStatus = 0x6F7)
  const own = (err as { faultStatus?: unknown } | null)?.faultStatus;
  if (typeof own === 'number' && own !== 0) return own >>> 0;
  // a stub that does not decode (NDR layer errors, FormatError): MS-RPCE §3.1.3.5.2
  if (err instanceof FormatError) return STATUS.RPC_X_BAD_STUB_DATA;
  if (err instanceof HivewireError && /NDR/i.test(err.code)) return STATUS.RPC_X_BAD_STUB_DATA;
  if (err instanceof RangeError) return STATUS.RPC_X_BAD_STUB_DATA;
  return STATUS.nca_s_fault_unspec;
}
