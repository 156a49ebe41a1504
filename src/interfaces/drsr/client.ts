// A drsuapi client (MS-DRSR §4.1): endpoint mapper -> TCP -> bind at PKT_PRIVACY -> IDL_DRSBind, then
// the methods a replicating, non-DC client needs. Thin: each method is one NDR operation plus the
// status checks of checklist part 9; the replication loop lives in replicate.ts.
import { resolvePort } from '../epm/client.js';
import { ntlmAuth, spnegoAuth, type Credentials } from '../../rpc/auth.js';
import { RpcClient } from '../../rpc/client.js';
import { connectTcp } from '../../transport/tcp.js';
import { NULL_GUID, guidToString, type ContextHandle } from '../../ndr/index.js';
import { decompressGetChgReplyV7 } from './compression/index.js';
import { DrsError } from './errors.js';
import {
  DRSUAPI_SYNTAX, IDL_DRSBind, IDL_DRSCrackNames, IDL_DRSDomainControllerInfo, IDL_DRSGetNCChanges, IDL_DRSGetReplInfo,
  IDL_DRSReplicaSync, IDL_DRSUnbind, NTDSAPI_CLIENT_GUID, type DRS_MSG_GETCHGREQ_V10_t, type DRS_MSG_GETCHGREPLY_V9_t,
  type DSNAME_t,
} from './types.js';

// DRS_EXTENSIONS_INT dwFlags bits (§5.39).
export const DRS_EXT = {
  BASE: 0x1, ASYNCREPL: 0x2, REMOVEAPI: 0x4, MOVEREQ_V2: 0x8, GETCHG_DEFLATE: 0x10, DCINFO_V1: 0x20,
  RESTORE_USN_OPTIMIZATION: 0x40, ADDENTRY: 0x80, KCC_EXECUTE: 0x100, ADDENTRY_V2: 0x200, LINKED_VALUE_REPLICATION: 0x400,
  DCINFO_V2: 0x800, INSTANCE_TYPE_NOT_REQ_ON_MOD: 0x1000, CRYPTO_BIND: 0x2000, GET_REPL_INFO: 0x4000,
  STRONG_ENCRYPTION: 0x8000, DCINFO_VFFFFFFFF: 0x10000, TRANSITIVE_MEMBERSHIP: 0x20000, ADD_SID_HISTORY: 0x40000,
  POST_BETA3: 0x80000, GETCHGREQ_V5: 0x100000, GETMEMBERSHIPS2: 0x200000, GETCHGREQ_V6: 0x400000, NONDOMAIN_NCS: 0x800000,
  GETCHGREQ_V8: 0x1000000, GETCHGREPLY_V5: 0x2000000, GETCHGREPLY_V6: 0x4000000, WHISTLER_BETA3: 0x8000000,
  W2K3_DEFLATE: 0x10000000, GETCHGREQ_V10: 0x20000000,
} as const;
// dwFlagsExt bits (§5.39).
export const DRS_EXT2 = { ADAM: 0x1, LH_BETA2: 0x2, RECYCLE_BIN: 0x4, GETCHGREPLY_V9: 0x100, RPC_CORRELATIONID_1: 0x400 } as const;

// What a replicating client must advertise (checklist part 2.2): the V6 reply bit for V8/V10 requests and
// STRONG_ENCRYPTION for secrets, despite product note <12>. WHISTLER_BETA3 is the V7 (compressed V6/V9)
// reply bit that TransformOutput calls DRS_EXT_GETCHGREPLY_V7 (§4.1.10.5.20, §5.39); GETCHG_DEFLATE and
// W2K3_DEFLATE say we take MSZIP and the WIN2K3 (XPRESS) algorithm.
export const CLIENT_FLAGS =
  DRS_EXT.BASE | DRS_EXT.GETCHG_DEFLATE | DRS_EXT.DCINFO_V1 | DRS_EXT.RESTORE_USN_OPTIMIZATION | DRS_EXT.LINKED_VALUE_REPLICATION |
  DRS_EXT.DCINFO_V2 | DRS_EXT.GET_REPL_INFO | DRS_EXT.STRONG_ENCRYPTION | DRS_EXT.DCINFO_VFFFFFFFF | DRS_EXT.POST_BETA3 |
  DRS_EXT.GETCHGREQ_V5 | DRS_EXT.GETCHGREQ_V6 | DRS_EXT.NONDOMAIN_NCS | DRS_EXT.GETCHGREQ_V8 | DRS_EXT.GETCHGREPLY_V5 |
  DRS_EXT.GETCHGREPLY_V6 | DRS_EXT.WHISTLER_BETA3 | DRS_EXT.W2K3_DEFLATE | DRS_EXT.GETCHGREQ_V10;

/** Whether a DC with these extensions can send compressed (V7) replies: it supports V7 and compresses
 * with MSZIP (GETCHG_DEFLATE) or the WIN2K3 algorithm (W2K3_DEFLATE). Samba sets neither compression bit
 * (its server only decompresses) and never answers with V7. */
export function offersCompression(server: Pick<DrsExtensions, 'dwFlags'>): boolean {
  return (server.dwFlags & DRS_EXT.WHISTLER_BETA3) !== 0 && (server.dwFlags & (DRS_EXT.GETCHG_DEFLATE | DRS_EXT.W2K3_DEFLATE)) !== 0;
}

/** DRS_EXTENSIONS_INT (§5.39) as plain fields; absent trailing fields read as zero. */
export interface DrsExtensions {
  cb: number;
  dwFlags: number;
  SiteObjGuid: string;
  Pid: number;
  dwReplEpoch: number;
  dwFlagsExt: number;
  ConfigObjGUID: string;
  dwExtCaps: number;
}

/** The bytes of DRS_EXTENSIONS.rgb (DRS_EXTENSIONS_INT without its cb). cb = 48: dwExtCaps absent, so
 * all its bits count as set (§5.39) and a Recycle-Bin forest does not refuse us (checklist part 2.2). */
export function encodeExtensions(e: Partial<DrsExtensions> = {}): Buffer {
  const b = Buffer.alloc(48);
  b.writeUInt32LE(e.dwFlags ?? CLIENT_FLAGS, 0);
  b.writeUInt32LE(e.Pid ?? 0, 20);
  b.writeUInt32LE(e.dwReplEpoch ?? 0, 24);
  b.writeUInt32LE(e.dwFlagsExt ?? DRS_EXT2.GETCHGREPLY_V9, 28);
  return b;
}

export function decodeExtensions(rgb: Buffer): DrsExtensions {
  const u32 = (o: number) => (rgb.length >= o + 4 ? rgb.readUInt32LE(o) : 0);
  const guid = (o: number) => (rgb.length >= o + 16 ? guidToString(rgb, o) : NULL_GUID);
  return {
    cb: rgb.length,
    dwFlags: u32(0),
    SiteObjGuid: guid(4),
    Pid: u32(20),
    dwReplEpoch: u32(24),
    dwFlagsExt: u32(28),
    ConfigObjGUID: guid(32),
    // dwFlagsExt present but dwExtCaps absent: all its bits implicitly set (§5.39)
    dwExtCaps: rgb.length >= 52 ? rgb.readUInt32LE(48) : rgb.length >= 32 ? 0xffffffff : 0,
  };
}

/** DSNAME (§5.50) for a request: by DN, GUID and/or SID. */
export function dsname(n: { dn?: string; guid?: string; sid?: Buffer }): DSNAME_t {
  const dn = n.dn ?? '';
  const sid = Buffer.alloc(28);
  if (n.sid) n.sid.copy(sid, 0, 0, 28);
  return {
    structLen: 56 + 2 * (dn.length + 1), // fixed part + name with its terminator (§5.50)
    SidLen: n.sid ? n.sid.length : 0,
    Guid: n.guid ?? NULL_GUID,
    Sid: { Data: sid },
    NameLen: dn.length,
    StringName: dn + '\0', // size_is(NameLen + 1): the terminator is an array element, not [string]
  };
}

export interface DrsConnectOptions {
  host: string;
  user: string;
  domain: string;
  password?: string;
  ntHash?: Buffer;
  /** 'spnego' (default) or 'ntlm'. */
  auth?: 'spnego' | 'ntlm';
  /** drsuapi's TCP port; resolved through the endpoint mapper on 135 when absent. */
  port?: number;
  timeoutMs?: number;
  /** Ask for compressed replies when the DC offers them (default true). */
  compression?: boolean;
}

export type GetNCChangesRequest = DRS_MSG_GETCHGREQ_V10_t;
/** A V6 or V9 reply, with link values normalised to the V9 form (timeExpired 0 for V6). */
export type GetNCChangesReply = DRS_MSG_GETCHGREPLY_V9_t & { version: number };

export const DS_NAME_FORMAT = {
  UNKNOWN: 0, FQDN_1779: 1, NT4_ACCOUNT: 2, DISPLAY: 3, UNIQUE_ID: 6, CANONICAL: 7, USER_PRINCIPAL: 8, CANONICAL_EX: 9,
  SERVICE_PRINCIPAL: 10, SID_OR_SID_HISTORY: 11, DNS_DOMAIN: 12, STRING_SID_NAME: 0xfffffff4, USER_PRINCIPAL_NAME_FOR_LOGON: 0xfffffff2,
} as const;

// DS_NAME_ERROR values that mean "resolved" (checklist part 3.2).
const NAME_OK = new Set([0, 0xfffffff3, 0xfffffff4, 0xfffffff5, 0xfffffff7, 0xfffffff8, 0xfffffff9]);

export interface CrackedName {
  name: string;
  status: number;
  ok: boolean;
  domain: string | null;
  result: string | null;
}

export class DrsClient {
  private constructor(
    readonly rpc: RpcClient,
    readonly handle: ContextHandle,
    readonly server: DrsExtensions,
    /** Whether replicate() sets DRS_USE_COMPRESSION: asked for and offered by the DC. */
    readonly useCompression: boolean,
  ) {}

  static async connect(o: DrsConnectOptions): Promise<DrsClient> {
    const port = o.port ?? (await resolvePort(o.host, DRSUAPI_SYNTAX.uuid, DRSUAPI_SYNTAX.version));
    const creds: Credentials = { user: o.user, domain: o.domain, ...(o.password !== undefined ? { password: o.password } : {}), ...(o.ntHash ? { ntHash: o.ntHash } : {}) };
    const sock = await connectTcp(o.host, port);
    const auth = (o.auth === 'ntlm' ? ntlmAuth : spnegoAuth)(creds, 6);
    const rpc = await RpcClient.bind(sock, DRSUAPI_SYNTAX, { auth, timeoutMs: o.timeoutMs ?? 120_000 });
    try {
      const rgb = encodeExtensions();
      const out = IDL_DRSBind.decodeResponse(
        await rpc.call(0, IDL_DRSBind.encodeRequest({ puuidClientDsa: NTDSAPI_CLIENT_GUID, pextClient: { cb: rgb.length, rgb } })),
      );
      if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSBind');
      const server = decodeExtensions(out.ppextServer?.rgb ?? Buffer.alloc(0));
      return new DrsClient(rpc, out.phDrs, server, o.compression !== false && offersCompression(server));
    } catch (err) {
      rpc.close();
      throw err;
    }
  }

  /** The security context's session key: the key of the secret-attribute encryption (§4.1.10.6.17). */
  get sessionKey(): Buffer {
    const k = this.rpc.sessionKey;
    if (!k) throw new DrsError('client', 0x80090331, 'no session key on this association');
    return k;
  }

  /** V10 when the server takes it, else V8 (§4.1.3.2). */
  get requestVersion(): 8 | 10 {
    return this.server.dwFlags & DRS_EXT.GETCHGREQ_V10 ? 10 : 8;
  }

  async getNCChanges(req: GetNCChangesRequest, version: 8 | 10 = this.requestVersion): Promise<GetNCChangesReply> {
    const pmsgIn = version === 10 ? { tag: 10 as const, V10: req } : { tag: 8 as const, V8: req };
    const stub = await this.rpc.call(3, IDL_DRSGetNCChanges.encodeRequest({ hDrs: this.handle, dwInVersion: version, pmsgIn }));
    return decodeGetNCChangesResponse(stub);
  }

  async crackNames(names: string[], formatOffered: number, formatDesired: number, dwFlags = 0): Promise<CrackedName[]> {
    const out = IDL_DRSCrackNames.decodeResponse(
      await this.rpc.call(
        12,
        IDL_DRSCrackNames.encodeRequest({
          hDrs: this.handle,
          dwInVersion: 1,
          pmsgIn: { tag: 1, V1: { CodePage: 0, LocaleId: 0, dwFlags, formatOffered, formatDesired, cNames: names.length, rpNames: names } },
        }),
      ),
    );
    if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSCrackNames');
    const items = out.pmsgOut.V1.pResult?.rItems ?? [];
    if (items.length !== names.length) throw new DrsError('client', 0x57, `IDL_DRSCrackNames: ${items.length} results for ${names.length} names`);
    return items.map((it, i) => ({ name: names[i]!, status: it.status, ok: NAME_OK.has(it.status), domain: it.pDomain, result: it.pName }));
  }

  /** One name, throwing the per-item status as a DrsError. */
  async crackName(name: string, formatOffered: number, formatDesired: number): Promise<string> {
    const [r] = await this.crackNames([name], formatOffered, formatDesired);
    if (!r!.ok || r!.result === null) throw new DrsError('crackNames', r!.status, `cannot crack '${name}'`);
    return r!.result;
  }

  async domainControllerInfo(domain: string, level: 1 | 2 | 3 | 0xffffffff = 2) {
    const out = IDL_DRSDomainControllerInfo.decodeResponse(
      await this.rpc.call(16, IDL_DRSDomainControllerInfo.encodeRequest({ hDrs: this.handle, dwInVersion: 1, pmsgIn: { tag: 1, V1: { Domain: domain, InfoLevel: level } } })),
    );
    if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSDomainControllerInfo');
    return out.pmsgOut;
  }

  /** IDL_DRSGetReplInfo (§4.1.13): 0 neighbours, 1 cursors (of pszObjectDN = an NC), 2 object metadata, 6 repsTo. */
  async getReplInfo(InfoType: 0 | 1 | 2 | 6, pszObjectDN: string | null = null) {
    const out = IDL_DRSGetReplInfo.decodeResponse(
      await this.rpc.call(19, IDL_DRSGetReplInfo.encodeRequest({ hDrs: this.handle, dwInVersion: 1, pmsgIn: { tag: 1, V1: { InfoType, pszObjectDN, uuidSourceDsaObjGuid: NULL_GUID } } })),
    );
    if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSGetReplInfo');
    return out.pmsgOut;
  }

  /** IDL_DRSReplicaSync (§4.1.23): ask the DC to pull `nc` from the source DSA now. */
  async replicaSync(nc: string, uuidDsaSrc: string, ulOptions = 0): Promise<void> {
    const out = IDL_DRSReplicaSync.decodeResponse(
      await this.rpc.call(2, IDL_DRSReplicaSync.encodeRequest({ hDrs: this.handle, dwVersion: 1, pmsgSync: { tag: 1, V1: { pNC: dsname({ dn: nc }), uuidDsaSrc, pszDsaSrc: null, ulOptions } } })),
    );
    if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSReplicaSync');
  }

  async close(): Promise<void> {
    try {
      if (!this.rpc.closed) await this.rpc.call(1, IDL_DRSUnbind.encodeRequest({ phDrs: this.handle }));
    } catch {
      // the association is going away anyway
    } finally {
      this.rpc.close();
    }
  }
}

/** Decodes an IDL_DRSGetNCChanges response stub and checks return value, arm and dwDRSError. */
export function decodeGetNCChangesResponse(stub: Buffer): GetNCChangesReply {
  const out = IDL_DRSGetNCChanges.decodeResponse(stub);
  if (out.returns !== 0) throw new DrsError('return', out.returns, 'IDL_DRSGetNCChanges');
  const m = out.pmsgOut;
  let r: GetNCChangesReply;
  let inner: typeof m = m;
  if (m.tag === 7) {
    // DecompressReplyMessage (§4.1.10.6.18): the blob holds a pickled V6 or V9, its size checked
    const d = decompressGetChgReplyV7(m.V7);
    inner = d.version === 6 ? { tag: 6, V6: d.reply } : { tag: 9, V9: d.reply };
  }
  if (inner.tag === 9) r = { ...inner.V9, version: 9 };
  else if (inner.tag === 6) {
    const v = inner.V6;
    r = {
      ...v,
      rgValues: v.rgValues && v.rgValues.map((x) => ({ ...x, MetaData: { ...x.MetaData, unused1: 0, unused2: 0, unused3: 0, timeExpired: 0n } })),
      version: 6,
    };
  } else throw new DrsError('client', 0x51a, `IDL_DRSGetNCChanges: unexpected reply version ${m.tag}`);
  if (r.dwDRSError !== 0) throw new DrsError('dwDRSError', r.dwDRSError, 'IDL_DRSGetNCChanges');
  return r;
}
