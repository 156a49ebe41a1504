// A seeded generator of registry.pol instruction lists covering every type, every directive and the
// edge cases of ../shared/specs/gpreg-checklist.md §5. Used by the differential test against Samba,
// the fuzz test and the benchmark.

import type { PolInstruction } from '../../../src/formats/regpol/index.js';
import { decodeString, encodeValue } from '../../../src/formats/value.js';

/** mulberry32: small, fast, good enough for test data, and the same sequence on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const bytes = (r: Rand, n: number): Buffer => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
};

const KEYS = [
  'Software\\Policies\\Microsoft\\Windows\\System',
  'Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU',
  'Software\\Policies\\Microsoft\\Internet Explorer\\Main',
  'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer',
  'Software\\Policies\\Lab\\Ünïcödé\\日本語',
  'Software\\Policies\\Lab\\Emoji😀Key',
  'System\\CurrentControlSet\\Services\\Lab',
  'Software\\Policies\\Lab\\' + 'Deep\\'.repeat(30) + 'End',
  'Software\\Policies\\Lab\\Spaces In Name\\ and ; semicolon ] bracket [',
  '\\Software\\Policies\\Lab\\LeadingSlash',
  'Software\\Policies\\Lab\\TrailingSlash\\',
  'Software\\\\Policies\\Lab\\DoubleSlash',
  'K',
];

const NAMES = ['Enabled', 'Value', 'ServerName', 'Path', 'List', 'Ünïcödé', '値', 'Spaces in name', 'semi;colon', 'bracket]', 'x'.repeat(259), '😀'];

const DIRECTIVES = ['**del.', '**DEL.', '**Del.', '**delvals.', '**DelVals.', '**DeleteValues', '**deletevalues', '**DeleteKeys', '**DELETEKEYS', '**SecureKey', '**securekey', '**soft.', '**Soft.', '**Comment:', '**unknown'];

const WORDS = ['', 'a', 'hello', 'C:\\Program Files\\Lab', '%SystemRoot%\\system32', 'café 日本 😀', 'semi;colon]bracket[', 'x'.repeat(300)];

/** Data for a type, mostly as Windows writes it, sometimes in the shapes real files bend into. */
function dataFor(r: Rand, type: number, edge: boolean): Buffer {
  if (edge) {
    switch (int(r, 0, 5)) {
      case 0:
        return Buffer.alloc(0);
      case 1:
        return bytes(r, int(r, 1, 9) * 2 + 1); // odd size
      case 2:
        return Buffer.from('5d003b0000005b00', 'hex'); // delimiters inside data
      case 3:
        return Buffer.from(pick(r, WORDS), 'utf16le'); // string without terminator
      case 4:
        return bytes(r, int(r, 65536, 70000)); // over the ABNF's 65535
      default:
        return bytes(r, int(r, 0, 40));
    }
  }
  switch (type) {
    case 1:
    case 2:
      return encodeValue(type, pick(r, WORDS));
    case 4:
    case 5:
      return encodeValue(type, Math.floor(r() * 0x100000000));
    case 11:
      return encodeValue(type, (BigInt(Math.floor(r() * 0x100000000)) << 32n) | BigInt(Math.floor(r() * 0x100000000)));
    case 7: {
      const shape = int(r, 0, 4);
      if (shape === 0) return Buffer.from('\0', 'utf16le'); // empty list, one NUL
      if (shape === 1) return Buffer.from('\0\0', 'utf16le'); // empty list, two NULs
      if (shape === 2) return Buffer.from('a\0\0b\0\0', 'utf16le'); // empty string inside
      if (shape === 3) return Buffer.from('a\0b', 'utf16le'); // no final terminators
      return encodeValue(7, Array.from({ length: int(r, 1, 5) }, () => pick(r, WORDS.filter((w) => w !== ''))));
    }
    default:
      return bytes(r, int(r, 0, 64));
  }
}

const TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x20, 0x12345678];

/** One instruction; `edges` allows the shapes outside the ABNF. */
export function randomInstruction(r: Rand, edges: boolean): PolInstruction {
  const key = pick(r, KEYS);
  const roll = r();
  if (roll < 0.2) {
    const d = pick(r, DIRECTIVES);
    const lower = d.toLowerCase();
    if (lower === '**securekey') return { key, valueName: d, type: 4, data: encodeValue(4, int(r, 0, 2)) };
    if (lower === '**deletevalues' || lower === '**deletekeys') return { key, valueName: d, type: 1, data: encodeValue(1, 'a;b c;;' + pick(r, NAMES)) };
    if (lower === '**soft.') {
      const type = pick(r, [1, 2, 3, 4, 7, 11]);
      return { key, valueName: d + pick(r, NAMES), type, data: dataFor(r, type, false) };
    }
    const suffix = lower === '**del.' ? pick(r, [...NAMES, '']) : lower === '**comment:' ? 'note' : '';
    return { key, valueName: d + suffix, type: 1, data: encodeValue(1, ' ') };
  }
  if (roll < 0.25) return { key, valueName: '', type: 0, data: Buffer.alloc(0) }; // key-only
  const type = pick(r, TYPES);
  const valueName = r() < 0.05 ? '' : pick(r, NAMES);
  const edge = edges && r() < 0.15;
  let data = dataFor(r, type, edge);
  if (data.length > 65535 && r() < 0.8) data = data.subarray(0, 100); // keep big ones rare
  return { key, valueName, type, data };
}

export function randomFile(seed: number, edges = true): PolInstruction[] {
  const r = rng(seed);
  return Array.from({ length: int(r, 0, 30) }, () => randomInstruction(r, edges));
}

/** Instructions Samba 4.17's NDR reader refuses: its typed union arms need a string that converts
 * from UTF-16 ("Character Conversion Error" on a lone surrogate) and at least one UTF-16 unit, or
 * at least 4/8 bytes for DWORD/QWORD ("Buffer Size Error"; it reads the first 4/8 and ignores the rest). We read them; the differential test checks
 * that these are exactly the files Samba refuses. */
export function sambaRefuses(e: PolInstruction): boolean {
  const n = e.data.length;
  if (e.type === 1 || e.type === 2) return n < 2 || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(decodeString(e.data));
  if (e.type === 4 || e.type === 5) return n < 4;
  if (e.type === 11) return n < 8;
  return false;
}

/** Samba keeps no data for REG_NONE (it reads the size but writes 0 bytes back). */
export function sambaDropsData(e: PolInstruction): boolean {
  return e.type === 0 && e.data.length > 0;
}

const k = 'Software\\Policies\\Edge';
/** The edge cases of gpreg-checklist.md §5, one file each (so that one Samba refusal hides nothing). */
export const EDGE_CASES: [string, PolInstruction[]][] = [
  ['empty-value-name', [{ key: k, valueName: '', type: 1, data: encodeValue(1, 'default') }]],
  ['key-only', [{ key: k, valueName: '', type: 0, data: Buffer.alloc(0) }]],
  ['zero-size-sz', [{ key: k, valueName: 'v', type: 1, data: Buffer.alloc(0) }]],
  ['zero-size-binary', [{ key: k, valueName: 'v', type: 3, data: Buffer.alloc(0) }]],
  ['odd-size-sz', [{ key: k, valueName: 'v', type: 1, data: Buffer.from('610062', 'hex') }]],
  ['odd-size-expand-sz', [{ key: k, valueName: 'v', type: 2, data: Buffer.from('2500780025000000ff', 'hex') }]],
  ['sz-without-terminator', [{ key: k, valueName: 'v', type: 1, data: Buffer.from('abc', 'utf16le') }]],
  ['sz-embedded-nul', [{ key: k, valueName: 'v', type: 1, data: Buffer.from('ab\0cd\0', 'utf16le') }]],
  ['dword-3-bytes', [{ key: k, valueName: 'v', type: 4, data: Buffer.from('010203', 'hex') }]],
  ['dword-8-bytes', [{ key: k, valueName: 'v', type: 4, data: Buffer.from('0102030405060708', 'hex') }]],
  ['qword-4-bytes', [{ key: k, valueName: 'v', type: 11, data: Buffer.from('01020304', 'hex') }]],
  ['multi-sz-empty-one-nul', [{ key: k, valueName: 'v', type: 7, data: Buffer.from('0000', 'hex') }]],
  ['multi-sz-empty-two-nuls', [{ key: k, valueName: 'v', type: 7, data: Buffer.from('00000000', 'hex') }]],
  ['multi-sz-no-final-nul', [{ key: k, valueName: 'v', type: 7, data: Buffer.from('a\0b', 'utf16le') }]],
  ['multi-sz-empty-inside', [{ key: k, valueName: 'v', type: 7, data: Buffer.from('a\0\0b\0\0', 'utf16le') }]],
  ['data-with-delimiters', [{ key: k, valueName: 'v', type: 3, data: Buffer.from('5d003b0000005b005d00', 'hex') }]],
  ['data-over-65535', [{ key: k, valueName: 'v', type: 3, data: Buffer.alloc(65536 + 1000, 0x5d) }]],
  ['unknown-type', [{ key: k, valueName: 'v', type: 0x12345678, data: Buffer.from('beef', 'hex') }]],
  ['reg-none-with-data', [{ key: k, valueName: 'v', type: 0, data: Buffer.from('0102', 'hex') }]],
  ['key-slashes', [{ key: '\\Software\\\\Policies\\', valueName: 'v', type: 4, data: encodeValue(4, 1) }]],
  ['key-with-root', [{ key: 'HKLM\\Software\\Policies', valueName: 'v', type: 4, data: encodeValue(4, 1) }]],
  ['non-ascii-names', [{ key: 'Software\\Ключ\\😀', valueName: 'Ünïcödé 値', type: 1, data: encodeValue(1, 'x') }]],
  ['long-value-name', [{ key: k, valueName: 'n'.repeat(300), type: 4, data: encodeValue(4, 1) }]],
  ['directives-odd-case', [
    { key: k, valueName: '**DEL.x', type: 1, data: encodeValue(1, ' ') },
    { key: k, valueName: '**DeLvAlS.', type: 1, data: encodeValue(1, ' ') },
    { key: k, valueName: '**deletevalues', type: 1, data: encodeValue(1, 'a;;b c;') },
    { key: k, valueName: '**DELETEKEYS', type: 1, data: encodeValue(1, 'k') },
    { key: k, valueName: '**SECUREKEY', type: 4, data: encodeValue(4, 0) },
    { key: k, valueName: '**SOFT.y', type: 11, data: encodeValue(11, 7n) },
    { key: k, valueName: '**Comment:z', type: 1, data: encodeValue(1, 'c') },
  ]],
  ['securekey-wrong-type', [{ key: k, valueName: '**SecureKey', type: 1, data: encodeValue(1, '1') }]],
  ['same-value-twice', [
    { key: k, valueName: 'v', type: 4, data: encodeValue(4, 1) },
    { key: k.toUpperCase(), valueName: 'V', type: 4, data: encodeValue(4, 2) },
  ]],
  ['delete-then-set', [
    { key: k, valueName: '**delvals.', type: 1, data: encodeValue(1, ' ') },
    { key: k, valueName: 'v', type: 4, data: encodeValue(4, 2) },
  ]],
];
