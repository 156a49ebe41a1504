// Replicating one NC (checklist part 4.5): the IDL_DRSGetNCChanges loop, one page in flight, the
// high-water mark fed back until fMoreData is false; each page decoded (prefix table -> schema -> syntax,
// secrets decrypted when asked), handed to the caller, and only then the state committed. Restarting
// from a saved state resends at most the page that was not committed (the caller's sink decides how to
// make that exactly-once, e.g. the CLI truncates its output to the length recorded with the state).
import { createHash } from 'node:crypto';
import { NULL_GUID } from '../../ndr/index.js';
import { Sid } from '../../security/sid.js';
import type { DrsClient, GetNCChangesReply, GetNCChangesRequest } from './client.js';
import { dsname } from './client.js';
import { DrsError } from './errors.js';
import { PrefixTable } from './prefix-table.js';
import { decodeValue, type PlainValue } from './decode/syntax.js';
import { readPackedDsname } from './decode/dsname.js';
import { Schema, type AttributeInfo } from './decode/schema.js';
import { decryptAttribute, parseSupplementalCredentials, SECRET_ATTRIBUTES, splitHashes } from './secrets.js';
import { emptyState, type Cursor, type ReplicationState } from './state.js';
import type { REPLENTINFLIST_t } from './types.js';

// DRS_OPTIONS (§5.41) and DRS_MORE_OPTIONS (§5.42) bits we use.
export const DRS_OPTIONS = {
  WRIT_REP: 0x10, INIT_SYNC: 0x20, GET_ANC: 0x800, GET_NC_SIZE: 0x1000, FULL_SYNC_PACKET: 0x20000,
  SPECIAL_SECRET_PROCESSING: 0x400000, USE_COMPRESSION: 0x10000000, GET_ALL_GROUP_MEMBERSHIP: 0x80000000,
} as const;
export const DRS_GET_TGT = 0x1;

export interface ReplicatedObject {
  kind: 'object';
  guid: string;
  dn: string;
  parentGuid: string | null;
  sid: string | null;
  isNCPrefix: boolean;
  deleted: boolean;
  /** lDAPDisplayName (or OID when unknown) -> values; [] = the attribute has no values any more. */
  attributes: Record<string, unknown[]>;
}

export interface ReplicatedLink {
  kind: 'link';
  guid: string;
  dn: string;
  attribute: string;
  value: PlainValue;
  targetGuid: string | null;
  present: boolean;
  timeCreated: string;
  version: number;
}

export interface Page {
  objects: ReplicatedObject[];
  links: ReplicatedLink[];
  number: number;
  bytes: number;
  more: boolean;
  /** The DC's estimate of the NC's object count (first page, with GET_NC_SIZE). */
  ncSizeObjects: number;
  /** Flags this page's request gained on a retry (GET_ANC for a missing parent, GET_TGT for a missing
   * link target); each at most once per cycle. */
  retries: ('GET_ANC' | 'GET_TGT')[];
  /** GUIDs of link targets in this NC that were neither received nor known, even after GET_TGT (a DC
   * may still send such a link, e.g. when the target was created after the cycle began). */
  missingTargets: string[];
}

/** What replicate() needs of a DrsClient (a test can stand in for the DC). */
export type ReplicationSource = Pick<DrsClient, 'getNCChanges' | 'sessionKey' | 'requestVersion' | 'useCompression'>;

export interface ReplicateOptions {
  nc: string;
  state?: ReplicationState;
  /** Called with every page before the state advances past it; may persist state (see `state`). */
  onPage: (page: Page, state: ReplicationState) => void | Promise<void>;
  secrets?: boolean;
  maxObjects?: number;
  maxBytes?: number;
  /** Ask for ancestors first from the start (DRS_GET_ANC; default true, as Samba's own client does).
   * false: only when a parent turns out missing, which makes the DC start the cycle again. */
  getAncestors?: boolean;
  /** Ask for link targets before the links from the start (DRS_GET_TGT, §5.42); otherwise only on a
   * retry, when a link's target in this NC is neither received nor known. */
  getTargets?: boolean;
  schema?: Schema;
  /** Our DSA identity for uuidDsaObjDest (any stable GUID for a non-DC client). */
  dsaGuid?: string;
  /** Roots of NCs below `nc` beyond those AD's naming tells (see inNc). */
  childNcs?: string[];
  /** Safety cap on pages per cycle. */
  maxPages?: number;
  signal?: AbortSignal;
}

const toCursor = (c: { uuidDsa: string; usnHighPropUpdate: bigint }): Cursor => ({ uuidDsa: c.uuidDsa, usn: c.usnHighPropUpdate.toString() });

function mergeUtd(old: Cursor[], add: Cursor[]): Cursor[] {
  const m = new Map(old.map((c) => [c.uuidDsa, c]));
  for (const c of add) {
    const o = m.get(c.uuidDsa);
    if (!o || BigInt(o.usn) < BigInt(c.usn)) m.set(c.uuidDsa, c);
  }
  // sorted by the 16 wire bytes of uuidDsa (§5.204, checklist part 4.2)
  const key = (g: string) => guidBytes(g).toString('hex');
  return [...m.values()].sort((a, b) => (key(a.uuidDsa) < key(b.uuidDsa) ? -1 : key(a.uuidDsa) > key(b.uuidDsa) ? 1 : 0));
}

function guidBytes(g: string): Buffer {
  const h = g.replace(/-/g, '');
  const b = Buffer.from(h, 'hex');
  // Data1..3 little-endian on the wire
  return Buffer.concat([b.subarray(0, 4).reverse(), b.subarray(4, 6).reverse(), b.subarray(6, 8).reverse(), b.subarray(8)]);
}

/** First RDN of a DN, up to the first unescaped comma. */
export function firstRdn(dn: string): string {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return dn.slice(0, i);
  }
  return dn;
}

/** The DN of `guid` from the parent tree; undefined when the chain is broken. */
export function dnFromTree(tree: ReplicationState['tree'], guid: string, rootDn: string): string | undefined {
  const parts: string[] = [];
  let g: string | undefined = guid;
  for (let depth = 0; g !== undefined && depth < 1000; depth++) {
    const node: [string, string, boolean?, string?] | undefined = tree[g];
    if (!node) return undefined;
    if (node[0] === '') return parts.length ? `${parts.join(',')},${rootDn}` : rootDn;
    parts.push(node[1]);
    g = node[0];
  }
  return undefined;
}

function ridOf(sid: string | null): number {
  if (!sid) return 0;
  const parts = sid.split('-');
  return Number(parts[parts.length - 1]) >>> 0;
}

class MissingParent extends Error {}

/** A short digest of an object's attribute stamps (PROPERTY_META_DATA_EXT_VECTOR, §5.156). */
function stampFingerprint(e: REPLENTINFLIST_t): string | undefined {
  const m = e.pMetaDataExt?.rgMetaData;
  if (!m || m.length === 0) return undefined;
  const h = createHash('sha1');
  const attrs = e.Entinf.AttrBlock.pAttr ?? [];
  for (let i = 0; i < m.length; i++) h.update(`${attrs[i]?.attrTyp}:${m[i]!.dwVersion}:${m[i]!.usnOriginating}:${m[i]!.uuidDsaOriginating};`);
  return h.digest('base64').slice(0, 12);
}

/** DN comparison for the in-NC test: RDN attribute names and values are case-insensitive in AD. */
const dnKey = (dn: string) => dn.toLowerCase().replace(/\s*([,=])\s*/g, '$1');

/**
 * Whether `dn` lies in the NC rooted at `ncDn` and not in a child NC. The NC root's subRefs would list
 * the children but are not replicated (systemFlags FLAG_ATTR_NOT_REPLICATED), so the children are told
 * by how AD names NCs ([MS-ADTS] §3.1.1.1.5): directly below an NC root, a `DC=` RDN is the head of a
 * child domain or application NC (DomainDnsZones...), `CN=Configuration` below a domain is the
 * configuration NC and `CN=Schema` below that the schema NC. `childNcs` adds NC roots the caller knows.
 */
export function inNc(dn: string, ncDn: string, childNcs: string[] = []): boolean {
  const d = dnKey(dn);
  const under = (root: string) => {
    const r = dnKey(root);
    return d === r || d.endsWith(`,${r}`);
  };
  if (!under(ncDn) || childNcs.some(under)) return false;
  const r = dnKey(ncDn);
  if (d === r) return true;
  const below = firstRdn(d.slice(0, d.length - r.length - 1).split(/(?<!\\),/).pop()!);
  if (below.startsWith('dc=')) return false;
  if (below === 'cn=configuration' && r.startsWith('dc=')) return false;
  if (below === 'cn=schema' && r.startsWith('cn=configuration,')) return false;
  return true;
}

interface DecodedPage {
  objects: ReplicatedObject[];
  links: ReplicatedLink[];
  /** Present link values whose target is in the NC but neither in this page nor in the tree. */
  missingTargets: string[];
}

/** Decodes one reply page into plain records, updating `tree`. Throws MissingParent (retry with GET_ANC). */
function decodePage(
  r: GetNCChangesReply,
  schema: Schema,
  tree: ReplicationState['tree'],
  rootDn: { dn: string },
  sessionKey: Buffer | null,
  allowMissingParent: boolean,
  childNcs: string[] = [],
): DecodedPage {
  const pt = PrefixTable.fromWire(r.PrefixTableSrc);
  const infoCache = new Map<number, AttributeInfo>();
  const info = (t: number): AttributeInfo => {
    let a = infoCache.get(t);
    if (!a) {
      const oid = pt.oidFromAttid(t);
      a = (oid !== undefined ? schema.attribute(oid) : schema.attributeByIntId(t)) ?? { oid: oid ?? `0x${t.toString(16)}`, name: oid ?? `ATTRTYP-0x${t.toString(16)}`, syntax: 10, oMSyntax: 4 };
      infoCache.set(t, a);
    }
    return a;
  };
  const objects: ReplicatedObject[] = [];
  for (let e: REPLENTINFLIST_t | null = r.pObjects; e; e = e.pNextEntInf) {
    const name = e.Entinf.pName;
    if (!name) throw new DrsError('client', 0x57, 'object without pName');
    const guid = name.Guid;
    const ownDn = name.StringName.endsWith('\0') ? name.StringName.slice(0, -1) : name.StringName;
    let sid: string | null = null;
    if (name.SidLen >= 8 && name.SidLen <= 28) sid = Sid.fromBinary(Buffer.from(name.Sid.Data.subarray(0, name.SidLen))).toString();
    const attributes: Record<string, unknown[]> = {};
    let deleted = false;
    for (const at of e.Entinf.AttrBlock.pAttr ?? []) {
      const a = info(at.attrTyp);
      const vals = (at.AttrVal.pAVal ?? []).map((v) => v.pVal ?? Buffer.alloc(0));
      if (SECRET_ATTRIBUTES.has(a.name)) {
        if (!sessionKey) {
          attributes[a.name] = [];
          continue;
        }
        attributes[a.name] = vals.map((v) => secretValue(a.name, decryptAttribute(a.name, sessionKey, ridOf(sid), v)));
        continue;
      }
      const out = vals.map((v) => decodeValue(a, v, pt, schema));
      if (a.name === 'isDeleted' && out[0] === true) deleted = true;
      attributes[a.name] = out;
    }
    if (e.fIsNCPrefix) {
      rootDn.dn = ownDn;
      const prev = tree[guid];
      tree[guid] = ['', firstRdn(ownDn), prev?.[2] ?? false, prev?.[3] ?? ''];
    } else if (e.pParentGuid) {
      if (!tree[e.pParentGuid] && !allowMissingParent) throw new MissingParent(e.pParentGuid);
      const prev = tree[guid];
      tree[guid] = [e.pParentGuid, firstRdn(ownDn), prev?.[2] ?? false, prev?.[3] ?? ''];
    }
    if (deleted && tree[guid]) tree[guid]![2] = true;
    const fp = stampFingerprint(e);
    const node = tree[guid];
    if (fp && node) {
      if (node[3] === fp) continue; // the same stamps as already delivered: a resend
      tree[guid] = [node[0], node[1], node[2] ?? false, fp];
    }
    const parent = tree[guid]?.[0];
    objects.push({
      kind: 'object',
      guid,
      dn: dnFromTree(tree, guid, rootDn.dn) ?? ownDn,
      parentGuid: parent ? parent : null,
      sid,
      isNCPrefix: e.fIsNCPrefix !== 0,
      deleted: deleted || tree[guid]?.[2] === true,
      attributes,
    });
  }
  const links: ReplicatedLink[] = [];
  const missing = new Set<string>();
  for (const v of r.rgValues ?? []) {
    const a = info(v.attrTyp);
    const holder = v.pObject;
    const val = v.Aval.pVal ?? Buffer.alloc(0);
    let targetGuid: string | null = null;
    try {
      const target = readPackedDsname(val);
      targetGuid = target.guid;
      // a link into another NC (configuration -> domain, say) has no target to wait for here
      if (v.fIsPresent !== 0 && targetGuid && !tree[targetGuid] && target.dn && inNc(target.dn, rootDn.dn, childNcs)) missing.add(targetGuid);
    } catch {
      // not a DN-shaped value; decodeValue below reports it
    }
    links.push({
      kind: 'link',
      guid: holder?.Guid ?? NULL_GUID,
      dn: holder ? (dnFromTree(tree, holder.Guid, rootDn.dn) ?? holder.StringName.replace(/\0$/, '')) : '',
      attribute: a.name,
      value: decodeValue(a.syntax === 10 ? { ...a, syntax: 1 } : a, val, pt, schema),
      targetGuid,
      present: v.fIsPresent !== 0,
      timeCreated: v.MetaData.timeCreated.toString(),
      version: v.MetaData.MetaData.dwVersion,
    });
  }
  return { objects, links, missingTargets: [...missing] };
}

/** One reply page decoded on its own (no state, bootstrap schema unless given, secrets left out). */
export function decodeReplyPage(r: GetNCChangesReply, schema: Schema = Schema.bootstrap(), sessionKey: Buffer | null = null): { objects: ReplicatedObject[]; links: ReplicatedLink[] } {
  const { objects, links } = decodePage(r, schema, {}, { dn: '' }, sessionKey, true);
  return { objects, links };
}

function secretValue(name: string, clear: Buffer): unknown {
  if (name === 'unicodePwd' || name === 'dBCSPwd') return clear.toString('hex');
  if (name === 'ntPwdHistory' || name === 'lmPwdHistory') return splitHashes(clear);
  if (name === 'supplementalCredentials') return parseSupplementalCredentials(clear);
  return clear.toString('base64');
}

/**
 * Runs one replication cycle of `nc` (full when the state is empty, else incremental), resuming a
 * cycle that a previous run did not finish. Returns the final state.
 */
export async function replicate(client: ReplicationSource, o: ReplicateOptions): Promise<ReplicationState> {
  const st: ReplicationState = o.state ?? emptyState(o.nc);
  const schema = o.schema ?? Schema.bootstrap();
  const sessionKey = o.secrets ? client.sessionKey : null;
  if (!st.cycle) st.cycle = { utd: st.utd.slice() };
  const rootDn = { dn: o.nc };
  for (const [g, n] of Object.entries(st.tree)) if (n[0] === '') rootDn.dn = dnFromTree(st.tree, g, o.nc) ?? o.nc;
  let flags = DRS_OPTIONS.INIT_SYNC | DRS_OPTIONS.WRIT_REP | DRS_OPTIONS.GET_ALL_GROUP_MEMBERSHIP | DRS_OPTIONS.GET_NC_SIZE;
  if (!o.secrets) flags |= DRS_OPTIONS.SPECIAL_SECRET_PROCESSING; // withhold secrets (§4.1.10.5.8)
  // V7 replies (compressed V6/V9), only from a DC that offers them (offersCompression)
  if (client.useCompression) flags |= DRS_OPTIONS.USE_COMPRESSION;
  if (o.getAncestors !== false || st.cycle.getAncestors) flags |= DRS_OPTIONS.GET_ANC;
  let moreFlags = o.getTargets || st.cycle.getTargets ? DRS_GET_TGT : 0;
  // ulMoreFlags exists in V10 requests only
  const canGetTargets = client.requestVersion === 10;
  const pas = PrefixTable.standard().toWire();
  const maxPages = o.maxPages ?? 1_000_000;
  for (let page = 1; ; page++) {
    o.signal?.throwIfAborted();
    if (page > maxPages) throw new DrsError('client', 0x57, `more than ${maxPages} pages in one cycle`);
    const utd = st.cycle.utd;
    const req: GetNCChangesRequest = {
      uuidDsaObjDest: o.dsaGuid ?? NULL_GUID,
      uuidInvocIdSrc: st.invocationId,
      pNC: dsname({ dn: o.nc }),
      usnvecFrom: { usnHighObjUpdate: BigInt(st.usnvec[0]), usnReserved: BigInt(st.usnvec[1]), usnHighPropUpdate: BigInt(st.usnvec[2]) },
      pUpToDateVecDest: utd.length
        ? { dwVersion: 1, dwReserved1: 0, cNumCursors: utd.length, dwReserved2: 0, rgCursors: utd.map((c) => ({ uuidDsa: c.uuidDsa, usnHighPropUpdate: BigInt(c.usn) })) }
        : null,
      ulFlags: flags >>> 0,
      cMaxObjects: o.maxObjects ?? 1000, // Samba's default "drs:max object sync"; a DC caps it anyway
      cMaxBytes: o.maxBytes ?? 8 * 1024 * 1024,
      ulExtendedOp: 0,
      liFsmoInfo: 0n,
      pPartialAttrSet: null,
      pPartialAttrSetEx: null,
      PrefixTableDest: pas,
      ulMoreFlags: moreFlags,
    };
    let reply: GetNCChangesReply;
    let decoded: DecodedPage;
    let tree: ReplicationState['tree'];
    const retries: Page['retries'] = [];
    // Each retry adds a flag that was not set before, so a page is asked for at most three times. The
    // DC answers a repeated high-water mark by starting the cycle again from it (Samba: from its
    // highest_usn), with the new flag; objects it sends again are delivered once (stampFingerprint).
    for (;;) {
      reply = await client.getNCChanges(req);
      // the tree is only changed by a page we keep: decode into a copy, swap on success
      tree = { ...st.tree };
      try {
        decoded = decodePage(reply, schema, tree, rootDn, sessionKey, (flags & DRS_OPTIONS.GET_ANC) !== 0, o.childNcs ?? []);
      } catch (err) {
        if (!(err instanceof MissingParent) || flags & DRS_OPTIONS.GET_ANC) throw err;
        // ERROR_DS_DRA_MISSING_PARENT: the same request again with ancestors first (§4.1.10.6.1)
        flags |= DRS_OPTIONS.GET_ANC;
        req.ulFlags = flags >>> 0;
        retries.push('GET_ANC');
        continue;
      }
      if (decoded.missingTargets.length && !(moreFlags & DRS_GET_TGT) && canGetTargets) {
        // a link whose target is in this NC but not here yet: the same request again with the targets
        // first (DRS_GET_TGT, §5.42; the client side of ERROR_DS_DRA_RECYCLED_TARGET, §4.1.10.6.14)
        moreFlags |= DRS_GET_TGT;
        req.ulMoreFlags = moreFlags;
        retries.push('GET_TGT');
        continue;
      }
      break;
    }
    const more = reply.fMoreData !== 0;
    const next: ReplicationState = {
      ...st,
      tree,
      invocationId: reply.uuidInvocIdSrc,
      usnvec: [reply.usnvecTo.usnHighObjUpdate.toString(), reply.usnvecTo.usnReserved.toString(), reply.usnvecTo.usnHighPropUpdate.toString()],
      cycle: more ? { ...st.cycle, ...(flags & DRS_OPTIONS.GET_ANC ? { getAncestors: true } : {}), ...(moreFlags & DRS_GET_TGT ? { getTargets: true } : {}) } : null,
      utd: more ? st.utd : mergeUtd(st.utd, (reply.pUpToDateVecSrc?.rgCursors ?? []).map(toCursor)),
    };
    const { objects, links, missingTargets } = decoded;
    await o.onPage({ objects, links, missingTargets, retries, number: page, bytes: reply.cNumBytes, more, ncSizeObjects: reply.cNumNcSizeObjects }, next);
    Object.assign(st, next);
    if (!more) return st;
  }
}

export const EXOP_REPL_OBJ = 6;

export interface ReplicateObjectOptions {
  /** The object, by DN and/or objectGUID. */
  object: { dn?: string; guid?: string };
  /** objectGUID of a DSA in the configuration NC: the DC's own NTDS Settings (DCInfo NtdsDsaObjectGuid);
   * a Windows DC answers EXOP_ERR_UPDATE_ERR to a NULL one (checklist part 8). */
  dsaGuid: string;
  secrets?: boolean;
  schema?: Schema;
}

/**
 * EXOP_REPL_OBJ (§4.1.10.4.2, server §4.1.10.5.12): one object, all its attributes, in one reply; no
 * cookie and no state (single-object operations do not move the watermark, §4.1.10.6.1). A failed
 * operation comes back as ulExtendedRet with a return value of 0: a DrsError('ulExtendedRet').
 */
export async function replicateObject(client: ReplicationSource, o: ReplicateObjectOptions): Promise<{ objects: ReplicatedObject[]; links: ReplicatedLink[] }> {
  let flags = DRS_OPTIONS.INIT_SYNC | DRS_OPTIONS.WRIT_REP | DRS_OPTIONS.GET_ALL_GROUP_MEMBERSHIP;
  if (!o.secrets) flags |= DRS_OPTIONS.SPECIAL_SECRET_PROCESSING;
  const reply = await client.getNCChanges({
    uuidDsaObjDest: o.dsaGuid,
    uuidInvocIdSrc: NULL_GUID,
    pNC: dsname(o.object),
    usnvecFrom: { usnHighObjUpdate: 0n, usnReserved: 0n, usnHighPropUpdate: 0n },
    pUpToDateVecDest: null,
    ulFlags: flags >>> 0,
    cMaxObjects: 1,
    cMaxBytes: 8 * 1024 * 1024,
    ulExtendedOp: EXOP_REPL_OBJ,
    liFsmoInfo: 0n,
    pPartialAttrSet: null,
    pPartialAttrSetEx: null,
    PrefixTableDest: PrefixTable.standard().toWire(),
    ulMoreFlags: 0,
  });
  if (reply.ulExtendedRet !== 1) throw new DrsError('ulExtendedRet', reply.ulExtendedRet, 'EXOP_REPL_OBJ');
  const { objects, links } = decodePage(reply, o.schema ?? Schema.bootstrap(), {}, { dn: '' }, o.secrets ? client.sessionKey : null, true);
  return { objects, links };
}

/** Replicates the schema NC (no state) and learns every attributeSchema/classSchema from it. */
export async function loadSchema(client: DrsClient, schemaNc: string, base: Schema = Schema.bootstrap()): Promise<Schema> {
  await replicate(client, {
    nc: schemaNc,
    schema: base,
    onPage: (p) => {
      for (const ob of p.objects) base.learn(ob.attributes);
    },
  });
  return base;
}
