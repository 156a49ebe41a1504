// SDDL: MS-DTYP §2.5.1.1. Parses to and formats from the parts of a security descriptor; the
// SecurityDescriptor class (descriptor.ts) wraps these. Conditional (XA/XD/XU/ZA) and resource
// attribute (RA) ACEs are not supported: parsing them is a FormatError, formatting them a UsageError.

import { FormatError, UsageError } from '../util/errors.js';
import {
  ACCESS_ALLOWED_ACE_TYPE, ACCESS_ALLOWED_OBJECT_ACE_TYPE, ACCESS_DENIED_ACE_TYPE, ACCESS_DENIED_OBJECT_ACE_TYPE,
  CONTAINER_INHERIT_ACE, FAILED_ACCESS_ACE_FLAG, INHERITED_ACE, INHERIT_ONLY_ACE, NO_PROPAGATE_INHERIT_ACE,
  OBJECT_INHERIT_ACE, SUCCESSFUL_ACCESS_ACE_FLAG, SYSTEM_ALARM_ACE_TYPE, SYSTEM_ALARM_OBJECT_ACE_TYPE,
  SYSTEM_AUDIT_ACE_TYPE, SYSTEM_AUDIT_OBJECT_ACE_TYPE, SYSTEM_MANDATORY_LABEL_ACE_TYPE, SYSTEM_SCOPED_POLICY_ID_ACE_TYPE,
  ACE_INHERITED_OBJECT_TYPE_PRESENT, ACE_OBJECT_TYPE_PRESENT, isObjectAceType, isOpaqueAce, type Ace, type AnyAce,
} from './ace.js';
import { Acl } from './acl.js';
import {
  SE_DACL_AUTO_INHERITED, SE_DACL_AUTO_INHERIT_REQ, SE_DACL_PROTECTED, SE_SACL_AUTO_INHERITED,
  SE_SACL_AUTO_INHERIT_REQ, SE_SACL_PROTECTED,
} from './control.js';
import { isGuidString } from './guid.js';
import { aliasForSid, parseSidText, sidFromAlias, type Sid } from './sid.js';

export interface SddlOptions {
  /** Resolves and produces the domain-relative aliases (DA, DU, DG, DC, DD, CA, SA, EA, PA, RS, LA, LG, RO, CN). */
  domainSid?: Sid;
  /**
   * Formatting: use the whole-mask aliases KA/KR/KW and FA/FR/FW/FX when a mask equals one (default true,
   * as Windows prints registry ACLs). False spells masks with single-right aliases only (older Samba
   * releases cannot parse KA/KR/KW/KX).
   */
  compositeRights?: boolean;
}

/** The parts an SDDL string describes. */
export interface SddlParts {
  owner?: Sid;
  group?: Sid;
  dacl?: Acl | null;
  sacl?: Acl | null;
  control: number;
}

const FORMAT = 'SDDL';

const ACE_TYPES: Readonly<Record<string, number>> = {
  A: ACCESS_ALLOWED_ACE_TYPE,
  D: ACCESS_DENIED_ACE_TYPE,
  AU: SYSTEM_AUDIT_ACE_TYPE,
  AL: SYSTEM_ALARM_ACE_TYPE,
  OA: ACCESS_ALLOWED_OBJECT_ACE_TYPE,
  OD: ACCESS_DENIED_OBJECT_ACE_TYPE,
  OU: SYSTEM_AUDIT_OBJECT_ACE_TYPE,
  OL: SYSTEM_ALARM_OBJECT_ACE_TYPE,
  ML: SYSTEM_MANDATORY_LABEL_ACE_TYPE,
  SP: SYSTEM_SCOPED_POLICY_ID_ACE_TYPE,
};
const ACE_TYPE_NAMES = new Map<number, string>(Object.entries(ACE_TYPES).map(([k, v]) => [v, k]));

// Output order is the order of this table (OI CI NP IO ID SA FA, as Windows and Samba print them).
const ACE_FLAGS: readonly [string, number][] = [
  ['OI', OBJECT_INHERIT_ACE],
  ['CI', CONTAINER_INHERIT_ACE],
  ['NP', NO_PROPAGATE_INHERIT_ACE],
  ['IO', INHERIT_ONLY_ACE],
  ['ID', INHERITED_ACE],
  ['SA', SUCCESSFUL_ACCESS_ACE_FLAG],
  ['FA', FAILED_ACCESS_ACE_FLAG],
];

// Single rights, in output order: generic, then object-specific, then standard (MS-DTYP §2.5.1.1 tables).
const RIGHTS: readonly [string, number][] = [
  ['GA', 0x10000000], ['GR', 0x80000000], ['GW', 0x40000000], ['GX', 0x20000000],
  ['CC', 0x1], ['DC', 0x2], ['LC', 0x4], ['SW', 0x8], ['RP', 0x10], ['WP', 0x20], ['DT', 0x40], ['LO', 0x80], ['CR', 0x100],
  ['SD', 0x10000], ['RC', 0x20000], ['WD', 0x40000], ['WO', 0x80000],
];
// Whole-mask aliases. KX equals KR; KR is printed.
const COMPOSITE_RIGHTS: readonly [string, number][] = [
  ['KA', 0x000f003f], ['KR', 0x00020019], ['KW', 0x00020006], ['KX', 0x00020019],
  ['FA', 0x001f01ff], ['FR', 0x00120089], ['FW', 0x00120116], ['FX', 0x001200a0],
];
// Mandatory label policy (MS-DTYP §2.4.4.13), printed for ML ACEs instead of CC/DC/LC.
const LABEL_RIGHTS: readonly [string, number][] = [['NW', 0x1], ['NR', 0x2], ['NX', 0x4]];

const RIGHT_VALUES = new Map<string, number>([...RIGHTS, ...COMPOSITE_RIGHTS, ...LABEL_RIGHTS]);

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  fail(expected: string, at = this.pos, detail?: string): never {
    const found = detail ?? (at < this.text.length ? JSON.stringify(this.text.slice(at, at + 12)) : 'end of string');
    throw new FormatError(FORMAT, at, expected, found, { line: 1, column: at + 1 });
  }
}

export function parseSddl(text: string, options: SddlOptions = {}): SddlParts {
  const c = new Cursor(text);
  const parts: SddlParts = { control: 0 };
  const seen = new Set<string>();
  while (c.pos < text.length) {
    const at = c.pos;
    const tag = text.slice(at, at + 2).toUpperCase();
    if (!/^[OGDS]:$/.test(tag)) c.fail("a section 'O:', 'G:', 'D:' or 'S:'");
    if (seen.has(tag)) c.fail(`one '${tag}' section only`, at, 'a second one');
    seen.add(tag);
    c.pos += 2;
    if (tag === 'O:' || tag === 'G:') {
      const end = nextSection(text, c.pos);
      if (end === c.pos) c.fail('a SID or SID alias');
      const sid = parseSidField(c, c.pos, end, options);
      if (tag === 'O:') parts.owner = sid;
      else parts.group = sid;
      c.pos = end;
    } else {
      const isDacl = tag === 'D:';
      const { acl, control } = parseAcl(c, isDacl, options);
      parts.control |= control;
      if (isDacl) parts.dacl = acl;
      else parts.sacl = acl;
    }
  }
  return parts;
}

/** Index of the next 'X:' section tag (X in O, G, D, S) at or after `from`, or the end of the text. */
function nextSection(text: string, from: number): number {
  for (let i = from; i < text.length - 1; i++) {
    if (text[i + 1] === ':' && /[OGDSogds]/.test(text[i]!)) return i;
  }
  return text.length;
}

function parseSidField(c: Cursor, start: number, end: number, options: SddlOptions): Sid {
  const s = c.text.slice(start, end);
  if (/^[sS]-/.test(s)) return parseSidText(c.text, start, end, FORMAT);
  if (/^[A-Za-z]{2}$/.test(s)) {
    const sid = sidFromAlias(s, options.domainSid);
    if (sid) return sid;
    c.fail(options.domainSid ? 'a known SID alias' : 'a known SID alias (domain-relative aliases need options.domainSid)', start, JSON.stringify(s));
  }
  return c.fail('a SID string (S-1-…) or a two-letter SID alias', start, JSON.stringify(s));
}

function parseAcl(c: Cursor, isDacl: boolean, options: SddlOptions): { acl: Acl | null; control: number } {
  const text = c.text;
  let control = 0;
  let isNull = false;
  // acl-flag-string: P, AR, AI (any order), and Windows' NO_ACCESS_CONTROL for a NULL ACL
  for (;;) {
    const rest = text.slice(c.pos);
    if (/^NO_ACCESS_CONTROL/i.test(rest)) {
      isNull = true;
      c.pos += 'NO_ACCESS_CONTROL'.length;
    } else if (/^AR/i.test(rest)) {
      control |= isDacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ;
      c.pos += 2;
    } else if (/^AI/i.test(rest)) {
      control |= isDacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
      c.pos += 2;
    } else if (/^P/i.test(rest) && !/^P:/i.test(rest)) {
      control |= isDacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED;
      c.pos += 1;
    } else break;
  }
  const aces: AnyAce[] = [];
  while (text[c.pos] === '(') {
    if (isNull) c.fail("no ACEs after 'NO_ACCESS_CONTROL'");
    aces.push(parseAce(c, options));
  }
  if (c.pos < text.length && nextSection(text, c.pos) !== c.pos) c.fail("an ACE '(', a flag P/AR/AI, or the next section");
  return { acl: isNull ? null : new Acl(aces), control };
}

function parseAce(c: Cursor, options: SddlOptions): Ace {
  const text = c.text;
  const open = c.pos;
  const close = text.indexOf(')', open);
  if (close < 0) c.fail("an ACE ending with ')'", open);
  const body = text.slice(open + 1, close);
  const fields = body.split(';');
  const starts: number[] = [];
  let p = open + 1;
  for (const f of fields) {
    starts.push(p);
    p += f.length + 1;
  }
  if (fields.length !== 6) {
    if (/^(XA|XD|XU|ZA|RA)$/i.test(fields[0] ?? '')) c.fail('a supported ACE type (conditional and resource attribute ACEs are not supported)', open + 1);
    c.fail('an ACE of six fields: type;flags;rights;object-guid;inherit-object-guid;sid', open, `${fields.length} fields`);
  }
  const [typeText, flagsText, rightsText, objText, inhText, sidText] = fields as [string, string, string, string, string, string];

  const type = ACE_TYPES[typeText.toUpperCase()];
  if (type === undefined) c.fail('an ACE type A, D, AU, AL, OA, OD, OU, OL, ML or SP', starts[0], JSON.stringify(typeText));

  let flags = 0;
  for (let i = 0; i < flagsText.length; i += 2) {
    const tok = flagsText.slice(i, i + 2).toUpperCase();
    const f = ACE_FLAGS.find(([n]) => n === tok);
    if (!f) c.fail('an ACE flag OI, CI, NP, IO, ID, SA or FA', starts[1]! + i, JSON.stringify(tok));
    flags |= f[1];
  }

  const mask = parseRights(c, rightsText, starts[2]!);

  const ace: Ace = { type, flags, mask, sid: undefined as unknown as Sid };
  if (isObjectAceType(type)) {
    let objectFlags = 0;
    if (objText) {
      if (!isGuidString(objText)) c.fail('an object GUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', starts[3], JSON.stringify(objText));
      ace.objectType = objText.toLowerCase();
      objectFlags |= ACE_OBJECT_TYPE_PRESENT;
    }
    if (inhText) {
      if (!isGuidString(inhText)) c.fail('an inherited object GUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', starts[4], JSON.stringify(inhText));
      ace.inheritedObjectType = inhText.toLowerCase();
      objectFlags |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
    }
    ace.objectFlags = objectFlags;
  } else {
    if (objText) c.fail('an empty object GUID field (only OA, OD, OU and OL ACEs have one)', starts[3]);
    if (inhText) c.fail('an empty inherited object GUID field (only OA, OD, OU and OL ACEs have one)', starts[4]);
  }
  if (!sidText) c.fail('a trustee SID or SID alias', starts[5]);
  ace.sid = parseSidField(c, starts[5]!, starts[5]! + sidText.length, options);
  c.pos = close + 1;
  return ace;
}

function parseRights(c: Cursor, text: string, at: number): number {
  if (text === '') return 0;
  let value: number | undefined;
  if (/^0[xX][0-9a-fA-F]{1,8}$/.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) value = parseInt(text.slice(1), 8);
  else if (/^[0-9]+$/.test(text)) value = Number(text);
  if (value !== undefined) {
    if (!(value <= 0xffffffff)) c.fail('an access mask that fits in 32 bits', at, text);
    return value >>> 0;
  }
  let mask = 0;
  for (let i = 0; i < text.length; i += 2) {
    const tok = text.slice(i, i + 2).toUpperCase();
    const v = RIGHT_VALUES.get(tok);
    if (v === undefined) c.fail('an access right alias (GA, GR, KA, KR, RC, WD, …) or a 0x hex mask', at + i, JSON.stringify(tok));
    mask |= v;
  }
  return mask >>> 0;
}

// ---- formatting ----

export function formatSddl(sd: SddlParts, options: SddlOptions = {}): string {
  let out = '';
  if (sd.owner) out += 'O:' + formatSid(sd.owner, options);
  if (sd.group) out += 'G:' + formatSid(sd.group, options);
  if (sd.dacl !== undefined) out += 'D:' + formatAcl(sd.dacl, sd.control, true, options);
  if (sd.sacl !== undefined) out += 'S:' + formatAcl(sd.sacl, sd.control, false, options);
  return out;
}

function formatSid(sid: Sid, options: SddlOptions): string {
  return aliasForSid(sid, options.domainSid) ?? sid.toString();
}

function formatAcl(acl: Acl | null, control: number, isDacl: boolean, options: SddlOptions): string {
  let out = '';
  if (control & (isDacl ? SE_DACL_PROTECTED : SE_SACL_PROTECTED)) out += 'P';
  if (control & (isDacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ)) out += 'AR';
  if (control & (isDacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED)) out += 'AI';
  if (acl === null) return out + 'NO_ACCESS_CONTROL';
  for (const ace of acl.aces) out += formatAce(ace, options);
  return out;
}

function formatAce(ace: AnyAce, options: SddlOptions): string {
  const typeName = ACE_TYPE_NAMES.get(ace.type);
  if (typeName === undefined || isOpaqueAce(ace)) throw new UsageError(`ACE type 0x${ace.type.toString(16)} has no SDDL form here`);
  let flags = '';
  let rest = ace.flags;
  for (const [name, bit] of ACE_FLAGS) {
    if (rest & bit) {
      flags += name;
      rest &= ~bit;
    }
  }
  if (rest) throw new UsageError(`ACE flags 0x${ace.flags.toString(16)} have no SDDL form`);
  const rights = formatRights(ace.mask >>> 0, ace.type === SYSTEM_MANDATORY_LABEL_ACE_TYPE, options);
  return `(${typeName};${flags};${rights};${ace.objectType ?? ''};${ace.inheritedObjectType ?? ''};${formatSid(ace.sid, options)})`;
}

export function formatRights(mask: number, isLabel = false, options: SddlOptions = {}): string {
  if (mask === 0) return '';
  if (!isLabel && options.compositeRights !== false) {
    const whole = COMPOSITE_RIGHTS.find(([, v]) => v === mask);
    if (whole) return whole[0];
  }
  let out = '';
  let rest = mask;
  for (const [name, bit] of isLabel ? LABEL_RIGHTS : RIGHTS) {
    if ((rest & bit) >>> 0 === bit) {
      out += name;
      rest = (rest & ~bit) >>> 0;
    }
  }
  return rest === 0 ? out : '0x' + mask.toString(16);
}
