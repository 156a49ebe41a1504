// One client connection of the SMB2 server: framing, negotiate, sessions, IPC$ tree connects and
// named-pipe opens (MS-SMB2 §3.3.5). Anything malformed is answered with an error status, or, when
// the framing itself is broken, ends this connection only.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { SecurityContext } from '../auth/types.js';
import { HivewireError } from '../util/errors.js';
import { fileTime } from './bytes.js';
import * as C from './constants.js';
import { Cipher, NonceSource, SUPPORTED_CIPHERS, decryptMessage, encryptMessage } from './encryption.js';
import { FrameParser, writeFrame } from './framer.js';
import * as M from './messages/index.js';
import type { Smb2Header } from './messages/header.js';
import { ServerPipe, pipeKey, type PipeHandler, type PipeInfo } from './pipe.js';
import { closeShareFile, openShareFile, readShareFile, type ReadOnlyShare, type ShareFile } from './server-share.js';
import { PREAUTH_ZERO, deriveSessionKeys, preauthUpdate, signMessage, verifyMessage, type SessionKeys, type SigningAlgorithmName } from './signing.js';
import { NtStatus as S, isNtError } from './status.js';

/** What a connection needs from its server (settings and the pipe registry). */
export interface ServerContext {
  serverGuid: Buffer;
  dialects: readonly number[];
  requireSigning: boolean;
  /** 'off': never; 'enabled': answer encrypted requests encrypted; 'required': every session must encrypt. */
  encryption: 'off' | 'enabled' | 'required';
  maxReadSize: number;
  maxWriteSize: number;
  maxTransactSize: number;
  maxFrameSize: number;
  maxCredits: number;
  maxAsyncRequests: number;
  maxOpens: number;
  maxSessions: number;
  idleTimeoutMs: number;
  partialFrameTimeoutMs: number;
  /** A new acceptor (SPNEGO over NTLM) for one session setup exchange. */
  createAcceptor(): SecurityContext;
  /** The GSS token of the NEGOTIATE response (SPNEGO NegTokenInit2), or empty. */
  negotiateToken(): Buffer;
  findPipe(key: string): { name: string; handler: PipeHandler } | undefined;
  /** A read-only disk share by name (upper case), if the server offers one. */
  findShare(name: string): ReadOnlyShare | undefined;
  onError(err: unknown): void;
}

interface Session {
  id: bigint;
  valid: boolean;
  ctx: SecurityContext | null;
  preauth: Buffer | null;
  keys: SessionKeys | null;
  signingRequired: boolean;
  /** Session.EncryptData: requests must come encrypted. */
  encryptData: boolean;
  info: Omit<PipeInfo, 'pipeName'> | null;
  trees: Map<number, Tree>;
}

interface Tree {
  id: number;
  session: Session;
  opens: Map<string, Open>;
  /** Set for a tree connected to a read-only disk share; its opens are files. */
  share?: ReadOnlyShare;
  files?: Map<string, { fileId: Buffer; file: ShareFile }>;
}

interface Open {
  key: string;
  fileId: Buffer;
  tree: Tree;
  pipe: ServerPipe;
  pending: Set<Pending>;
}

/** A request answered later: a READ or TRANSCEIVE waiting for the RPC server to write. */
interface Pending {
  messageId: bigint;
  asyncId: bigint;
  interimSent: boolean;
  hdr: Smb2Header;
  signed: boolean;
  session: Session;
  /** The session whose keys encrypted the request (its answer is encrypted too). */
  enc: Session | null;
  open: Open | null;
  /** performance.now() when it was parked, for the interim response (§3.3.4.2). */
  parkedAt: number;
  req: Req;
  settle(status: number, body: Buffer): void;
  cancel(status: number): void;
}

/** One response of a (possibly compound) reply, with how to sign it. */
interface Out {
  msg: Buffer;
  signWith: { key: Buffer; algorithm: SigningAlgorithmName } | null;
}

/** A request after its header was checked: what related operations inherit (§3.3.5.2.7.2). */
interface Req {
  hdr: Smb2Header;
  msg: Buffer;
  signed: boolean;
  session: Session | null;
  compound: boolean;
  /** Set when the request came inside a TRANSFORM_HEADER of this session. */
  enc: Session | null;
}

class Status extends Error {
  constructor(readonly status: number) {
    super(`0x${status.toString(16)}`);
  }
}
const failWith = (status: number): never => {
  throw new Status(status);
};

/** MS-FSCC §2.6: the attribute a file of a read-only share shows. */
const FILE_ATTRIBUTE_READONLY = 0x00000001;

/** A READ or TRANSCEIVE parked this long gets its interim STATUS_PENDING response. */
const INTERIM_AFTER_MS = 20;

/** Bytes of answers waiting in the socket before the connection stops reading requests. */
const WRITE_BUFFER_LIMIT = 8 * 1024 * 1024;
const ZERO_FILE_TIME = 0n;
const PIPE_FILE_ATTRIBUTES = C.FILE_ATTRIBUTE_NORMAL;

export class ServerConnection {
  readonly clientAddress: string;
  private readonly socket: Socket;
  private readonly srv: ServerContext;
  private readonly parser: FrameParser;
  private closed = false;
  /** Whether the socket timeout is the short one for a frame left half-sent. */
  private partialTimeout = false;

  // §3.3.1.7 connection state
  private negotiateDialect = 0xffff;
  private dialect = 0;
  private clientGuid = Buffer.alloc(16);
  private clientCapabilities = 0;
  private clientSecurityMode = 0;
  private shouldSign = false;
  private signingAlgorithm: SigningAlgorithmName | null = null;
  private preauth: Buffer | null = null;
  private serverCapabilities = 0;
  private serverSecurityMode = 0;
  private supportsMultiCredit = false;
  /** Connection.CipherId: 0 = no encryption. */
  private cipherId = 0;
  private readonly nonces = new NonceSource();

  // command sequence window (§3.3.1.1): ids in [seqLow, seqHigh) minus `used` may be sent
  private seqLow = 0n;
  private seqHigh = 1n;
  private readonly used = new Set<bigint>();

  private readonly sessions = new Map<bigint, Session>();
  private readonly pending = new Set<Pending>();
  private nextAsyncId = 1n;
  private nextTreeId = 1;
  private nextVolatile = 1n;
  private openCount = 0;

  constructor(socket: Socket, srv: ServerContext) {
    this.socket = socket;
    this.srv = srv;
    this.clientAddress = socket.remoteAddress ?? '';
    this.parser = new FrameParser(srv.maxFrameSize);
    socket.setNoDelay(true);
    socket.setTimeout(srv.idleTimeoutMs);
    socket.on('timeout', () => this.close());
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.interimTimer) clearTimeout(this.interimTimer);
    for (const p of [...this.pending]) p.cancel(S.STATUS_CANCELLED);
    for (const s of this.sessions.values()) this.dropSession(s);
    this.sessions.clear();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    // answers to all the frames of one chunk leave in one write
    this.socket.cork();
    try {
      this.parser.parse(chunk, (frame) => {
        if (!this.closed) this.onFrame(frame);
      });
    } catch (err) {
      this.socket.uncork();
      // broken framing: nothing after this point can be trusted
      this.close();
      return;
    }
    this.socket.uncork();
    // half a frame then silence must not hold the connection for the full idle timeout
    const partial = this.parser.partial;
    if (partial !== this.partialTimeout) {
      this.partialTimeout = partial;
      this.socket.setTimeout(partial ? this.srv.partialFrameTimeoutMs : this.srv.idleTimeoutMs);
    }
  }

  private onFrame(frame: Buffer): void {
    if (M.isSmb1(frame)) {
      this.onSmb1Negotiate(frame);
      return;
    }
    let enc: Session | null = null;
    if (M.isTransform(frame)) {
      // §3.3.5.2.1.1: decrypt with the session's key; anything wrong ends the connection
      try {
        const th = M.decodeTransformHeader(frame);
        const s = this.sessions.get(th.sessionId);
        if (!s || !s.keys?.c2sKey || this.cipherId === 0) throw new Error('no session key to decrypt with');
        frame = decryptMessage(frame, s.keys.c2sKey, this.cipherId);
        enc = s;
      } catch {
        this.close();
        return;
      }
      if (M.isTransform(frame) || M.isSmb1(frame)) {
        this.close();
        return;
      }
    }
    let messages: Buffer[];
    try {
      messages = M.splitCompound(frame);
    } catch {
      this.close();
      return;
    }
    const out: Out[] = [];
    let prev: Req | null = null;
    let prevStatus = 0;
    let prevFileId: Buffer | null = null;
    const compound = messages.length > 1;
    for (const msg of messages) {
      let hdr: Smb2Header;
      try {
        hdr = M.decodeHeader(msg);
      } catch {
        this.close();
        return;
      }
      if (hdr.flags & C.SMB2_FLAGS_SERVER_TO_REDIR) {
        this.close();
        return;
      }
      if (this.negotiateDialect === 0xffff && hdr.command !== C.Smb2Command.NEGOTIATE) {
        this.close(); // §3.3.5.2: nothing but NEGOTIATE before a dialect is chosen
        return;
      }
      if (hdr.command === C.Smb2Command.CANCEL) {
        this.onCancel(hdr);
        continue;
      }
      if (!this.consumeSequence(hdr)) {
        this.close();
        return;
      }
      const related = (hdr.flags & C.SMB2_FLAGS_RELATED_OPERATIONS) !== 0 && prev !== null;
      const req: Req = { hdr, msg, signed: (hdr.flags & C.SMB2_FLAGS_SIGNED) !== 0, session: null, compound, enc };
      if (related) {
        hdr.sessionId = prev!.hdr.sessionId;
        hdr.treeId = prev!.hdr.treeId;
      }
      let response: Out | null;
      if (related && isNtError(prevStatus)) {
        // §3.3.5.2.7.2: a related request after a failed one fails the same way
        response = this.errorOut(req, prevStatus);
      } else {
        response = this.dispatch(req, related ? prevFileId : null);
      }
      if (this.closed) return;
      if (response) {
        out.push(response);
        prevStatus = response.msg.readUInt32LE(8);
      }
      const fid = this.lastFileId;
      if (fid) prevFileId = fid;
      prev = req;
    }
    this.send(out, enc);
  }

  /** FileId that the last dispatched request created or used, for related compounds. */
  private lastFileId: Buffer | null = null;

  // --- sequence numbers and credits (§3.3.1.1, §3.3.1.2, §3.3.5.2.3) ---

  private consumeSequence(hdr: Smb2Header): boolean {
    const charge = this.supportsMultiCredit ? BigInt(Math.max(1, hdr.creditCharge)) : 1n;
    const first = hdr.messageId;
    if (first < this.seqLow || first + charge > this.seqHigh) return false;
    // the usual case, requests in order one credit at a time: no bookkeeping in `used`
    if (first === this.seqLow && this.used.size === 0) {
      this.seqLow += charge;
      return true;
    }
    for (let id = first; id < first + charge; id++) if (this.used.has(id)) return false;
    for (let id = first; id < first + charge; id++) this.used.add(id);
    while (this.used.has(this.seqLow)) {
      this.used.delete(this.seqLow);
      this.seqLow++;
    }
    return true;
  }

  /** Credits to grant with a response to `hdr` (§3.3.4.1.2): what was asked, within our window. */
  private grant(hdr: Smb2Header): number {
    const window = this.seqHigh - this.seqLow;
    const held = Number(window) - this.used.size;
    const room = this.srv.maxCredits - Number(window);
    let g = Math.min(Math.max(hdr.credits, 1), Math.max(room, 0));
    if (held + g < 1) g = 1;
    this.seqHigh += BigInt(g);
    return g;
  }

  // --- responses ---

  private responseHeader(req: Req, status: number, credits: number): Smb2Header {
    const h = req.hdr;
    return M.header({
      command: h.command,
      status,
      creditCharge: h.creditCharge,
      credits,
      flags: C.SMB2_FLAGS_SERVER_TO_REDIR | (h.flags & C.SMB2_FLAGS_RELATED_OPERATIONS),
      messageId: h.messageId,
      treeId: h.treeId,
      sessionId: h.sessionId,
    });
  }

  private signer(req: Req, session: Session | null): Out['signWith'] {
    if (req.enc) return null; // §3.3.4.1.1: encrypted responses carry no signature
    const s = session ?? req.session;
    if (!s || !s.keys || !s.valid) return null;
    if (!req.signed && !s.signingRequired) return null;
    return { key: s.keys.signingKey, algorithm: this.signingAlgorithm ?? s.keys.algorithm };
  }

  private out(req: Req, status: number, body: Buffer, session: Session | null = null): Out {
    const msg = M.encodeMessage(this.responseHeader(req, status, this.grant(req.hdr)), body);
    return { msg, signWith: this.signer(req, session) };
  }

  private errorOut(req: Req, status: number): Out {
    return this.out(req, status, M.encodeErrorResponse());
  }

  private send(out: Out[], enc: Session | null = null): void {
    if (out.length === 0 || this.closed) return;
    const payload = M.joinCompound(out.map((o) => o.msg));
    if (enc && enc.keys?.s2cKey) {
      writeFrame(this.socket, encryptMessage(payload, enc.keys.s2cKey, this.cipherId, enc.id, this.nonces));
      this.backpressure();
      return;
    }
    if (out.some((o) => o.signWith)) {
      let offset = 0;
      for (let i = 0; i < out.length; i++) {
        const len = i < out.length - 1 ? payload.readUInt32LE(offset + 20) : payload.length - offset;
        const s = out[i]!.signWith;
        if (s) signMessage(payload.subarray(offset, offset + len), s.key, s.algorithm);
        offset += len;
      }
    }
    writeFrame(this.socket, payload);
    this.backpressure();
  }

  /** A client that sends requests but does not read the answers stops being read from. */
  private backpressure(): void {
    if (this.socket.writableLength > WRITE_BUFFER_LIMIT && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once('drain', () => {
        if (!this.closed) this.socket.resume();
      });
    }
  }

  // --- dispatch ---

  private dispatch(req: Req, relatedFileId: Buffer | null): Out | null {
    this.lastFileId = null;
    const { hdr } = req;
    try {
      if (hdr.command === C.Smb2Command.NEGOTIATE) return this.onNegotiate(req);
      this.checkSignature(req);
      switch (hdr.command) {
        case C.Smb2Command.SESSION_SETUP: return this.onSessionSetup(req);
        case C.Smb2Command.ECHO:
          M.decodeSimple(req.msg, 'ECHO request');
          return this.out(req, 0, M.encodeEcho());
      }
      const session = this.validSession(req);
      switch (hdr.command) {
        case C.Smb2Command.LOGOFF: return this.onLogoff(req, session);
        case C.Smb2Command.TREE_CONNECT: return this.onTreeConnect(req, session);
      }
      const tree = session.trees.get(hdr.treeId) ?? failWith(S.STATUS_NETWORK_NAME_DELETED);
      if (tree.share) {
        switch (hdr.command) {
          case C.Smb2Command.CREATE: return this.onCreateFile(req, tree);
          case C.Smb2Command.CLOSE: return this.onCloseFile(req, tree, relatedFileId);
          case C.Smb2Command.READ: return this.onReadFile(req, tree, relatedFileId);
          case C.Smb2Command.QUERY_INFO: return this.onQueryFile(req, tree, relatedFileId);
          case C.Smb2Command.WRITE:
          case C.Smb2Command.SET_INFO:
          case C.Smb2Command.QUERY_DIRECTORY:
            return this.errorOut(req, S.STATUS_ACCESS_DENIED);
        }
      }
      switch (hdr.command) {
        case C.Smb2Command.TREE_DISCONNECT: return this.onTreeDisconnect(req, tree);
        case C.Smb2Command.CREATE: return this.onCreate(req, tree);
        case C.Smb2Command.CLOSE: return this.onClose(req, tree, relatedFileId);
        case C.Smb2Command.READ: return this.onRead(req, tree, relatedFileId);
        case C.Smb2Command.WRITE: return this.onWrite(req, tree, relatedFileId);
        case C.Smb2Command.IOCTL: return this.onIoctl(req, tree, relatedFileId);
        case C.Smb2Command.QUERY_INFO: return this.onQueryInfo(req, tree, relatedFileId);
        case C.Smb2Command.SET_INFO: return this.onSetInfo(req, tree, relatedFileId);
        case C.Smb2Command.FLUSH:
        case C.Smb2Command.LOCK:
        case C.Smb2Command.QUERY_DIRECTORY:
        case C.Smb2Command.CHANGE_NOTIFY:
        case C.Smb2Command.OPLOCK_BREAK:
          return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
        default:
          return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
      }
    } catch (err) {
      if (err instanceof Status) return this.errorOut(req, err.status);
      if (err instanceof HivewireError && err.code === 'ERR_FORMAT') return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
      this.srv.onError(err);
      return this.errorOut(req, S.STATUS_INTERNAL_ERROR);
    }
  }

  /** §3.3.5.2.4 */
  private checkSignature(req: Req): void {
    const { hdr } = req;
    const session = hdr.sessionId ? this.sessions.get(hdr.sessionId) ?? null : null;
    req.session = session;
    if (req.enc) {
      // §3.3.5.2.4: a message that decrypted needs no signature; it must belong to the decrypting session
      if (session !== req.enc) failWith(S.STATUS_ACCESS_DENIED);
      return;
    }
    if (session && session.valid && session.encryptData && hdr.command !== C.Smb2Command.SESSION_SETUP) {
      failWith(S.STATUS_ACCESS_DENIED); // §3.3.5.2.9: this session only talks encrypted
    }
    if (req.signed) {
      if (!session) failWith(S.STATUS_USER_SESSION_DELETED);
      if (!session!.keys) failWith(S.STATUS_NOT_SUPPORTED);
      const algorithm = this.signingAlgorithm ?? session!.keys!.algorithm;
      if (!verifyMessage(req.msg, session!.keys!.signingKey, algorithm)) {
        req.signed = false; // never sign an answer to a forged request
        req.session = null;
        failWith(S.STATUS_ACCESS_DENIED);
      }
    } else if (session && session.valid && session.signingRequired && hdr.command !== C.Smb2Command.SESSION_SETUP) {
      failWith(S.STATUS_ACCESS_DENIED);
    }
  }

  private validSession(req: Req): Session {
    const s = req.session;
    if (!s || !s.valid) failWith(S.STATUS_USER_SESSION_DELETED);
    return s!;
  }

  // --- NEGOTIATE (§3.3.5.3, §3.3.5.4) ---

  private onSmb1Negotiate(frame: Buffer): void {
    if (this.negotiateDialect !== 0xffff) {
      this.close();
      return;
    }
    let dialects: string[];
    try {
      dialects = M.decodeSmb1Negotiate(frame).dialects;
    } catch {
      this.close();
      return;
    }
    // §3.3.5.2.3: MessageId 0 is taken by the SMB1 negotiate
    this.used.add(0n);
    this.seqLow = 1n;
    const supports2x = this.srv.dialects.some((d) => d !== C.Dialect.SMB202);
    let dialect: number;
    if (supports2x && dialects.includes('SMB 2.???')) {
      dialect = C.Dialect.SMB2_WILDCARD;
      this.supportsMultiCredit = true;
    } else if (this.srv.dialects.includes(C.Dialect.SMB202) && dialects.includes('SMB 2.002')) {
      dialect = C.Dialect.SMB202;
      this.dialect = C.Dialect.SMB202;
    } else {
      this.close();
      return;
    }
    this.negotiateDialect = dialect;
    const req: Req = { hdr: M.header({ command: C.Smb2Command.NEGOTIATE, credits: 1 }), msg: frame, signed: false, session: null, compound: false, enc: null };
    this.setServerModes(dialect);
    const body = this.negotiateResponseBody(dialect, []);
    this.send([this.out(req, 0, body)]);
  }

  private setServerModes(dialect: number): void {
    this.serverSecurityMode = C.SMB2_NEGOTIATE_SIGNING_ENABLED | (this.srv.requireSigning ? C.SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
    this.serverCapabilities = dialect !== C.Dialect.SMB202 ? C.SMB2_GLOBAL_CAP_LARGE_MTU : 0;
  }

  private negotiateResponseBody(dialect: number, contexts: M.NegotiateContext[]): Buffer {
    const small = dialect === C.Dialect.SMB202;
    return M.encodeNegotiateResponse({
      securityMode: this.serverSecurityMode,
      dialectRevision: dialect,
      serverGuid: this.srv.serverGuid,
      capabilities: this.serverCapabilities,
      maxTransactSize: small ? Math.min(65536, this.srv.maxTransactSize) : this.srv.maxTransactSize,
      maxReadSize: small ? Math.min(65536, this.srv.maxReadSize) : this.srv.maxReadSize,
      maxWriteSize: small ? Math.min(65536, this.srv.maxWriteSize) : this.srv.maxWriteSize,
      systemTime: fileTime(Date.now()),
      serverStartTime: 0n,
      securityBuffer: this.srv.negotiateToken(),
      negotiateContexts: contexts,
    });
  }

  private onNegotiate(req: Req): Out | null {
    if (this.negotiateDialect !== 0xffff && this.negotiateDialect !== C.Dialect.SMB2_WILDCARD) {
      this.close(); // §3.3.5.4: a second NEGOTIATE ends the connection
      return null;
    }
    if (req.signed) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
    const r = M.decodeNegotiateRequest(req.msg);
    this.clientCapabilities = r.capabilities;
    this.clientSecurityMode = r.securityMode;
    this.clientGuid = Buffer.from(r.clientGuid);
    if (r.securityMode & C.SMB2_NEGOTIATE_SIGNING_REQUIRED) this.shouldSign = true;
    let dialect = 0;
    for (const d of r.dialects) if (this.srv.dialects.includes(d) && d > dialect) dialect = d;
    if (!dialect) return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
    const contexts: M.NegotiateContext[] = [];
    if (dialect === C.Dialect.SMB311) {
      const byType = (t: number) => r.negotiateContexts.filter((c) => c.contextType === t);
      const preauth = byType(C.SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
      if (preauth.length !== 1) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
      for (const t of [C.SMB2_ENCRYPTION_CAPABILITIES, C.SMB2_COMPRESSION_CAPABILITIES, C.SMB2_SIGNING_CAPABILITIES]) {
        if (byType(t).length > 1) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
      }
      const pi = M.decodePreauthIntegrity(preauth[0]!.data);
      if (!pi.hashAlgorithms.includes(C.HASH_SHA512)) return this.errorOut(req, S.STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP);
      contexts.push(M.encodePreauthIntegrity({ hashAlgorithms: [C.HASH_SHA512], salt: randomBytes(32) }));
      const enc = byType(C.SMB2_ENCRYPTION_CAPABILITIES)[0];
      if (enc) {
        const offered = M.decodeEncryptionCapabilities(enc.data);
        // the client's order is its preference; 0 = "no common cipher" (§3.3.5.4)
        this.cipherId = this.srv.encryption === 'off' ? 0 : offered.find((c) => SUPPORTED_CIPHERS.includes(c)) ?? 0;
        contexts.push(M.encodeEncryptionCapabilities([this.cipherId]));
      }
      const sig = byType(C.SMB2_SIGNING_CAPABILITIES)[0];
      this.signingAlgorithm = 'aes-cmac';
      if (sig) {
        const offered = M.decodeSigningCapabilities(sig.data);
        const pick = offered.find((a) => a === C.SigningAlgorithm.AES_CMAC || a === C.SigningAlgorithm.HMAC_SHA256) ?? C.SigningAlgorithm.AES_CMAC;
        this.signingAlgorithm = pick === C.SigningAlgorithm.HMAC_SHA256 ? 'hmac-sha256' : 'aes-cmac';
        contexts.push(M.encodeSigningCapabilities([pick]));
      }
    }
    this.dialect = dialect;
    this.negotiateDialect = dialect;
    this.supportsMultiCredit = dialect !== C.Dialect.SMB202;
    this.setServerModes(dialect);
    if ((dialect === C.Dialect.SMB300 || dialect === C.Dialect.SMB302) && this.srv.encryption !== 'off' && r.capabilities & C.SMB2_GLOBAL_CAP_ENCRYPTION) {
      this.serverCapabilities |= C.SMB2_GLOBAL_CAP_ENCRYPTION; // 3.0.x: AES-128-CCM only
      this.cipherId = Cipher.AES_128_CCM;
    }
    const out = this.out(req, 0, this.negotiateResponseBody(dialect, contexts));
    if (dialect === C.Dialect.SMB311) this.preauth = preauthUpdate(preauthUpdate(PREAUTH_ZERO, req.msg), out.msg);
    return out;
  }

  // --- SESSION_SETUP (§3.3.5.5) ---

  private onSessionSetup(req: Req): Out {
    if (this.dialect === 0) return this.errorOut(req, S.STATUS_INVALID_PARAMETER); // after 0x02FF, before the real negotiate
    const r = M.decodeSessionSetupRequest(req.msg);
    if (r.flags & C.SMB2_SESSION_FLAG_BINDING) return this.errorOut(req, S.STATUS_REQUEST_NOT_ACCEPTED);
    let session: Session;
    if (req.hdr.sessionId === 0n) {
      if (this.sessions.size >= this.srv.maxSessions) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
      let id: bigint;
      do id = randomBytes(8).readBigUInt64LE(0) & 0x7fffffffffffffffn; while (id === 0n || this.sessions.has(id));
      session = { id, valid: false, ctx: null, preauth: this.preauth, keys: null, signingRequired: false, encryptData: false, info: null, trees: new Map() };
      this.sessions.set(id, session);
      req.hdr.sessionId = id;
    } else {
      const found = this.sessions.get(req.hdr.sessionId);
      if (!found) return this.errorOut(req, S.STATUS_USER_SESSION_DELETED);
      if (found.valid) return this.errorOut(req, S.STATUS_REQUEST_NOT_ACCEPTED); // no re-authentication
      session = found;
    }
    req.session = session;
    if (this.dialect === C.Dialect.SMB311) session.preauth = preauthUpdate(session.preauth!, req.msg);
    let step;
    try {
      session.ctx ??= this.srv.createAcceptor();
      step = session.ctx.step(r.securityBuffer);
    } catch (err) {
      this.sessions.delete(session.id);
      const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : S.STATUS_LOGON_FAILURE;
      if (!(err instanceof HivewireError)) this.srv.onError(err);
      return this.errorOut(req, status);
    }
    if (!step.complete) {
      const out = this.out(req, S.STATUS_MORE_PROCESSING_REQUIRED, M.encodeSessionSetupResponse({ sessionFlags: 0, securityBuffer: step.output ?? Buffer.alloc(0) }));
      if (this.dialect === C.Dialect.SMB311) session.preauth = preauthUpdate(session.preauth!, out.msg);
      return out;
    }
    const ctx = session.ctx;
    const identity = ctx.identity ?? { user: '', domain: '', anonymous: true };
    const guest = !identity.anonymous && !identity.account && identity.user.toLowerCase() === 'guest';
    let sessionFlags = 0;
    if (identity.anonymous) sessionFlags |= C.SMB2_SESSION_FLAG_IS_NULL;
    else if (guest) sessionFlags |= C.SMB2_SESSION_FLAG_IS_GUEST;
    session.signingRequired =
      (r.securityMode & C.SMB2_NEGOTIATE_SIGNING_REQUIRED) !== 0 ||
      (!guest && !identity.anonymous && (this.shouldSign || this.srv.requireSigning));
    if (identity.anonymous) session.signingRequired = false;
    let keys: SessionKeys | null = null;
    if (!identity.anonymous && !guest) {
      keys = deriveSessionKeys(this.dialect, ctx.sessionKey, session.preauth ?? undefined);
    }
    if (this.srv.encryption === 'required') {
      if (!keys || this.cipherId === 0) {
        this.sessions.delete(session.id);
        return this.errorOut(req, S.STATUS_ACCESS_DENIED); // §3.3.5.5.3: the client cannot encrypt
      }
      session.encryptData = true;
      sessionFlags |= C.SMB2_SESSION_FLAG_ENCRYPT_DATA;
    }
    session.keys = keys;
    session.valid = true;
    session.ctx = null;
    session.info = {
      identity,
      sessionKey: keys?.sessionKey ?? Buffer.alloc(16),
      applicationKey: keys?.applicationKey ?? Buffer.alloc(16),
      clientAddress: this.clientAddress,
      dialect: this.dialect,
    };
    const out = this.out(req, 0, M.encodeSessionSetupResponse({ sessionFlags, securityBuffer: step.output ?? Buffer.alloc(0) }));
    // §3.3.5.5.3: the final response is signed with the new key so the client can check the exchange
    if (keys) out.signWith = { key: keys.signingKey, algorithm: this.signingAlgorithm ?? keys.algorithm };
    return out;
  }

  private onLogoff(req: Req, session: Session): Out {
    M.decodeSimple(req.msg, 'LOGOFF request');
    const out = this.out(req, 0, M.encodeLogoff(), session);
    this.dropSession(session);
    this.sessions.delete(session.id);
    return out;
  }

  private dropSession(session: Session): void {
    for (const t of session.trees.values()) this.dropTree(t);
    session.trees.clear();
    session.valid = false;
  }

  // --- trees (§3.3.5.7, §3.3.5.8) ---

  private onTreeConnect(req: Req, session: Session): Out {
    const r = M.decodeTreeConnectRequest(req.msg);
    const parts = r.path.split('\\').filter((p) => p.length > 0);
    const share = parts.length >= 2 ? parts[parts.length - 1]!.toUpperCase() : '';
    if (share !== 'IPC$') return this.onTreeConnectShare(req, session, share);
    if (session.trees.size >= 64) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
    const id = this.nextTreeId++;
    session.trees.set(id, { id, session, opens: new Map() });
    req.hdr.treeId = id;
    return this.out(req, 0, M.encodeTreeConnectResponse({
      shareType: C.SMB2_SHARE_TYPE_PIPE,
      shareFlags: 0x00000030, // SMB2_SHAREFLAG_NO_CACHING: pipes are never cached
      capabilities: 0,
      maximalAccess: 0x001f01ff,
    }));
  }

  private onTreeConnectShare(req: Req, session: Session, name: string): Out {
    const share = this.srv.findShare(name);
    if (!share) return this.errorOut(req, S.STATUS_BAD_NETWORK_NAME);
    if (!session.info || !share.allow(session.info.identity)) return this.errorOut(req, S.STATUS_ACCESS_DENIED);
    if (session.trees.size >= 64) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
    const id = this.nextTreeId++;
    session.trees.set(id, { id, session, opens: new Map(), share, files: new Map() });
    req.hdr.treeId = id;
    return this.out(req, 0, M.encodeTreeConnectResponse({
      shareType: C.SMB2_SHARE_TYPE_DISK,
      shareFlags: 0,
      capabilities: 0,
      maximalAccess: 0x00120089, // FILE_GENERIC_READ: nothing else is ever granted here
    }));
  }

  private onTreeDisconnect(req: Req, tree: Tree): Out {
    M.decodeSimple(req.msg, 'TREE_DISCONNECT request');
    this.dropTree(tree);
    tree.session.trees.delete(tree.id);
    return this.out(req, 0, M.encodeTreeDisconnect());
  }

  private dropTree(tree: Tree): void {
    for (const o of tree.opens.values()) this.dropOpen(o);
    tree.opens.clear();
    if (tree.files) {
      for (const f of tree.files.values()) closeShareFile(f.file);
      this.openCount -= tree.files.size;
      tree.files.clear();
    }
  }

  // --- files of a read-only disk share (server-share.ts) ---

  private onCreateFile(req: Req, tree: Tree): Out {
    const r = M.decodeCreateRequest(req.msg);
    if (r.impersonationLevel > C.ImpersonationLevel.Delegate) return this.errorOut(req, S.STATUS_BAD_IMPERSONATION_LEVEL);
    if (this.openCount >= this.srv.maxOpens) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
    const file = openShareFile(tree.share!, r.name, r.desiredAccess, r.createDisposition, r.createOptions);
    if (typeof file === 'number') return this.errorOut(req, file);
    const fileId = this.newFileId();
    tree.files!.set(fileId.toString('hex'), { fileId, file });
    this.openCount++;
    this.lastFileId = fileId;
    const size = BigInt(file.size);
    return this.opened(req, fileId, size, size, FILE_ATTRIBUTE_READONLY);
  }

  private findFile(tree: Tree, fileId: Buffer, relatedFileId: Buffer | null): { fileId: Buffer; file: ShareFile } {
    const id = relatedFileId && fileId.equals(C.RELATED_FILE_ID) ? relatedFileId : fileId;
    const f = tree.files!.get(id.toString('hex'));
    if (!f) failWith(S.STATUS_FILE_CLOSED);
    this.lastFileId = f!.fileId;
    return f!;
  }

  private onReadFile(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeReadRequest(req.msg);
    if (r.length > this.srv.maxReadSize) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
    const data = readShareFile(this.findFile(tree, r.fileId, relatedFileId).file, r.offset, r.length);
    if (typeof data === 'number') return this.errorOut(req, data);
    return this.out(req, 0, M.encodeReadResponse({ data, dataRemaining: 0 }));
  }

  private onQueryFile(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeQueryInfoRequest(req.msg);
    const f = this.findFile(tree, r.fileId, relatedFileId);
    if (r.infoType !== C.SMB2_0_INFO_FILE || r.fileInfoClass !== C.FileStandardInformation) return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
    const data = M.encodeFileStandardInformation({ allocationSize: BigInt(f.file.size), endOfFile: BigInt(f.file.size), numberOfLinks: 1, deletePending: false, directory: false });
    if (r.outputBufferLength < data.length) return this.errorOut(req, S.STATUS_INFO_LENGTH_MISMATCH);
    return this.out(req, 0, M.encodeQueryInfoResponse(data));
  }

  private onCloseFile(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeCloseRequest(req.msg);
    const f = this.findFile(tree, r.fileId, relatedFileId);
    closeShareFile(f.file);
    tree.files!.delete(f.fileId.toString('hex'));
    this.openCount--;
    const post = (r.flags & C.SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) !== 0;
    const size = post ? BigInt(f.file.size) : 0n;
    return this.out(req, 0, M.encodeCloseResponse({
      flags: r.flags & C.SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
      creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n,
      allocationSize: size, endOfFile: size,
      fileAttributes: post ? FILE_ATTRIBUTE_READONLY : 0,
    }));
  }

  // --- opens (§3.3.5.9, §3.3.5.10) ---

  /** A new FileId: random persistent half, volatile half counted per connection. */
  private newFileId(): Buffer {
    const fileId = Buffer.alloc(16);
    randomBytes(8).copy(fileId, 0);
    fileId.writeBigUInt64LE(this.nextVolatile++, 8);
    return fileId;
  }

  /** The CREATE response for an existing file or pipe opened (no oplock, no contexts, times unknown). */
  private opened(req: Req, fileId: Buffer, allocationSize: bigint, endOfFile: bigint, fileAttributes: number): Out {
    return this.out(req, 0, M.encodeCreateResponse({
      oplockLevel: 0,
      flags: 0,
      createAction: C.FILE_OPENED,
      creationTime: ZERO_FILE_TIME,
      lastAccessTime: ZERO_FILE_TIME,
      lastWriteTime: ZERO_FILE_TIME,
      changeTime: ZERO_FILE_TIME,
      allocationSize,
      endOfFile,
      fileAttributes,
      fileId,
      createContexts: Buffer.alloc(0),
    }));
  }

  private onCreate(req: Req, tree: Tree): Out {
    const r = M.decodeCreateRequest(req.msg);
    if (r.impersonationLevel > C.ImpersonationLevel.Delegate) return this.errorOut(req, S.STATUS_BAD_IMPERSONATION_LEVEL);
    const key = pipeKey(r.name);
    const found = key ? this.srv.findPipe(key) : undefined;
    if (!found) return this.errorOut(req, S.STATUS_OBJECT_NAME_NOT_FOUND);
    if (this.openCount >= this.srv.maxOpens) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
    const fileId = this.newFileId();
    const pipe = new ServerPipe();
    const open: Open = { key: fileId.toString('hex'), fileId, tree, pipe, pending: new Set() };
    tree.opens.set(open.key, open);
    this.openCount++;
    try {
      found.handler(pipe, { pipeName: found.name, ...tree.session.info! });
    } catch (err) {
      this.srv.onError(err);
      this.dropOpen(open);
      tree.opens.delete(open.key);
      return this.errorOut(req, S.STATUS_PIPE_NOT_AVAILABLE);
    }
    this.lastFileId = fileId;
    return this.opened(req, fileId, 4096n, 0n, PIPE_FILE_ATTRIBUTES);
  }

  private findOpen(tree: Tree, fileId: Buffer, relatedFileId: Buffer | null): Open {
    const id = relatedFileId && fileId.equals(C.RELATED_FILE_ID) ? relatedFileId : fileId;
    const open = tree.opens.get(id.toString('hex'));
    if (!open) failWith(S.STATUS_FILE_CLOSED);
    this.lastFileId = open!.fileId;
    return open!;
  }

  private onClose(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeCloseRequest(req.msg);
    const open = this.findOpen(tree, r.fileId, relatedFileId);
    this.dropOpen(open);
    tree.opens.delete(open.key);
    return this.out(req, 0, M.encodeCloseResponse({
      flags: r.flags & C.SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
      creationTime: 0n, lastAccessTime: 0n, lastWriteTime: 0n, changeTime: 0n,
      allocationSize: 0n, endOfFile: 0n,
      fileAttributes: r.flags & C.SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB ? PIPE_FILE_ATTRIBUTES : 0,
    }));
  }

  private dropOpen(open: Open): void {
    for (const p of [...open.pending]) p.cancel(S.STATUS_PIPE_BROKEN);
    open.pipe.closeFromClient();
    this.openCount--;
  }

  // --- pipe I/O (§3.3.5.12, §3.3.5.13, §3.3.5.15.3) ---

  private onWrite(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeWriteRequest(req.msg);
    if (r.data.length > this.srv.maxWriteSize) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
    const open = this.findOpen(tree, r.fileId, relatedFileId);
    const d = open.pipe.deliver(r.data);
    if (d !== 'ok') return this.errorOut(req, d === 'full' ? S.STATUS_INSUFFICIENT_RESOURCES : S.STATUS_PIPE_DISCONNECTED);
    return this.out(req, 0, M.encodeWriteResponse({ count: r.data.length, remaining: 0 }));
  }

  private onRead(req: Req, tree: Tree, relatedFileId: Buffer | null): Out | null {
    const r = M.decodeReadRequest(req.msg);
    if (r.length > this.srv.maxReadSize) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
    const open = this.findOpen(tree, r.fileId, relatedFileId);
    const answer = (): { status: number; body: Buffer } | null => {
      const m = open.pipe.takeMessage(r.length);
      if (m) return { status: m.more ? S.STATUS_BUFFER_OVERFLOW : 0, body: M.encodeReadResponse({ data: m.data, dataRemaining: 0 }) };
      if (open.pipe.broken) return { status: S.STATUS_PIPE_BROKEN, body: M.encodeErrorResponse() };
      return null;
    };
    return this.answerOrWait(req, open, answer);
  }

  /** Answers now when the pipe has something, else parks the request until it does (§3.3.4.2). */
  private answerOrWait(req: Req, open: Open, answer: () => { status: number; body: Buffer } | null): Out | null {
    const now = answer();
    if (now) return this.out(req, now.status, now.body);
    if (this.pending.size >= this.srv.maxAsyncRequests) return this.errorOut(req, S.STATUS_INSUFFICIENT_RESOURCES);
    const session = req.session!;
    let stopWaiting = () => {};
    const p: Pending = {
      messageId: req.hdr.messageId,
      asyncId: 0n,
      interimSent: false,
      hdr: req.hdr,
      signed: req.signed,
      session,
      enc: req.enc,
      open,
      parkedAt: 0,
      req,
      settle: (status, body) => {
        if (!this.pending.delete(p)) return;
        open.pending.delete(p);
        stopWaiting();
        this.sendFinal(p, req, status, body);
      },
      cancel: (status) => p.settle(status, M.encodeErrorResponse()),
    };
    this.pending.add(p);
    open.pending.add(p);
    const onReadable = () => {
      if (!this.pending.has(p)) return;
      const a = answer();
      if (a) p.settle(a.status, a.body);
      else stopWaiting = open.pipe.waitReadable(onReadable);
    };
    stopWaiting = open.pipe.waitReadable(onReadable);
    if (req.compound) {
      // a compound reply cannot wait: answer STATUS_PENDING for this part now
      return this.interim(p, req);
    }
    // most RPC answers come within microseconds; go async only for ones that really wait. One timer
    // per connection looks at every parked request (a timer per READ costs more than the READ).
    p.parkedAt = performance.now();
    this.armInterimTimer();
    return null;
  }

  private interimTimer: NodeJS.Timeout | null = null;

  private armInterimTimer(): void {
    if (this.interimTimer || this.closed) return;
    this.interimTimer = setTimeout(() => {
      this.interimTimer = null;
      if (this.closed) return;
      const due = performance.now() - INTERIM_AFTER_MS;
      let waiting = false;
      for (const p of this.pending) {
        if (p.interimSent) continue;
        if (p.parkedAt <= due) this.send([this.interim(p, p.req)], p.enc);
        else waiting = true;
      }
      if (waiting) this.armInterimTimer();
    }, INTERIM_AFTER_MS);
  }

  private interim(p: Pending, req: Req): Out {
    p.asyncId = this.nextAsyncId++;
    p.interimSent = true;
    const h = this.responseHeader(req, S.STATUS_PENDING, this.grant(req.hdr));
    h.flags |= C.SMB2_FLAGS_ASYNC_COMMAND;
    h.asyncId = p.asyncId;
    // §3.3.4.2: interim responses are not signed
    return { msg: M.encodeMessage(h, M.encodeErrorResponse()), signWith: null };
  }

  private sendFinal(p: Pending, req: Req, status: number, body: Buffer): void {
    if (this.closed) return;
    let out: Out;
    if (p.interimSent) {
      const h = this.responseHeader(req, status, 0);
      h.flags |= C.SMB2_FLAGS_ASYNC_COMMAND;
      h.asyncId = p.asyncId;
      out = { msg: M.encodeMessage(h, body), signWith: this.signer(req, p.session) };
    } else {
      out = this.out(req, status, body, p.session);
    }
    this.send([out], p.enc);
  }

  /** §3.3.5.16: no response of its own; the cancelled request answers STATUS_CANCELLED. */
  private onCancel(hdr: Smb2Header): void {
    for (const p of this.pending) {
      const match = hdr.flags & C.SMB2_FLAGS_ASYNC_COMMAND ? p.interimSent && p.asyncId === hdr.asyncId : p.messageId === hdr.messageId;
      if (match) {
        p.cancel(S.STATUS_CANCELLED);
        return;
      }
    }
  }

  private onIoctl(req: Req, tree: Tree, relatedFileId: Buffer | null): Out | null {
    const r = M.decodeIoctlRequest(req.msg);
    if (r.flags !== C.SMB2_0_IOCTL_IS_FSCTL) return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
    const reply = (output: Buffer, status = 0) =>
      this.out(req, status, M.encodeIoctlResponse({ ctlCode: r.ctlCode, fileId: r.fileId, input: Buffer.alloc(0), output, flags: 0 }));
    switch (r.ctlCode) {
      case C.FSCTL_VALIDATE_NEGOTIATE_INFO: {
        // §3.3.5.15.12: any mismatch with what was negotiated means tampering: drop the connection
        const v = M.decodeValidateNegotiateInfoRequest(r.input);
        if (this.dialect === C.Dialect.SMB311 || !v.guid.equals(this.clientGuid) || v.securityMode !== this.clientSecurityMode ||
          v.capabilities !== this.clientCapabilities || !v.dialects.includes(this.dialect)) {
          this.close();
          return null;
        }
        if (r.maxOutputResponse < 24) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
        return reply(M.encodeValidateNegotiateInfoResponse({
          capabilities: this.serverCapabilities, guid: this.srv.serverGuid, securityMode: this.serverSecurityMode, dialect: this.dialect,
        }));
      }
      case C.FSCTL_PIPE_WAIT: {
        // MS-FSCC §2.3.49 FSCTL_PIPE_WAIT_REQUEST: Timeout(8) NameLength(4) TimeoutSpecified(1) Padding(1) Name
        if (r.input.length < 14) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
        const nameLength = r.input.readUInt32LE(8);
        if (nameLength > r.input.length - 14 || nameLength % 2) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
        const name = r.input.toString('utf16le', 14, 14 + nameLength);
        return this.srv.findPipe(pipeKey(name)) ? reply(Buffer.alloc(0)) : this.errorOut(req, S.STATUS_OBJECT_NAME_NOT_FOUND);
      }
      case C.FSCTL_PIPE_TRANSCEIVE: {
        const open = this.findOpen(tree, r.fileId, relatedFileId);
        if (r.input.length > this.srv.maxWriteSize) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
        const d = open.pipe.deliver(r.input);
        if (d !== 'ok') return this.errorOut(req, d === 'full' ? S.STATUS_INSUFFICIENT_RESOURCES : S.STATUS_PIPE_DISCONNECTED);
        const max = Math.min(r.maxOutputResponse, this.srv.maxTransactSize);
        const fileId = open.fileId;
        return this.answerOrWait(req, open, () => {
          const m = open.pipe.takeMessage(max);
          const body = (output: Buffer) => M.encodeIoctlResponse({ ctlCode: r.ctlCode, fileId, input: Buffer.alloc(0), output, flags: 0 });
          if (m) return { status: m.more ? S.STATUS_BUFFER_OVERFLOW : 0, body: body(m.data) };
          if (open.pipe.broken) return { status: S.STATUS_PIPE_BROKEN, body: M.encodeErrorResponse() };
          return null;
        });
      }
      case C.FSCTL_PIPE_PEEK: {
        const open = this.findOpen(tree, r.fileId, relatedFileId);
        // MS-FSCC §2.3.46 FSCTL_PIPE_PEEK_REPLY without data: NamedPipeState, ReadDataAvailable, NumberOfMessages, MessageLength
        const out = Buffer.alloc(16);
        out.writeUInt32LE(open.pipe.broken ? 4 : 3, 0);
        out.writeUInt32LE(open.pipe.available, 4);
        out.writeUInt32LE(open.pipe.available ? 1 : 0, 8);
        out.writeUInt32LE(open.pipe.available, 12);
        return r.maxOutputResponse < 16 ? this.errorOut(req, S.STATUS_BUFFER_TOO_SMALL) : reply(out);
      }
      case C.FSCTL_DFS_GET_REFERRALS:
        return this.errorOut(req, S.STATUS_FS_DRIVER_REQUIRED);
      default:
        return this.errorOut(req, S.STATUS_INVALID_DEVICE_REQUEST);
    }
  }

  // --- information (§3.3.5.20, §3.3.5.21) ---

  private onQueryInfo(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeQueryInfoRequest(req.msg);
    const open = this.findOpen(tree, r.fileId, relatedFileId);
    if (r.infoType !== C.SMB2_0_INFO_FILE) return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
    let data: Buffer;
    switch (r.fileInfoClass) {
      case C.FilePipeInformation:
        data = M.encodeFilePipeInformation({ readMode: 1, completionMode: 0 }); // message mode, queue operation
        break;
      case C.FilePipeLocalInformation:
        data = M.encodeFilePipeLocalInformation({
          namedPipeType: 1, namedPipeConfiguration: 2, maximumInstances: 0xffffffff, currentInstances: 1,
          inboundQuota: this.srv.maxWriteSize, readDataAvailable: open.pipe.available, outboundQuota: this.srv.maxReadSize,
          writeQuotaAvailable: this.srv.maxWriteSize, namedPipeState: open.pipe.broken ? 4 : 3, namedPipeEnd: 1,
        });
        break;
      case C.FileStandardInformation:
        data = M.encodeFileStandardInformation({ allocationSize: 4096n, endOfFile: 0n, numberOfLinks: 1, deletePending: false, directory: false });
        break;
      default:
        return this.errorOut(req, S.STATUS_INVALID_INFO_CLASS);
    }
    if (r.outputBufferLength < data.length) return this.errorOut(req, S.STATUS_INFO_LENGTH_MISMATCH);
    return this.out(req, 0, M.encodeQueryInfoResponse(data));
  }

  private onSetInfo(req: Req, tree: Tree, relatedFileId: Buffer | null): Out {
    const r = M.decodeSetInfoRequest(req.msg);
    this.findOpen(tree, r.fileId, relatedFileId);
    // Windows clients set message read mode on RPC pipes; that is the only mode we have
    if (r.infoType === C.SMB2_0_INFO_FILE && r.fileInfoClass === C.FilePipeInformation) {
      const info = M.decodeFilePipeInformation(r.buffer);
      if (info.readMode > 1 || info.completionMode > 1) return this.errorOut(req, S.STATUS_INVALID_PARAMETER);
      return this.out(req, 0, M.encodeSetInfoResponse());
    }
    return this.errorOut(req, S.STATUS_NOT_SUPPORTED);
  }
}
