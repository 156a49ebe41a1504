// Registry value types (MS-RRP §2.2.6, winnt.h) and the one codec between a value's raw data bytes and
// its typed form. Every format (registry.pol, .reg, regf) and the registry store share it.

import { UsageError } from '../util/errors.js';

export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
export const REG_QWORD = 11;

const NAMES: readonly string[] = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
];

// Names other tools use for the same types (PowerShell's RegistryValueKind, reg.exe's short forms).
const ALIASES: Record<string, number> = {
  STRING: REG_SZ,
  EXPANDSTRING: REG_EXPAND_SZ,
  BINARY: REG_BINARY,
  DWORD: REG_DWORD,
  DWORD_LITTLE_ENDIAN: REG_DWORD,
  MULTISTRING: REG_MULTI_SZ,
  QWORD: REG_QWORD,
  QWORD_LITTLE_ENDIAN: REG_QWORD,
  NONE: REG_NONE,
};

/** The typed form of a value: strings for REG_SZ/REG_EXPAND_SZ/REG_LINK, string[] for REG_MULTI_SZ,
 * number for REG_DWORD/REG_DWORD_BIG_ENDIAN, bigint for REG_QWORD, bytes for everything else (and for
 * DWORD/QWORD data whose size is not 4/8). */
export type RegValue = string | string[] | number | bigint | Buffer;

/** 'REG_SZ' for 1 …; 'REG_UNKNOWN' for codes outside the defined range (the code itself is kept). */
export function regTypeName(type: number): string {
  return NAMES[type] ?? 'REG_UNKNOWN';
}

/** Accepts 'REG_SZ', 'SZ', 'String' (any case), a decimal or 0x-hex number. */
export function parseRegType(spec: string | number): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0 || spec > 0xffffffff) throw new UsageError(`bad registry type ${spec}`);
    return spec;
  }
  const s = spec.trim().toUpperCase();
  if (/^(0X[0-9A-F]{1,8}|[0-9]{1,10})$/.test(s)) return parseRegType(Number(s));
  const bare = s.startsWith('REG_') ? s.slice(4) : s;
  const i = NAMES.indexOf('REG_' + bare);
  if (i >= 0) return i;
  const alias = ALIASES[bare];
  if (alias !== undefined) return alias;
  throw new UsageError(`unknown registry type '${spec}' (expected REG_SZ, REG_DWORD, ... or a number)`);
}

/** Text of a UTF-16LE string value up to its first NUL; a trailing odd byte is ignored. */
export function decodeString(data: Buffer): string {
  const end = data.length & ~1;
  for (let i = 0; i < end; i += 2) {
    if (data[i] === 0 && data[i + 1] === 0) return data.toString('utf16le', 0, i);
  }
  return data.toString('utf16le', 0, end);
}

/** REG_MULTI_SZ: trailing NULs (string and list terminators) dropped, then split on NUL; empty strings
 * inside the list are kept so that the bytes can be rebuilt. */
export function decodeMultiString(data: Buffer): string[] {
  let end = data.length & ~1;
  while (end >= 2 && data[end - 2] === 0 && data[end - 1] === 0) end -= 2;
  if (end === 0) return [];
  return data.toString('utf16le', 0, end).split('\0');
}

export function decodeValue(type: number, data: Buffer): RegValue {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
      return decodeString(data);
    case REG_LINK:
      return data.toString('utf16le', 0, data.length & ~1);
    case REG_MULTI_SZ:
      return decodeMultiString(data);
    case REG_DWORD:
      return data.length === 4 ? data.readUInt32LE(0) : data;
    case REG_DWORD_BIG_ENDIAN:
      return data.length === 4 ? data.readUInt32BE(0) : data;
    case REG_QWORD:
      return data.length === 8 ? data.readBigUInt64LE(0) : data;
    default:
      return data;
  }
}

function toU32(value: RegValue, type: number): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) {
    throw new UsageError(`${regTypeName(type)} needs an integer from -2147483648 to 4294967295, got ${String(value)}`);
  }
  return n >>> 0;
}

function toU64(value: RegValue, type: number): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else throw new UsageError(`${regTypeName(type)} needs an integer, got ${String(value)}`);
  if (n < -(1n << 63n) || n >= 1n << 64n) throw new UsageError(`${regTypeName(type)} out of range: ${n}`);
  return BigInt.asUintN(64, n);
}

/** Bytes as Windows writes them: strings with a terminating NUL, REG_MULTI_SZ with the list's extra
 * NUL (an empty list is a single NUL), DWORD little-endian. A Buffer is always taken as the raw data. */
export function encodeValue(type: number, value: RegValue): Buffer {
  if (Buffer.isBuffer(value)) return value;
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
      if (typeof value !== 'string') break;
      return Buffer.from(value + '\0', 'utf16le');
    case REG_LINK:
      if (typeof value !== 'string') break;
      return Buffer.from(value, 'utf16le');
    case REG_MULTI_SZ:
      if (typeof value === 'string') value = [value];
      if (!Array.isArray(value)) break;
      return Buffer.from(value.length === 0 ? '\0' : value.join('\0') + '\0\0', 'utf16le');
    case REG_DWORD: {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(toU32(value, type), 0);
      return b;
    }
    case REG_DWORD_BIG_ENDIAN: {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(toU32(value, type), 0);
      return b;
    }
    case REG_QWORD: {
      const b = Buffer.allocUnsafe(8);
      b.writeBigUInt64LE(toU64(value, type), 0);
      return b;
    }
    default:
      if (typeof value === 'string') return Buffer.from(value + '\0', 'utf16le');
  }
  throw new UsageError(`cannot encode ${describe(value)} as ${regTypeName(type)}`);
}

function describe(v: RegValue): string {
  return Array.isArray(v) ? 'a string list' : typeof v;
}

/** JSON form of a decoded value: QWORD as a decimal string, bytes as lowercase hex. */
export function valueToJson(value: RegValue): string | string[] | number {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return value;
}

/** Inverse of valueToJson for a given type: hex strings become bytes for the non-text types. */
export function valueFromJson(type: number, json: unknown): RegValue {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK:
      if (typeof json === 'string') return json;
      break;
    case REG_MULTI_SZ:
      if (Array.isArray(json) && json.every((s) => typeof s === 'string')) return json as string[];
      break;
    case REG_DWORD:
    case REG_DWORD_BIG_ENDIAN:
      if (typeof json === 'number') return json;
      if (typeof json === 'string' && /^(0x[0-9a-f]+|-?\d+)$/i.test(json)) return Number(json);
      break;
    case REG_QWORD:
      if (typeof json === 'number' && Number.isSafeInteger(json)) return BigInt(json);
      if (typeof json === 'string' && /^(0x[0-9a-f]+|-?\d+)$/i.test(json)) return BigInt(json);
      break;
  }
  if (typeof json === 'string') return hexToBytes(json);
  throw new UsageError(`cannot read ${JSON.stringify(json)} as ${regTypeName(type)} data`);
}

/** Lowercase or uppercase hex, optionally with spaces, commas or colons between bytes. */
export function hexToBytes(hex: string): Buffer {
  const clean = hex.replace(/[\s,:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new UsageError(`bad hex data '${hex.length > 40 ? hex.slice(0, 40) + '…' : hex}'`);
  }
  return Buffer.from(clean, 'hex');
}

/**
 * Value data given on a command line, as reg.exe takes it: text for string types, decimal or 0x-hex
 * for DWORD/QWORD, items for REG_MULTI_SZ (several arguments, or one with reg.exe's `\0` separators),
 * hex bytes for everything else.
 */
export function parseValueArgs(type: number, args: string[]): Buffer {
  const one = (): string => {
    if (args.length > 1) throw new UsageError(`${regTypeName(type)} takes one data argument, got ${args.length}`);
    return args[0] ?? '';
  };
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK:
      return encodeValue(type, one());
    case REG_MULTI_SZ: {
      const items = args.length === 1 ? args[0]!.split('\\0') : args;
      return encodeValue(type, items.length === 1 && items[0] === '' ? [] : items);
    }
    case REG_DWORD:
    case REG_DWORD_BIG_ENDIAN: {
      const s = one().trim();
      if (!/^(-?\d+|0x[0-9a-f]{1,8})$/i.test(s)) throw new UsageError(`${regTypeName(type)} data must be a decimal or 0x-hex number, got '${s}'`);
      return encodeValue(type, Number(s));
    }
    case REG_QWORD: {
      const s = one().trim();
      if (!/^(-?\d+|0x[0-9a-f]{1,16})$/i.test(s)) throw new UsageError(`REG_QWORD data must be a decimal or 0x-hex number, got '${s}'`);
      return encodeValue(type, BigInt(s));
    }
    default:
      return hexToBytes(args.join(''));
  }
}
