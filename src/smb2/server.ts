// Smb2Server: an SMB2/3 server that offers IPC$ and the named pipes registered on it (MS-SMB2 §3.3),
// and optionally read-only disk shares (server-share.ts). See pipe.ts for the interface between a pipe and the RPC layer.
//
//   const server = new Smb2Server({ accounts: [{ user: 'alice', password: 'secret' }] });
//   server.registerPipe('winreg', (pipe, info) => rpc.serve(pipe, info));
//   await server.listen(445, '127.0.0.20');
//   ...
//   await server.close();
import type { ReadOnlyShare } from './server-share.js';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { SpnegoServer } from '../auth/spnego/index.js';
import type { Account, SecurityContext } from '../auth/types.js';
import { UsageError } from '../util/errors.js';
import { ALL_DIALECTS } from './constants.js';
import { ServerPipe, pipeKey, type PipeHandler } from './pipe.js';
import { ServerConnection, type ServerContext } from './server-connection.js';

export interface Smb2ServerOptions {
  /** Local accounts NTLM checks logons against. */
  accounts?: Account[];
  /** NetBIOS computer name (NTLM target info); default 'HIVEWIRE'. */
  serverName?: string;
  /** NetBIOS domain or workgroup; default the server name (a standalone server). */
  domain?: string;
  /** Accept anonymous (NULL session) logons. Default false. */
  allowAnonymous?: boolean;
  /** 'required': every session must sign (RequireMessageSigning); 'enabled' (default): sign when the client asks. */
  signing?: 'required' | 'enabled';
  /**
   * SMB 3.x encryption (AES-128-GCM/CCM). 'enabled' (default): offered, and encrypted requests get
   * encrypted answers; 'required': every session must encrypt (SMB2_SESSION_FLAG_ENCRYPT_DATA);
   * 'off': not offered.
   */
  encryption?: 'off' | 'enabled' | 'required';
  /** Dialects offered; default 2.0.2, 2.1, 3.0, 3.0.2 and 3.1.1. */
  dialects?: number[];
  /** Replaces the SPNEGO/NTLM acceptor (tests, other mechanisms). */
  createAcceptor?: () => SecurityContext;
  /** The NEGOTIATE response's GSS token; default a SPNEGO NegTokenInit2 offering NTLM. */
  negotiateToken?: Buffer;
  maxReadSize?: number;
  maxWriteSize?: number;
  /** Largest Direct TCP frame accepted; default maxWriteSize + 64 KiB. */
  maxFrameSize?: number;
  /** Credits (= requests in flight) a client may hold; default 512. */
  maxCredits?: number;
  /** READs/TRANSCEIVEs waiting for pipe data per connection; default 256. */
  maxAsyncRequests?: number;
  /** Open pipes per connection; default 1024. */
  maxOpens?: number;
  maxSessionsPerConnection?: number;
  maxConnections?: number;
  /** A connection with no traffic is closed after this long; default 15 minutes. */
  idleTimeoutMs?: number;
  /** A connection that stops in the middle of a frame is closed after this long; default 30 s. */
  partialFrameTimeoutMs?: number;
  serverGuid?: Buffer;
  /** Read-only disk shares (server-share.ts) next to IPC$; default none. */
  shares?: ReadOnlyShare[];
  /** Unexpected errors (a pipe handler that throws...); default: ignored. */
  onError?: (err: unknown) => void;
}

export class Smb2Server {
  private readonly pipes = new Map<string, { name: string; handler: PipeHandler }>();
  private readonly connections = new Set<ServerConnection>();
  private readonly ctx: ServerContext;
  private readonly maxConnections: number;
  private server: Server | null = null;

  constructor(opts: Smb2ServerOptions = {}) {
    const maxWriteSize = opts.maxWriteSize ?? 1024 * 1024;
    const maxReadSize = opts.maxReadSize ?? 1024 * 1024;
    const dialects = opts.dialects ?? ALL_DIALECTS;
    for (const d of dialects) if (!ALL_DIALECTS.includes(d)) throw new UsageError(`unknown SMB2 dialect 0x${d.toString(16)}`);
    if (!opts.createAcceptor && !opts.accounts && !opts.allowAnonymous) {
      throw new UsageError('Smb2Server needs accounts (or allowAnonymous, or createAcceptor)');
    }
    const accounts = opts.accounts ?? [];
    const createAcceptor = opts.createAcceptor ?? (() => new SpnegoServer({
      accounts,
      netbiosComputerName: opts.serverName ?? 'HIVEWIRE',
      ...(opts.domain ? { netbiosDomainName: opts.domain } : {}),
      allowAnonymous: opts.allowAnonymous ?? false,
    }));
    const token = opts.negotiateToken ?? (opts.createAcceptor ? Buffer.alloc(0) : SpnegoServer.hintToken());
    this.maxConnections = opts.maxConnections ?? 1000;
    const shares = new Map((opts.shares ?? []).map((sh) => [sh.name.toUpperCase(), sh] as const));
    if (shares.has('IPC$')) throw new UsageError('IPC$ is not a disk share');
    this.ctx = {
      serverGuid: opts.serverGuid ?? randomBytes(16),
      dialects,
      requireSigning: opts.signing === 'required',
      encryption: opts.encryption ?? 'enabled',
      maxReadSize,
      maxWriteSize,
      maxTransactSize: Math.max(maxReadSize, 65536),
      maxFrameSize: opts.maxFrameSize ?? maxWriteSize + 65536,
      maxCredits: opts.maxCredits ?? 512,
      maxAsyncRequests: opts.maxAsyncRequests ?? 256,
      maxOpens: opts.maxOpens ?? 1024,
      maxSessions: opts.maxSessionsPerConnection ?? 16,
      idleTimeoutMs: opts.idleTimeoutMs ?? 15 * 60_000,
      partialFrameTimeoutMs: opts.partialFrameTimeoutMs ?? 30_000,
      createAcceptor,
      negotiateToken: () => token,
      findPipe: (key) => this.pipes.get(key),
      findShare: (name) => shares.get(name),
      onError: opts.onError ?? (() => {}),
    };
  }

  /** Registers a named pipe (case-insensitive, with or without `\pipe\`). */
  registerPipe(name: string, handler: PipeHandler): void {
    const key = pipeKey(name);
    if (!key) throw new UsageError('empty pipe name');
    this.pipes.set(key, { name: key, handler });
  }

  unregisterPipe(name: string): void {
    this.pipes.delete(pipeKey(name));
  }

  listen(port = 445, host = '127.0.0.1'): Promise<{ port: number; host: string }> {
    if (this.server) return Promise.reject(new UsageError('Smb2Server is already listening'));
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address();
        resolve(typeof a === 'object' && a ? { port: a.port, host: a.address } : { port, host });
      });
    });
  }

  /** Serves one already-connected socket (for other transports and for tests). */
  accept(socket: Socket): void {
    if (this.connections.size >= this.maxConnections) {
      socket.destroy();
      return;
    }
    const conn = new ServerConnection(socket, this.ctx);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and closes every connection (their pipes end). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of [...this.connections]) c.close();
    this.connections.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export { ServerPipe };
