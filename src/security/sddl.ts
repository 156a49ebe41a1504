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

/** Two ASCII letters, upper-cased, as one number: a Map key that needs no substring. */
function code2(text: string, i: number): number {
  return ((text.charCodeAt(i) & ~0x20) << 8) | (text.charCodeAt(i + 1) & ~0x20);
}
const byCode = (table: readonly [string, number][]) => new Map(table.map(([n, v]) => [code2(n, 0), v]));
const RIGHT_CODES = byCode([...RIGHTS, ...COMPOSITE_RIGHTS, ...LABEL_RIGHTS]);
// one-letter types (A, D) by their character code, two-letter ones by code2
const ACE_TYPE_CODES = new Map<number, number>(Object.entries(ACE_TYPES).map(([n, v]) => [n.length === 1 ? n.charCodeAt(0) : code2(n, 0), v]));
const FLAG_CODES = byCode(ACE_FLAGS);

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
  let seen = '';
  while (c.pos < text.length) {
    const at = c.pos;
    const tag = text.charCodeAt(at) & ~0x20; // upper case
    if (text.charCodeAt(at + 1) !== 0x3a || !(tag === 0x4f || tag === 0x47 || tag === 0x44 || tag === 0x53)) {
      c.fail("a section 'O:', 'G:', 'D:' or 'S:'");
    }
    const name = String.fromCharCode(tag);
    if (seen.includes(name)) c.fail(`one '${name}:' section only`, at, 'a second one');
    seen += name;
    c.pos += 2;
    if (name === 'O' || name === 'G') {
      const end = nextSection(text, c.pos);
      if (end === c.pos) c.fail('a SID or SID alias');
      const sid = parseSidField(c, c.pos, end, options);
      if (name === 'O') parts.owner = sid;
      else parts.group = sid;
      c.pos = end;
    } else {
      const isDacl = name === 'D';
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
  for (let i = text.indexOf(':', from + 1); i > 0; i = text.indexOf(':', i + 1)) {
    const c = text.charCodeAt(i - 1) | 0x20; // lower case
    if (c === 0x6f || c === 0x67 || c === 0x64 || c === 0x73) return i - 1; // o g d s
  }
  return text.length;
}

/** Case-insensitive `word` at `pos` (word in upper case). */
function at(text: string, pos: number, word: string): boolean {
  if (pos + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = text.charCodeAt(pos + i);
    if (c !== word.charCodeAt(i) && c !== (word.charCodeAt(i) | 0x20)) return false;
  }
  return true;
}

function parseSidField(c: Cursor, start: number, end: number, options: SddlOptions): Sid {
  const first = c.text.charCodeAt(start) | 0x20;
  if (first === 0x73 && c.text.charCodeAt(start + 1) === 0x2d) return parseSidText(c.text, start, end, FORMAT); // 's-'
  if (end - start === 2) {
    const sid = sidFromAlias(c.text, options.domainSid, start);
    if (sid) return sid;
  }
  const s = c.text.slice(start, end);
  if (/^[A-Za-z]{2}$/.test(s)) {
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
    if (at(text, c.pos, 'NO_ACCESS_CONTROL')) {
      isNull = true;
      c.pos += 'NO_ACCESS_CONTROL'.length;
    } else if (at(text, c.pos, 'AR')) {
      control |= isDacl ? SE_DACL_AUTO_INHERIT_REQ : SE_SACL_AUTO_INHERIT_REQ;
      c.pos += 2;
    } else if (at(text, c.pos, 'AI')) {
      control |= isDacl ? SE_DACL_AUTO_INHERITED : SE_SACL_AUTO_INHERITED;
      c.pos += 2;
    } else if (at(text, c.pos, 'P')) {
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
  // type;flags;rights;object-guid;inherit-object-guid;sid: the five ';' before `close`
  const t0 = open + 1;
  const s1 = text.indexOf(';', t0);
  const s2 = s1 < 0 ? -1 : text.indexOf(';', s1 + 1);
  const s3 = s2 < 0 ? -1 : text.indexOf(';', s2 + 1);
  const s4 = s3 < 0 ? -1 : text.indexOf(';', s3 + 1);
  const s5 = s4 < 0 ? -1 : text.indexOf(';', s4 + 1);
  const s6 = s5 < 0 ? -1 : text.indexOf(';', s5 + 1);
  if (s5 < 0 || s5 > close || (s6 >= 0 && s6 < close)) {
    if (/^(XA|XD|XU|ZA|RA)$/i.test(text.slice(t0, s1 < 0 || s1 > close ? close : s1))) {
      c.fail('a supported ACE type (conditional and resource attribute ACEs are not supported)', t0);
    }
    let fields = 1;
    for (let p = text.indexOf(';', open); p >= 0 && p < close; p = text.indexOf(';', p + 1)) fields++;
    c.fail('an ACE of six fields: type;flags;rights;object-guid;inherit-object-guid;sid', open, `${fields} fields`);
  }

  const typeLen = s1 - t0;
  const type = typeLen === 1 ? ACE_TYPE_CODES.get(text.charCodeAt(t0) & ~0x20) : typeLen === 2 ? ACE_TYPE_CODES.get(code2(text, t0)) : undefined;
  if (type === undefined) c.fail('an ACE type A, D, AU, AL, OA, OD, OU, OL, ML or SP', t0, JSON.stringify(text.slice(t0, s1)));

  let flags = 0;
  for (let i = s1 + 1; i < s2; i += 2) {
    const v = i + 1 < s2 ? FLAG_CODES.get(code2(text, i)) : undefined;
    if (v === undefined) c.fail('an ACE flag OI, CI, NP, IO, ID, SA or FA', i, JSON.stringify(text.slice(i, Math.min(i + 2, s2))));
    flags |= v;
  }

  const mask = parseRights(c, s2 + 1, s3);
  const sid = parseSidField(c, s5 + 1, close, options);
  c.pos = close + 1;
  if (!isObjectAceType(type)) {
    if (s4 > s3 + 1) c.fail('an empty object GUID field (only OA, OD, OU and OL ACEs have one)', s3 + 1);
    if (s5 > s4 + 1) c.fail('an empty inherited object GUID field (only OA, OD, OU and OL ACEs have one)', s4 + 1);
    return { type, flags, mask, sid };
  }
  const ace: Ace = { type, flags, mask, sid, objectFlags: 0 };
  if (s4 > s3 + 1) {
    const g = text.slice(s3 + 1, s4);
    if (!isGuidString(g)) c.fail('an object GUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', s3 + 1, JSON.stringify(g));
    ace.objectType = g.toLowerCase();
    ace.objectFlags! |= ACE_OBJECT_TYPE_PRESENT;
  }
  if (s5 > s4 + 1) {
    const g = text.slice(s4 + 1, s5);
    if (!isGuidString(g)) c.fail('an inherited object GUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', s4 + 1, JSON.stringify(g));
    ace.inheritedObjectType = g.toLowerCase();
    ace.objectFlags! |= ACE_INHERITED_OBJECT_TYPE_PRESENT;
  }
  return ace;
}

/** The rights field text[start, end): aliases, or a hex, octal or decimal number. */
function parseRights(c: Cursor, start: number, end: number): number {
  const text = c.text;
  if (start === end) return 0;
  const first = text.charCodeAt(start);
  if (first >= 0x30 && first <= 0x39) {
    const t = text.slice(start, end);
    let value: number | undefined;
    if ((t.charCodeAt(1) | 0x20) === 0x78 && t.length >= 3 && t.length <= 10) {
      value = Number(t); // Number('0x…') is strict: NaN on any non-hex digit
      if (Number.isNaN(value)) value = undefined;
    } else if (/^0[xX]/.test(t)) value = undefined;
    else if (/^0[0-7]+$/.test(t)) value = parseInt(t.slice(1), 8);
    else if (/^[0-9]+$/.test(t)) value = Number(t);
    if (value === undefined || !(value <= 0xffffffff)) c.fail('an access mask that fits in 32 bits', start, t);
    return value >>> 0;
  }
  let mask = 0;
  for (let i = start; i < end; i += 2) {
    const v = i + 1 < end ? RIGHT_CODES.get(code2(text, i)) : undefined;
    if (v === undefined) c.fail('an access right alias (GA, GR, KA, KR, RC, WD, …) or a 0x hex mask', i, JSON.stringify(text.slice(i, Math.min(i + 2, end))));
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
