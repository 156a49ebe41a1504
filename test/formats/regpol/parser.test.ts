import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../../src/util/errors.js';
import { iteratePol, parsePol, PolStreamParser, serializePol } from '../../../src/formats/regpol/index.js';
import { file, HEADER, instruction, NUL, u16, u32 } from './bytes.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

function formatError(buf: Buffer): FormatError {
  try {
    parsePol(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error('expected a FormatError');
}

describe('registry.pol reader (MS-GPREG §2.2.1)', () => {
  it('reads the §4.1-style example: LocalProfile = DWORD 1', () => {
    const buf = file(instruction('Software\\Policies\\Microsoft\\Windows\\System', 'LocalProfile', 4, u32(1)));
    const { version, entries, problems } = parsePol(buf);
    expect(version).toBe(1);
    expect(problems).toEqual([]);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect([e.key, e.valueName, e.type, e.typeName, e.value, e.offset]).toEqual(['Software\\Policies\\Microsoft\\Windows\\System', 'LocalProfile', 4, 'REG_DWORD', 1, 8]);
  });

  it('reads a file Samba wrote (every type, directives, key-only entry) and writes it back byte for byte', () => {
    const buf = fixture('samba-gpo.pol');
    const { entries } = parsePol(buf);
    expect(entries.map((e) => [e.valueName, e.typeName])).toEqual([
      ['StringValue', 'REG_SZ'],
      ['UnicodeValue', 'REG_SZ'],
      ['EmptyString', 'REG_SZ'],
      ['ExpandValue', 'REG_EXPAND_SZ'],
      ['BinaryValue', 'REG_BINARY'],
      ['DwordValue', 'REG_DWORD'],
      ['DwordBE', 'REG_DWORD_BIG_ENDIAN'],
      ['MultiValue', 'REG_MULTI_SZ'],
      ['QwordValue', 'REG_QWORD'],
      ['**del.Obsolete', 'REG_SZ'],
      ['**delvals.', 'REG_SZ'],
      ['', 'REG_NONE'],
    ]);
    const v = Object.fromEntries(entries.map((e) => [e.valueName, e.value]));
    expect(v.UnicodeValue).toBe('café 日本 😀');
    expect(v.EmptyString).toBe('');
    expect(v.DwordBE).toBe(0x12345678);
    expect(v.MultiValue).toEqual(['one', 'two', 'three']);
    expect(v.QwordValue).toBe(18446744073709551614n);
    expect((v.BinaryValue as Buffer).toString('hex')).toBe('00017f80ff');
    expect(entries[9]!.directive).toEqual({ kind: 'deleteValue', name: 'Obsolete' });
    expect(entries[10]!.directive).toEqual({ kind: 'deleteAllValues' });
    expect(serializePol(entries).equals(buf)).toBe(true);
  });

  it('accepts what real tools write outside the ABNF and writes it back unchanged', () => {
    const cases = [
      instruction('K', '', 1, u16('default\0')), // empty value name
      instruction('K\\KeyOnly', '', 0, Buffer.alloc(0)), // key-only entry
      instruction('K', 'zero', 1, Buffer.alloc(0)), // zero-size REG_SZ
      instruction('K', 'noterm', 1, u16('abc')), // REG_SZ without terminator
      instruction('K', 'odd', 1, Buffer.from('610062', 'hex')), // odd size
      instruction('K', 'delims', 3, Buffer.from('5d003b0000005b00', 'hex')), // data holding ']' ';' NUL '['
      instruction('K', 'big', 3, Buffer.alloc(70000, 0x5d)), // over 65535 bytes
      instruction('K', 'dword3', 4, Buffer.from('010203', 'hex')), // DWORD of 3 bytes
      instruction('K', 'unknown', 0x1234, Buffer.from('beef', 'hex')), // unknown type code
      instruction('Ключ\\😀', '値', 2, u16('%x%\0')), // non-ASCII names
    ];
    const buf = file(...cases);
    const { entries } = parsePol(buf);
    expect(entries).toHaveLength(cases.length);
    expect(entries[0]!.value).toBe('default');
    expect(entries[2]!.value).toBe('');
    expect(entries[3]!.value).toBe('abc');
    expect(entries[4]!.value).toBe('a');
    expect(entries[5]!.data.toString('hex')).toBe('5d003b0000005b00');
    expect(entries[6]!.data.length).toBe(70000);
    expect(entries[7]!.value).toEqual(Buffer.from('010203', 'hex'));
    expect([entries[8]!.type, entries[8]!.typeName]).toEqual([0x1234, 'REG_UNKNOWN']);
    expect([entries[9]!.key, entries[9]!.valueName]).toEqual(['Ключ\\😀', '値']);
    expect(serializePol(entries).equals(buf)).toBe(true);
  });

  it('reads a header-only file as no settings', () => {
    expect(parsePol(HEADER).entries).toEqual([]);
    expect(serializePol([]).equals(HEADER)).toBe(true);
  });

  // Each bad input: the bytes, the offset the error must name, and words from what was expected.
  const good = instruction('K', 'v', 4, u32(7)); // '[' K NUL ';' v NUL ';' type ';' size ';' data ']' = 32 bytes
  const bad: [string, Buffer, number, RegExp][] = [
    ['wrong signature', Buffer.from('5052616701000000', 'hex'), 0, /signature 'PReg'/],
    ['a BOM before the signature', Buffer.concat([Buffer.from('fffe', 'hex'), HEADER]), 0, /signature 'PReg'/],
    ['wrong version', Buffer.from('5052656702000000', 'hex'), 4, /version 1/],
    ['file shorter than the header', Buffer.from('50526567', 'hex'), 0, /8-byte header/],
    ['no [ where an instruction starts', file(good, u16('X')), 40, /'\['/],
    ['truncated inside the key', Buffer.concat([HEADER, u16('[Ke')]), 10, /key path ending in 00 00/],
    ['odd-length key at the end of the file', Buffer.concat([HEADER, u16('[K'), Buffer.from([0x41])]), 10, /odd number of bytes/],
    ['empty key', file(instruction('', 'v', 4, u32(1))), 10, /non-empty key path/],
    ['missing ; after the key', Buffer.concat([HEADER, u16('[K'), NUL, u16(':v'), NUL]), 14, /';'.*after the key path/],
    ['truncated after the value name', Buffer.concat([HEADER, u16('[K'), NUL, u16(';v'), NUL]), 20, /';'.*after the value name/],
    ['missing ; after the type', Buffer.concat([HEADER, u16('[K'), NUL, u16(';v'), NUL, u16(';'), u32(4), u16(','), u32(4), u16(';'), u32(1), u16(']')]), 26, /after the type/],
    ['missing ; after the size', Buffer.concat([HEADER, u16('[K'), NUL, u16(';v'), NUL, u16(';'), u32(4), u16(';'), u32(4), u16(','), u32(1), u16(']')]), 32, /after the size/],
    ['missing ] after the data', file(good.subarray(0, good.length - 2), u16(')')), 38, /'\]'/],
    ['size running past the end', file(instruction('K', 'v', 3, Buffer.from('0102', 'hex'), 100)), 28, /100 bytes of data/],
    ['size of 4 GiB', file(instruction('K', 'v', 3, Buffer.from('0102', 'hex'), 0xffffffff)), 28, /4294967295 bytes of data/],
    ['truncated inside the type', Buffer.concat([HEADER, u16('[K'), NUL, u16(';v'), NUL, u16(';'), Buffer.from('0400', 'hex')]), 22, /32-bit type/],
  ];
  it.each(bad)('rejects %s with a FormatError at the right offset', (_name, buf, offset, expected) => {
    const err = formatError(buf);
    expect(err.code).toBe('ERR_FORMAT');
    expect(err.format).toBe('registry.pol');
    expect(err.offset).toBe(offset);
    expect(`${err.expected} (${err.detail ?? ""})`).toMatch(expected);
  });

  it.each(bad)('the incremental reader reports %s at the same offset, fed byte by byte', (_name, buf, offset) => {
    const p = new PolStreamParser();
    let err: unknown;
    try {
      for (let i = 0; i < buf.length; i++) p.push(buf.subarray(i, i + 1));
      p.end();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).offset).toBe(offset);
  });

  it('lenient mode skips a bad instruction, resumes at the next one and lists the problem', () => {
    const broken = Buffer.from(instruction('K', 'bad', 4, u32(2)));
    broken.writeUInt16LE(0x3a, 16); // the ';' after the value name 'bad' becomes ':'
    const buf = file(instruction('K', 'a', 4, u32(1)), broken, instruction('K', 'c', 4, u32(3)));
    expect(() => parsePol(buf)).toThrow(FormatError);
    const { entries, problems } = parsePol(buf, { lenient: true });
    expect(entries.map((e) => e.valueName)).toEqual(['a', 'c']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.offset).toBe(8 + 32 + 16);
  });

  it('lenient mode still reports a bad header and reads on', () => {
    const buf = Buffer.concat([Buffer.from('5052656709000000', 'hex'), good]);
    const { entries, problems } = parsePol(buf, { lenient: true });
    expect(entries).toHaveLength(1);
    expect(problems.map((p) => p.offset)).toEqual([4]);
  });

  it('iterates lazily: the first entry comes before a later error is seen', () => {
    const it = iteratePol(file(good, u16('X')));
    expect(it.next().value?.valueName).toBe('v');
    expect(() => it.next()).toThrow(FormatError);
  });
});

describe('incremental reader', () => {
  it('gives the same entries as the whole-buffer reader for any chunking', () => {
    const buf = Buffer.concat([fixture('samba-gpo.pol'), instruction('K', 'big', 3, Buffer.alloc(100_000, 7)).subarray(0)]);
    const whole = parsePol(buf).entries.map((e) => [e.key, e.valueName, e.type, e.data.toString('hex'), e.offset]);
    for (const size of [1, 2, 3, 7, 64, 4096, 1 << 20]) {
      const p = new PolStreamParser();
      const got = [];
      for (let i = 0; i < buf.length; i += size) got.push(...p.push(buf.subarray(i, i + size)));
      got.push(...p.end());
      expect(got.map((e) => [e.key, e.valueName, e.type, e.data.toString('hex'), e.offset])).toEqual(whole);
    }
  });

  it('an empty input is an error at offset 0', () => {
    const p = new PolStreamParser();
    expect(() => p.end()).toThrow(/8-byte header/);
  });
});
