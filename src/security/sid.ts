// SID: MS-DTYP §2.4.2 (string form §2.4.2.1, packet form §2.4.2.2) and the well-known SIDs of §2.4.2.4
// with their SDDL aliases (§2.5.1.1 sid-token).

import { FormatError } from '../util/errors.js';

const MAX_SUB_AUTHORITIES = 15; // MS-DTYP §2.4.2.2
const MAX_AUTHORITY = 2 ** 48 - 1;
const MAX_U32 = 0xffffffff;

export class Sid {
  /** SID_IDENTIFIER_AUTHORITY as a number (48 bits fit a double exactly). */
  readonly authority: number;
  readonly subAuthorities: readonly number[];

  constructor(authority: number, subAuthorities: readonly number[]) {
    if (!Number.isInteger(authority) || authority < 0 || authority > MAX_AUTHORITY) throw new RangeError(`SID authority out of range: ${authority}`);
    if (subAuthorities.length > MAX_SUB_AUTHORITIES) throw new RangeError(`a SID has at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
    for (const s of subAuthorities) {
      if (!Number.isInteger(s) || s < 0 || s > MAX_U32) throw new RangeError(`SID sub-authority out of range: ${s}`);
    }
    this.authority = authority;
    this.subAuthorities = Object.freeze([...subAuthorities]);
  }

  /** 'S-1-5-32-544' → Sid. Throws FormatError('SID', index, …) with a 1-based column. */
  static parse(text: string): Sid {
    return parseSidText(text, 0, text.length, 'SID');
  }

  /** Packet representation at `offset` (MS-DTYP §2.4.2.2); the SID's size is `sid.byteLength`. */
  static fromBinary(buf: Buffer, offset = 0, format = 'SID'): Sid {
    if (offset < 0 || offset + 8 > buf.length) throw new FormatError(format, offset, 'an 8-byte SID header', `${Math.max(0, buf.length - offset)} bytes left`);
    const revision = buf[offset]!;
    if (revision !== 1) throw new FormatError(format, offset, 'SID revision 1', `revision ${revision}`);
    const count = buf[offset + 1]!;
    if (count > MAX_SUB_AUTHORITIES) throw new FormatError(format, offset + 1, `at most ${MAX_SUB_AUTHORITIES} sub-authorities`, `${count}`);
    if (offset + 8 + 4 * count > buf.length) throw new FormatError(format, offset + 8, `${count} sub-authorities (${4 * count} bytes)`, `${buf.length - offset - 8} bytes left`);
    const authority = buf.readUIntBE(offset + 2, 6); // the authority is the one big-endian field
    const subs: number[] = [];
    for (let i = 0; i < count; i++) subs.push(buf.readUInt32LE(offset + 8 + 4 * i));
    return new Sid(authority, subs);
  }

  get byteLength(): number {
    return 8 + 4 * this.subAuthorities.length;
  }

  /** The relative identifier: the last sub-authority. */
  get rid(): number | undefined {
    return this.subAuthorities[this.subAuthorities.length - 1];
  }

  toBinary(): Buffer {
    const out = Buffer.alloc(this.byteLength);
    this.writeTo(out, 0);
    return out;
  }

  /** Writes the packet form at `offset`; returns the offset after it. */
  writeTo(out: Buffer, offset: number): number {
    out[offset] = 1;
    out[offset + 1] = this.subAuthorities.length;
    out.writeUIntBE(this.authority, offset + 2, 6);
    let p = offset + 8;
    for (const s of this.subAuthorities) {
      out.writeUInt32LE(s, p);
      p += 4;
    }
    return p;
  }

  toString(): string {
    // MS-DTYP §2.4.2.1: decimal below 2^32, else 0x and 12 hex digits
    const auth = this.authority < 2 ** 32 ? String(this.authority) : '0x' + this.authority.toString(16).toUpperCase().padStart(12, '0');
    return ['S-1', auth, ...this.subAuthorities].join('-');
  }

  equals(other: Sid | undefined | null): boolean {
    if (!other || other.authority !== this.authority || other.subAuthorities.length !== this.subAuthorities.length) return false;
    return this.subAuthorities.every((s, i) => s === other.subAuthorities[i]);
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
    return new Sid(this.authority, [...this.subAuthorities, rid]);
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
  const s = text.slice(start, end);
  if (!/^[sS]-1-/.test(s)) fail(start, "a SID string starting 'S-1-'", JSON.stringify(s.slice(0, 8)));
  const parts = s.slice(4).split('-');
  let at = start + 4;
  const authText = parts[0]!;
  let authority: number;
  if (/^0[xX][0-9a-fA-F]{1,12}$/.test(authText)) authority = parseInt(authText.slice(2), 16);
  else if (/^[0-9]{1,15}$/.test(authText) && Number(authText) <= MAX_AUTHORITY) authority = Number(authText);
  else return fail(at, 'an identifier authority (decimal, or 0x and up to 12 hex digits)', JSON.stringify(authText));
  at += authText.length + 1;
  const subs: number[] = [];
  for (const p of parts.slice(1)) {
    if (!/^[0-9]{1,10}$/.test(p) || Number(p) > MAX_U32) fail(at, 'a decimal sub-authority up to 4294967295', JSON.stringify(p));
    if (subs.length === MAX_SUB_AUTHORITIES) fail(at, `at most ${MAX_SUB_AUTHORITIES} sub-authorities`);
    subs.push(Number(p));
    at += p.length + 1;
  }
  return new Sid(authority, subs);
}

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

/** SDDL alias → SID; domain-relative aliases need `domainSid`. Undefined when unknown. */
export function sidFromAlias(alias: string, domainSid?: Sid): Sid | undefined {
  const a = alias.toUpperCase();
  const fixed = SDDL_SID_ALIASES[a];
  if (fixed) return fixed;
  const rid = SDDL_DOMAIN_RIDS[a];
  return rid !== undefined && domainSid ? domainSid.child(rid) : undefined;
}

/** SID → its SDDL alias when it has one (domain-relative ones only with `domainSid`). */
export function aliasForSid(sid: Sid, domainSid?: Sid): string | undefined {
  const fixed = aliasBySid.get(sid.toString());
  if (fixed) return fixed;
  if (domainSid && sid.isInDomain(domainSid)) return aliasByRid.get(sid.rid!);
  return undefined;
}
