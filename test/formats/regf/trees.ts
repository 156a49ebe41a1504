// Test trees and a comparison that ignores subkey order (hives sort, .reg files keep file order).

import type { RegTreeKey, RegTreeValue } from '../../../src/formats/tree.js';
import { upcaseName } from '../../../src/formats/tree.js';

export const sz = (s: string): Buffer => Buffer.from(s + '\0', 'utf16le');
export const multi = (items: string[]): Buffer => Buffer.from(items.join('\0') + '\0\0', 'utf16le');
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
export const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

export function key(name: string, values: RegTreeValue[] = [], subkeys: RegTreeKey[] = [], extra: Partial<RegTreeKey> = {}): RegTreeKey {
  return { name, values, subkeys, ...extra };
}

export const val = (name: string, type: number, data: Buffer): RegTreeValue => ({ name, type, data });

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

export interface SampleOptions {
  /** Names and strings limited to ASCII (for readers that mangle the rest). */
  ascii?: boolean;
  /** Include a value over 16,344 bytes (big data). */
  big?: boolean;
  /** Subkeys under Many (enough to split the list under an ri). */
  many?: number;
}

/** Every value type, odd names, big data, empty keys, class names, many subkeys. */
export function sampleTree(opts: SampleOptions = {}): RegTreeKey {
  const u = (s: string, ascii: string) => (opts.ascii ? ascii : s);
  const lab = key('Lab', [
    val('', 1, sz('default value')),
    val('Sz', 1, sz(u('hello café "q" \\ back', 'hello "q" \\ back'))),
    val('EmptySz', 1, sz('')),
    val('ExpandSz', 2, sz('%SystemRoot%\\system32')),
    val('Binary', 3, Buffer.from([0, 1, 0x7f, 0x80, 0xff])),
    val('EmptyBinary', 3, Buffer.alloc(0)),
    val('LongBinary', 3, bytes(300, 7)),
    val('Dword', 4, u32(0xdeadbeef)),
    val('DwordBE', 5, Buffer.from([1, 2, 3, 4])),
    val('Link', 6, Buffer.from('\\Registry\\Machine\\Software', 'utf16le')),
    val('MultiSz', 7, multi(['one', 'two', u('thrée', 'three')])),
    val('ResourceList', 8, bytes(40, 8)),
    val('FullResource', 9, bytes(36, 9)),
    val('ResourceReq', 10, bytes(48, 10)),
    val('Qword', 11, u64(0xfffffffffffffffen)),
    val('None', 0, Buffer.alloc(0)),
    val('NoneData', 0, Buffer.from([1, 2, 3])),
    val('Unknown', 0x12345, Buffer.from([9, 8, 7, 6, 5, 4])),
    val('Type100', 0x100, bytes(3, 11)),
    val(u('Ünïcødé €', 'Spaces and = signs'), 1, sz(u('värde Ω', 'value'))),
  ]);
  lab.className = 'LabClass';
  const sub1 = key('Sub1', [val('Small', 4, u32(1))], [key('Sub2', [], [key('Deep')])]);
  const empty = key('Empty');
  lab.subkeys.push(sub1, empty, key(u('Ωmega key', 'omega key')), key('Sub;with,punct'));
  if (opts.big) {
    lab.values.push(val('Big', 3, bytes(40000, 3)));
    lab.values.push(val('BigSz', 1, sz('x'.repeat(9000))));
    lab.values.push(val('Edge', 3, bytes(16344, 5)));
  }
  const many = key('Many');
  for (let i = 0; i < (opts.many ?? 0); i++) many.subkeys.push(key(`K${String(i).padStart(5, '0')}`, i % 3 === 0 ? [val('I', 4, u32(i))] : []));
  if (opts.many) lab.subkeys.push(many);
  return key('ROOT', [], [lab]);
}

export interface FlatKey {
  path: string;
  className?: string;
  values: { name: string; type: number; data: string }[];
}

/** Keys by upcased path, values sorted by upcased name, data as hex. */
export function flatten(tree: RegTreeKey, opts: { classes?: boolean } = {}): Map<string, FlatKey> {
  const out = new Map<string, FlatKey>();
  const walk = (k: RegTreeKey, path: string): void => {
    const f: FlatKey = {
      path,
      values: k.values
        .map((v) => ({ name: v.name, type: v.type, data: v.data.toString('hex') }))
        .sort((a, b) => (upcaseName(a.name) < upcaseName(b.name) ? -1 : 1)),
    };
    if (opts.classes && k.className) f.className = k.className;
    out.set(upcaseName(path), f);
    for (const s of k.subkeys) walk(s, path + '\\' + s.name);
  };
  walk(tree, '');
  return out;
}

/** Plain objects for toEqual: keys sorted. */
export function flatObject(tree: RegTreeKey, opts: { classes?: boolean } = {}): Record<string, FlatKey> {
  return Object.fromEntries([...flatten(tree, opts).entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
