// SID: MS-DTYP §2.4.2 (string form §2.4.2.1, packet form §2.4.2.2) and the well-known SIDs of §2.4.2.4
// with their SDDL aliases (§2.5.1.1 sid-token).

import { FormatError } from '../util/errors.js';

const MAX_SUB_AUTHORITIES = 15; // MS-DTYP §2.4.2.2
const MAX_AUTHORITY = 2 ** 48 - 1;
const MAX_U32 = 0xffffffff;

// Passed by the decoders of this module, whose values are in range by construction: skips the checks.
const TRUSTED = Symbol('trusted');
// String forms, computed once per SID (kept outside the object so that SIDs stay plain values for deep equality).
const texts = new WeakMap<Sid, string>();

export class Sid {
  /** SID_IDENTIFIER_AUTHORITY as a number (48 bits fit a double exactly). */
  readonly authority: number;
  readonly subAuthorities: readonly number[];

  constructor(authority: number, subAuthorities: readonly number[], trusted?: typeof TRUSTED) {
    if (trusted !== TRUSTED) {
      if (!Number.isInteger(authority) || authority < 0 || authority > MAX_AUTHORITY) throw new RangeError(`SID authority out of range: ${authority}`);
      if (subAuthorities.length > MAX_SUB_AUTHORITIES) throw new RangeError(`a SID has at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
      for (const s of subAuthorities) {
        if (!Number.isInteger(s) || s < 0 || s > MAX_U32) throw new RangeError(`SID sub-authority out of range: ${s}`);
      }
      subAuthorities = [...subAuthorities];
    }
    this.authority = authority;
    this.subAuthorities = Object.freeze(subAuthorities as number[]);
  }

  /** 'S-1-5-32-544' → Sid. Throws FormatError('SID', index, …) with a 1-based column. */
  static parse(text: string): Sid {
    return parseSidText(text, 0, text.length, 'SID');
  }

  /** Packet representation at `offset` (MS-DTYP §2.4.2.2); the SID's size is `sid.byteLength`. */
  static fromBinary(buf: Buffer, offset = 0, format = 'SID'): Sid {
    return decodeSid(buf, offset, buf.length, format);
  }

  get byteLength(): number {
    return 8 + 4 * this.subAuthorities.length;
  }

  /** The relative identifier: the last sub-authority. */
  get rid(): number | undefined {
    return this.subAuthorities[this.subAuthorities.length - 1];
  }

  toBinary(): Buffer {
    const out = Buffer.allocUnsafe(this.byteLength); // writeTo writes every byte
    this.writeTo(out, 0);
    return out;
  }

  /** Writes the packet form at `offset`; returns the offset after it. */
  writeTo(out: Buffer, offset: number): number {
    out[offset] = 1;
    out[offset + 1] = this.subAuthorities.length;
    out.writeUInt16BE(Math.floor(this.authority / 0x100000000), offset + 2);
    out.writeUInt32BE(this.authority % 0x100000000, offset + 4);
    let p = offset + 8;
    for (const s of this.subAuthorities) {
      out.writeUInt32LE(s, p);
      p += 4;
    }
    return p;
  }

  toString(): string {
    let t = texts.get(this);
    if (t === undefined) {
      // MS-DTYP §2.4.2.1: decimal below 2^32, else 0x and 12 hex digits
      t = 'S-1-' + (this.authority < 2 ** 32 ? String(this.authority) : '0x' + this.authority.toString(16).toUpperCase().padStart(12, '0'));
      for (const s of this.subAuthorities) t += '-' + s;
      texts.set(this, t);
    }
    return t;
  }

  equals(other: Sid | undefined | null): boolean {
    if (!other) return false;
    if (other === this) return true;
    const a = this.subAuthorities;
    const b = other.subAuthorities;
    if (other.authority !== this.authority || a.length !== b.length) return false;
    for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false; // RIDs differ most
    return true;
  }

  /** True when this SID is `domain` plus one more sub-authority (a domain account or group). */
  isInDomain(domain: Sid): boolean {
    return (
      this.authority === domain.authority &&
      this.subAuthorities.length === domain.subAuthorities.length + 1 &&
      domain.subAuthorities.every((s, i) => s === this.subAuthorities[i])
    );
  }

  /** `this` plus one sub-authority (e.g. domain SID + RID). */
  child(rid: number): Sid {
    if (!Number.isInteger(rid) || rid < 0 || rid > MAX_U32) throw new RangeError(`SID sub-authority out of range: ${rid}`);
    if (this.subAuthorities.length >= MAX_SUB_AUTHORITIES) throw new RangeError(`a SID has at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
    return new Sid(this.authority, [...this.subAuthorities, rid], TRUSTED);
  }
}

/**
 * Parses the SID string in text[start, end). Errors carry `format`, the absolute index and column, so that
 * the SDDL parser reports positions in the whole SDDL string.
 */
export function parseSidText(text: string, start: number, end: number, format: string): Sid {
  const fail = (at: number, expected: string, detail?: string): never => {
    throw new FormatError(format, at, expected, detail, { line: 1, column: at + 1 });
  };
  if (!((text.charCodeAt(start) | 0x20) === 0x73 && text.startsWith('-1-', start + 1))) {
    fail(start, "a SID string starting 'S-1-'", JSON.stringify(text.slice(start, Math.min(end, start + 8))));
  }
  // IdentifierAuthority: decimal, or 0x and up to 12 hex digits (MS-DTYP §2.4.2.1)
  let p = start + 4;
  let authority = 0;
  const authStart = p;
  if (text.startsWith('0x', p) || text.startsWith('0X', p)) {
    p += 2;
    while (p < end && p - authStart < 14 && isHex(text.charCodeAt(p))) authority = authority * 16 + parseInt(text[p++]!, 16);
    if (p === authStart + 2) fail(authStart, 'an identifier authority (decimal, or 0x and up to 12 hex digits)', JSON.stringify(text.slice(authStart, end)));
  } else {
    while (p < end && isDigit(text.charCodeAt(p))) authority = authority * 10 + (text.charCodeAt(p++) - 0x30);
    if (p === authStart || p - authStart > 15 || authority > MAX_AUTHORITY) {
      fail(authStart, 'an identifier authority (decimal, or 0x and up to 12 hex digits)', JSON.stringify(text.slice(authStart, end)));
    }
  }
  const subs: number[] = [];
  while (p < end) {
    if (text.charCodeAt(p) !== 0x2d) fail(p, "'-' and a sub-authority", JSON.stringify(text.slice(p, end)));
    p++;
    const subStart = p;
    let v = 0;
    while (p < end && isDigit(text.charCodeAt(p)) && p - subStart < 10) v = v * 10 + (text.charCodeAt(p++) - 0x30);
    if (p === subStart || v > MAX_U32 || (p < end && text.charCodeAt(p) !== 0x2d)) {
      let stop = text.indexOf('-', subStart);
      if (stop < 0 || stop > end) stop = end;
      fail(subStart, 'a decimal sub-authority up to 4294967295', JSON.stringify(text.slice(subStart, stop)));
    }
    if (subs.length === MAX_SUB_AUTHORITIES) fail(subStart, `at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
    subs.push(v);
  }
  return new Sid(authority, subs, TRUSTED);
}

/** The SID at `offset`, which must end by `limit` (the end of the enclosing structure). */
export function decodeSid(buf: Buffer, offset: number, limit: number, format: string): Sid {
  if (offset < 0 || offset + 8 > limit) throw new FormatError(format, offset, 'an 8-byte SID header', `${Math.max(0, limit - offset)} bytes left`);
  const revision = buf[offset]!;
  if (revision !== 1) throw new FormatError(format, offset, 'SID revision 1', `revision ${revision}`);
  const count = buf[offset + 1]!;
  if (count > MAX_SUB_AUTHORITIES) throw new FormatError(format, offset + 1, `at most ${MAX_SUB_AUTHORITIES} sub-authorities`, `${count}`);
  if (offset + 8 + 4 * count > limit) throw new FormatError(format, offset + 8, `${count} sub-authorities (${4 * count} bytes)`, `${limit - offset - 8} bytes left`);
  // the authority is the one big-endian field
  const authority = buf.readUInt16BE(offset + 2) * 0x100000000 + buf.readUInt32BE(offset + 4);
  const subs: number[] = new Array(count);
  for (let i = 0; i < count; i++) subs[i] = buf.readUInt32LE(offset + 8 + 4 * i);
  return new Sid(authority, subs, TRUSTED);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

const S = (text: string) => Sid.parse(text);

/** MS-DTYP §2.4.2.4 well-known SIDs that do not depend on a domain. */
export const WellKnownSids = Object.freeze({
  Null: S('S-1-0-0'),
  Everyone: S('S-1-1-0'),
  Local: S('S-1-2-0'),
  ConsoleLogon: S('S-1-2-1'),
  CreatorOwner: S('S-1-3-0'),
  CreatorGroup: S('S-1-3-1'),
  OwnerServer: S('S-1-3-2'),
  GroupServer: S('S-1-3-3'),
  OwnerRights: S('S-1-3-4'),
  NtAuthority: S('S-1-5'),
  Dialup: S('S-1-5-1'),
  Network: S('S-1-5-2'),
  Batch: S('S-1-5-3'),
  Interactive: S('S-1-5-4'),
  Service: S('S-1-5-6'),
  Anonymous: S('S-1-5-7'),
  Proxy: S('S-1-5-8'),
  EnterpriseDomainControllers: S('S-1-5-9'),
  PrincipalSelf: S('S-1-5-10'),
  AuthenticatedUsers: S('S-1-5-11'),
  RestrictedCode: S('S-1-5-12'),
  TerminalServerUser: S('S-1-5-13'),
  RemoteInteractiveLogon: S('S-1-5-14'),
  ThisOrganization: S('S-1-5-15'),
  Iusr: S('S-1-5-17'),
  LocalSystem: S('S-1-5-18'),
  LocalService: S('S-1-5-19'),
  NetworkService: S('S-1-5-20'),
  Administrators: S('S-1-5-32-544'),
  Users: S('S-1-5-32-545'),
  Guests: S('S-1-5-32-546'),
  PowerUsers: S('S-1-5-32-547'),
  AccountOperators: S('S-1-5-32-548'),
  ServerOperators: S('S-1-5-32-549'),
  PrintOperators: S('S-1-5-32-550'),
  BackupOperators: S('S-1-5-32-551'),
  Replicator: S('S-1-5-32-552'),
  PreWindows2000CompatibleAccess: S('S-1-5-32-554'),
  RemoteDesktopUsers: S('S-1-5-32-555'),
  NetworkConfigurationOperators: S('S-1-5-32-556'),
  PerformanceMonitorUsers: S('S-1-5-32-558'),
  PerformanceLogUsers: S('S-1-5-32-559'),
  IisUsers: S('S-1-5-32-568'),
  CryptographicOperators: S('S-1-5-32-569'),
  EventLogReaders: S('S-1-5-32-573'),
  CertificateServiceDcomAccess: S('S-1-5-32-574'),
  RdsRemoteAccessServers: S('S-1-5-32-575'),
  RdsEndpointServers: S('S-1-5-32-576'),
  RdsManagementServers: S('S-1-5-32-577'),
  HyperVAdministrators: S('S-1-5-32-578'),
  AccessControlAssistanceOperators: S('S-1-5-32-579'),
  RemoteManagementUsers: S('S-1-5-32-580'),
  WriteRestrictedCode: S('S-1-5-33'),
  UserModeDrivers: S('S-1-5-84-0-0-0-0-0'),
  LocalAccount: S('S-1-5-113'),
  LocalAccountAndAdministrator: S('S-1-5-114'),
  ApplicationPackages: S('S-1-15-2-1'),
  UntrustedIntegrity: S('S-1-16-0'),
  LowIntegrity: S('S-1-16-4096'),
  MediumIntegrity: S('S-1-16-8192'),
  MediumPlusIntegrity: S('S-1-16-8448'),
  HighIntegrity: S('S-1-16-12288'),
  SystemIntegrity: S('S-1-16-16384'),
});

/** SDDL aliases of SIDs that do not depend on a domain (MS-DTYP §2.5.1.1 sid-token). */
export const SDDL_SID_ALIASES: Readonly<Record<string, Sid>> = Object.freeze({
  AN: WellKnownSids.Anonymous,
  AO: WellKnownSids.AccountOperators,
  AU: WellKnownSids.AuthenticatedUsers,
  BA: WellKnownSids.Administrators,
  BG: WellKnownSids.Guests,
  BO: WellKnownSids.BackupOperators,
  BU: WellKnownSids.Users,
  CD: WellKnownSids.CertificateServiceDcomAccess,
  CG: WellKnownSids.CreatorGroup,
  CO: WellKnownSids.CreatorOwner,
  CY: WellKnownSids.CryptographicOperators,
  ED: WellKnownSids.EnterpriseDomainControllers,
  ER: WellKnownSids.EventLogReaders,
  ES: WellKnownSids.RdsEndpointServers,
  HA: WellKnownSids.HyperVAdministrators,
  AA: WellKnownSids.AccessControlAssistanceOperators,
  HI: WellKnownSids.HighIntegrity,
  IS: WellKnownSids.IisUsers,
  IU: WellKnownSids.Interactive,
  LS: WellKnownSids.LocalService,
  LU: WellKnownSids.PerformanceLogUsers,
  LW: WellKnownSids.LowIntegrity,
  ME: WellKnownSids.MediumIntegrity,
  MP: WellKnownSids.MediumPlusIntegrity,
  MS: WellKnownSids.RdsManagementServers,
  MU: WellKnownSids.PerformanceMonitorUsers,
  NO: WellKnownSids.NetworkConfigurationOperators,
  NS: WellKnownSids.NetworkService,
  NU: WellKnownSids.Network,
  OW: WellKnownSids.OwnerRights,
  PO: WellKnownSids.PrintOperators,
  PS: WellKnownSids.PrincipalSelf,
  PU: WellKnownSids.PowerUsers,
  RA: WellKnownSids.RdsRemoteAccessServers,
  RC: WellKnownSids.RestrictedCode,
  RD: WellKnownSids.RemoteDesktopUsers,
  RE: WellKnownSids.Replicator,
  RM: WellKnownSids.RemoteManagementUsers,
  RU: WellKnownSids.PreWindows2000CompatibleAccess,
  SI: WellKnownSids.SystemIntegrity,
  SO: WellKnownSids.ServerOperators,
  SU: WellKnownSids.Service,
  SY: WellKnownSids.LocalSystem,
  UD: WellKnownSids.UserModeDrivers,
  WD: WellKnownSids.Everyone,
  WR: WellKnownSids.WriteRestrictedCode,
  AC: WellKnownSids.ApplicationPackages,
});

/**
 * SDDL aliases relative to a domain (or, for LA/LG, the machine) SID: alias → RID (MS-DTYP §2.4.2.4).
 * SA, EA and RO belong to the forest root domain; like Samba we resolve them against the one domain SID given.
 */
export const SDDL_DOMAIN_RIDS: Readonly<Record<string, number>> = Object.freeze({
  RO: 498,
  LA: 500,
  LG: 501,
  DA: 512,
  DU: 513,
  DG: 514,
  DC: 515,
  DD: 516,
  CA: 517,
  SA: 518,
  EA: 519,
  PA: 520,
  CN: 522,
  RS: 553,
});

const aliasBySid = new Map<string, string>(Object.entries(SDDL_SID_ALIASES).map(([a, s]) => [s.toString(), a]));
const aliasByRid = new Map<number, string>(Object.entries(SDDL_DOMAIN_RIDS).map(([a, r]) => [r, a]));
const code2 = (t: string, i: number) => ((t.charCodeAt(i) & ~0x20) << 8) | (t.charCodeAt(i + 1) & ~0x20);
const sidByCode = new Map<number, Sid>(Object.entries(SDDL_SID_ALIASES).map(([a, s]) => [code2(a, 0), s]));
const ridByCode = new Map<number, number>(Object.entries(SDDL_DOMAIN_RIDS).map(([a, r]) => [code2(a, 0), r]));

/**
 * SDDL alias (two letters, any case) → SID; domain-relative aliases need `domainSid`. Undefined when
 * unknown. With `at`, the alias is the two characters of `text` there (the SDDL parser's fast path).
 */
export function sidFromAlias(text: string, domainSid?: Sid, at?: number): Sid | undefined {
  if (at === undefined) {
    if (text.length !== 2) return undefined;
    at = 0;
  }
  const code = code2(text, at);
  const fixed = sidByCode.get(code);
  if (fixed) return fixed;
  const rid = ridByCode.get(code);
  if (rid === undefined || !domainSid) return undefined;
  let cache = domainAliases.get(domainSid);
  if (!cache) domainAliases.set(domainSid, (cache = new Map()));
  let sid = cache.get(rid);
  if (!sid) cache.set(rid, (sid = domainSid.child(rid)));
  return sid;
}
const domainAliases = new WeakMap<Sid, Map<number, Sid>>();

/** SID → its SDDL alias when it has one (domain-relative ones only with `domainSid`). */
export function aliasForSid(sid: Sid, domainSid?: Sid): string | undefined {
  const fixed = aliasBySid.get(sid.toString());
  if (fixed) return fixed;
  if (domainSid && sid.isInDomain(domainSid)) return aliasByRid.get(sid.rid!);
  return undefined;
}
