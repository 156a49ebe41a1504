// The RPC server framework: interfaces registered by UUID and version, served over any Duplex (a TCP
// socket or an SMB2 named pipe). Per-connection protocol handling lives in server-connection.ts.
import type { Duplex } from 'node:stream';
import type { AuthIdentity, SecurityContext } from '../auth/types.js';
import { UsageError } from '../util/errors.js';
import { ContextHandleTable } from './context-handles.js';
import { DEFAULT_MAX_FRAG } from './pdu/constants.js';
import { isUuid } from './pdu/uuid.js';
import { ServerConnection } from './server-connection.js';

/** Who is calling, as handlers see it (from RPC auth, or from the SMB session of a named pipe). */
export interface CallIdentity {
  user: string;
  domain: string;
  sid?: string;
  groups: string[];
  privileges: string[];
  anonymous: boolean;
  /** Where the identity came from. */
  source: 'rpc' | 'transport' | 'none';
}

export interface CallContext {
  opnum: number;
  callId: number;
  /** The interface the call was made on. */
  iface: RpcInterface;
  identity: CallIdentity;
  /** RPC auth level of the connection (0 when none). */
  authLevel: number;
  /** The security context's session key (RPC auth) or the SMB session key (named pipe), if any. */
  sessionKey?: Buffer;
  clientAddress?: string;
  /** Context handles of this association group. */
  handles: ContextHandleTable;
  /** Aborted when the client cancels or orphans the call, or the connection ends. */
  signal: AbortSignal;
  object?: string;
}

export type OpHandler = (stub: Buffer, call: CallContext) => Buffer | Promise<Buffer>;

export interface RpcInterface {
  uuid: string;
  /** Major version. */
  version: number;
  minor?: number;
  /** Display name (used by the endpoint mapper's annotation). */
  name?: string;
  opnums: { [opnum: number]: OpHandler };
}

/** What the transport knows about a connection. */
export interface TransportInfo {
  transport: 'ncacn_ip_tcp' | 'ncacn_np' | 'other';
  clientAddress?: string;
  /** The secondary address in bind_ack: the port (TCP) or the pipe name (`\PIPE\winreg`). */
  secAddr?: string;
  /** For a named pipe: the SMB session's user, used for binds without RPC auth (MS-RPCE §3.3.1.5.2.1). */
  identity?: AuthIdentity;
  sessionKey?: Buffer;
}

export interface RpcServerLimits {
  /** Largest fragment we send or accept (negotiated down in bind). */
  maxFrag: number;
  /** Largest reassembled request stub (MS-RPCE §3.3.3.5.4: 4 MB). */
  maxRequestStub: number;
  /** Calls being executed at once on one connection. */
  maxCallsInFlight: number;
  /** A connection with nothing in flight and no traffic for this long is closed. 0 = never. */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: RpcServerLimits = {
  maxFrag: DEFAULT_MAX_FRAG,
  maxRequestStub: 4 * 1024 * 1024,
  maxCallsInFlight: 64,
  idleTimeoutMs: 5 * 60_000,
};

export interface RpcServerOptions {
  /** A fresh server-side security context for an auth_type (10 NTLM, 9 SPNEGO), or undefined if unsupported. */
  security?: (authType: number) => SecurityContext | undefined;
  /** Refuse calls below this auth level (0 = accept unauthenticated calls). */
  minAuthLevel?: number;
  limits?: Partial<RpcServerLimits>;
  /** Told about connections the server drops or refuses (bad PDUs, failed authentication...). */
  onError?: (err: unknown, info: TransportInfo) => void;
}

/** An endpoint this server listens on, for the endpoint mapper. */
export interface Endpoint {
  protocol: 'ncacn_ip_tcp' | 'ncacn_np';
  /** TCP port or pipe name (`\pipe\winreg`). */
  endpoint: string;
  address: string;
}

export class AssociationGroup {
  readonly handles = new ContextHandleTable();
  readonly connections = new Set<ServerConnection>();
  constructor(
    readonly id: number,
    readonly clientAddress: string | undefined,
  ) {}
}

export class RpcServer {
  readonly limits: RpcServerLimits;
  readonly options: RpcServerOptions;
  readonly endpoints: Endpoint[] = [];
  private readonly ifaces = new Map<string, RpcInterface>();
  private readonly groups = new Map<number, AssociationGroup>();
  private readonly connections = new Set<ServerConnection>();
  private nextGroupId = 0x1000 + Math.floor(Math.random() * 0x10000);

  constructor(options: RpcServerOptions = {}) {
    this.options = options;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  register(iface: RpcInterface): this {
    if (!isUuid(iface.uuid)) throw new UsageError(`interface uuid ${iface.uuid} is not a UUID`);
    const key = `${iface.uuid.toLowerCase()}/${iface.version}`;
    if (this.ifaces.has(key)) throw new UsageError(`interface ${key} is already registered`);
    this.ifaces.set(key, { ...iface, uuid: iface.uuid.toLowerCase() });
    return this;
  }

  /** The interface for an abstract syntax: same UUID and major version, minor not above ours (C706 §12.6.4.3). */
  findInterface(uuid: string, version: number, minor: number): RpcInterface | undefined {
    const iface = this.ifaces.get(`${uuid.toLowerCase()}/${version}`);
    if (!iface || minor > (iface.minor ?? 0)) return undefined;
    return iface;
  }

  interfaces(): RpcInterface[] {
    return [...this.ifaces.values()];
  }

  addEndpoint(e: Endpoint): void {
    this.endpoints.push(e);
  }

  removeEndpoint(e: Endpoint): void {
    const i = this.endpoints.indexOf(e);
    if (i >= 0) this.endpoints.splice(i, 1);
  }

  /** Serves DCE/RPC on a byte stream until it ends. */
  serve(stream: Duplex, info: TransportInfo = { transport: 'other' }): ServerConnection {
    const conn = new ServerConnection(this, stream, info);
    this.connections.add(conn);
    stream.once('close', () => this.connections.delete(conn));
    return conn;
  }

  /** Creates an association group (assoc_group_id 0 in bind) or finds the one a connection joins. */
  joinGroup(conn: ServerConnection, id: number, clientAddress: string | undefined): AssociationGroup | undefined {
    let g: AssociationGroup | undefined;
    if (id === 0) {
      do this.nextGroupId = (this.nextGroupId + 1) >>> 0 || 1;
      while (this.groups.has(this.nextGroupId));
      g = new AssociationGroup(this.nextGroupId, clientAddress);
      this.groups.set(g.id, g);
    } else {
      g = this.groups.get(id);
      // MS-RPCE §3.3.1.5.7: only connections from the same client machine may join
      if (!g || g.clientAddress !== clientAddress) return undefined;
    }
    g.connections.add(conn);
    return g;
  }

  leaveGroup(conn: ServerConnection, g: AssociationGroup): void {
    g.connections.delete(conn);
    if (g.connections.size === 0) {
      this.groups.delete(g.id);
      g.handles.rundownAll();
    }
  }

  /** Counters for tests and monitoring. */
  stats(): { connections: number; associationGroups: number; contextHandles: number } {
    let contextHandles = 0;
    for (const g of this.groups.values()) contextHandles += g.handles.size;
    return { connections: this.connections.size, associationGroups: this.groups.size, contextHandles };
  }

  /** Drops every connection (handles are run down as their groups empty). */
  closeAll(): void {
    for (const c of [...this.connections]) c.destroy();
  }
}
