import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  diffPol,
  parseDirective,
  parsePol,
  PolicyFile,
  polFromJson,
  polToJson,
  polToReg,
  serializePol,
  validatePol,
  type PolInstruction,
} from '../../../src/formats/regpol/index.js';
import { encodeValue, REG_DWORD, REG_MULTI_SZ, REG_QWORD, REG_SZ } from '../../../src/formats/value.js';
import { file, instruction, u16, u32 } from './bytes.js';

const sz = (s: string) => u16(s + '\0');
const ins = (key: string, valueName: string, type: number, data: Buffer): PolInstruction => ({ key, valueName, type, data });

describe('special value names (MS-GPREG §3.2.5.1.2)', () => {
  it('are recognised case-insensitively, whole names before prefixes', () => {
    expect(parseDirective('**DelVals.', REG_SZ, sz(' '))).toEqual({ kind: 'deleteAllValues' });
    expect(parseDirective('**DEL.Foo', REG_SZ, sz(' '))).toEqual({ kind: 'deleteValue', name: 'Foo' });
    expect(parseDirective('**del.', REG_SZ, sz(' '))).toEqual({ kind: 'deleteValue', name: '' });
    expect(parseDirective('**deletevalues', REG_SZ, sz('a;;b c;'))).toEqual({ kind: 'deleteValues', names: ['a', 'b c'] });
    expect(parseDirective('**DeleteKeys', REG_SZ, sz('k1;k2'))).toEqual({ kind: 'deleteKeys', names: ['k1', 'k2'] });
    expect(parseDirective('**SecureKey', REG_DWORD, u32(1))).toEqual({ kind: 'secureKey', secure: true });
    expect(parseDirective('**securekey', REG_DWORD, u32(0))).toEqual({ kind: 'secureKey', secure: false });
    expect(parseDirective('**SecureKey', REG_SZ, sz('1'))).toEqual({ kind: 'secureKey', secure: false });
    expect(parseDirective('**Soft.Name', REG_QWORD, Buffer.alloc(8))).toEqual({ kind: 'soft', name: 'Name' });
    expect(parseDirective('**Comment:x', REG_SZ, sz('hi'))).toEqual({ kind: 'unknown', name: '**Comment:x' });
    expect(parseDirective('*del.x', REG_SZ, sz(' '))).toBeUndefined();
    expect(parseDirective('Plain', REG_SZ, sz(' '))).toBeUndefined();
  });
});

describe('JSON form', () => {
  it('show --json then from-json gives back the identical bytes (raw wins)', () => {
    const buf = readFileSync(new URL('./fixtures/samba-gpo.pol', import.meta.url));
    const json = JSON.parse(JSON.stringify(polToJson(parsePol(buf).entries)));
    expect(json.entries[8]).toEqual({ key: 'Software\\Policies\\Lab\\Demo', valueName: 'QwordValue', type: 'REG_QWORD', typeCode: 11, data: '18446744073709551614', raw: 'feffffffffffffff' });
    expect(json.entries[4].data).toBe('00017f80ff');
    expect(serializePol(polFromJson(json)).equals(buf)).toBe(true);
  });

  it('builds data from "data" and "type" when "raw" is absent, as Windows writes it', () => {
    const built = polFromJson({
      entries: [
        { key: 'K', valueName: 's', type: 'REG_SZ', data: 'hi' },
        { key: 'K', valueName: 'm', type: 'REG_MULTI_SZ', data: ['a', 'b'] },
        { key: 'K', valueName: 'd', type: 'REG_DWORD', data: 42 },
        { key: 'K', valueName: 'q', typeCode: 11, data: '18446744073709551614' },
        { key: 'K', valueName: 'b', type: 'REG_BINARY', data: '0a0B' },
      ],
    });
    expect(built.map((e) => e.data.toString('hex'))).toEqual(['680069000000', '61000000620000000000', '2a000000', 'feffffffffffffff', '0a0b']);
  });

  it('refuses malformed JSON entries with the entry named', () => {
    expect(() => polFromJson({ entries: [{ key: 'K', valueName: 'x', type: 'REG_DWORD', data: 'lots' }] })).toThrow(/entries\[0\]/);
    expect(() => polFromJson({ entries: [{ valueName: 'x', type: 'REG_SZ', data: 'a' }] })).toThrow(/"key"/);
    expect(() => polFromJson({ nope: 1 })).toThrow(/entries/);
  });
});

describe('semantic diff', () => {
  it('finds added, removed and changed settings, comparing names case-insensitively', () => {
    const a = [ins('Software\\P', 'A', REG_DWORD, u32(1)), ins('Software\\P', 'B', REG_SZ, sz('x')), ins('Software\\P', 'C', REG_DWORD, u32(3))];
    const b = [ins('SOFTWARE\\p', 'a', REG_DWORD, u32(1)), ins('Software\\P', 'B', REG_SZ, sz('y')), ins('Software\\P', 'D', REG_DWORD, u32(4))];
    expect(diffPol(a, b).map((c) => [c.change, c.valueName])).toEqual([
      ['changed', 'B'],
      ['removed', 'C'],
      ['added', 'D'],
    ]);
    expect(diffPol(a, a)).toEqual([]);
  });

  it('compares what is applied: a later instruction for the same setting wins', () => {
    const a = [ins('K', 'v', REG_DWORD, u32(1)), ins('K', 'v', REG_DWORD, u32(2))];
    const b = [ins('K', 'v', REG_DWORD, u32(2))];
    expect(diffPol(a, b)).toEqual([]);
    expect(diffPol(b, [ins('K', 'v', REG_SZ, sz('2'))])[0]!.change).toBe('changed');
  });
});

describe('PolicyFile (authoring as PolicyFileEditor does)', () => {
  it('replaces a setting in place and appends new ones', () => {
    const p = new PolicyFile();
    expect(p.set('Software\\Policies\\X', 'A', REG_DWORD, encodeValue(REG_DWORD, 1))).toBe('added');
    expect(p.set('Software\\Policies\\X', 'B', REG_SZ, encodeValue(REG_SZ, 'b'))).toBe('added');
    expect(p.set('software\\policies\\x\\', 'a', REG_DWORD, encodeValue(REG_DWORD, 2))).toBe('replaced');
    expect(p.entries.map((e) => [e.key, e.valueName, e.data.readUInt32LE(0)])).toEqual([
      ['software\\policies\\x', 'a', 2],
      ['Software\\Policies\\X', 'B', 0x62],
    ]);
  });

  it('deletes one value, or a key and everything below it', () => {
    const p = new PolicyFile([ins('A', 'v', REG_DWORD, u32(1)), ins('A\\B', 'w', REG_DWORD, u32(2)), ins('AB', 'x', REG_DWORD, u32(3)), ins('A', 'y', REG_DWORD, u32(4))]);
    expect(p.delete('a', 'V')).toBe(1);
    expect(p.delete('A')).toBe(2);
    expect(p.entries.map((e) => e.valueName)).toEqual(['x']);
  });

  it('refuses what a writer must not emit', () => {
    const p = new PolicyFile();
    expect(() => p.set('HKLM\\Software\\X', 'v', REG_DWORD, u32(1))).toThrow(/names a root/);
    expect(() => p.set('\\\\', 'v', REG_DWORD, u32(1))).toThrow(/empty/);
    expect(() => p.set('K', 'v', 8, Buffer.alloc(4))).toThrow(/not allowed/);
    expect(() => p.set('K', 'v', REG_SZ, Buffer.alloc(70000))).toThrow(/65535/);
    expect(() => p.set('K', 'x'.repeat(260), REG_SZ, sz(''))).toThrow(/259/);
    expect(p.set('K', '**soft.v', 8, Buffer.alloc(4))).toBe('added'); // **soft. takes any type
  });
});

describe('.reg rendering', () => {
  it('renders values under the scope root and directives as deletions or comments', () => {
    const entries = [
      ins('Software\\P', 'S', REG_SZ, sz('a "q" \\ b')),
      ins('Software\\P', 'D', REG_DWORD, u32(0x2a)),
      ins('Software\\P', 'M', REG_MULTI_SZ, encodeValue(REG_MULTI_SZ, ['x'])),
      ins('Software\\P', '**del.Old', REG_SZ, sz(' ')),
      ins('Software\\P', '**DeleteValues', REG_SZ, sz('a;b')),
      ins('Software\\P', '**DeleteKeys', REG_SZ, sz('Sub')),
      ins('Software\\P', '**delvals.', REG_SZ, sz(' ')),
      ins('Software\\Q', '', 0, Buffer.alloc(0)),
    ];
    expect(polToReg(entries, 'user').split('\r\n')).toEqual([
      'Windows Registry Editor Version 5.00',
      '',
      '[HKEY_CURRENT_USER\\Software\\P]',
      '"S"="a \\"q\\" \\\\ b"',
      '"D"=dword:0000002a',
      '"M"=hex(7):78,00,00,00,00,00',
      '"Old"=-',
      '"a"=-',
      '"b"=-',
      '',
      '[-HKEY_CURRENT_USER\\Software\\P\\Sub]',
      '',
      '[HKEY_CURRENT_USER\\Software\\P]',
      '; **delvals.: delete all values (no .reg equivalent)',
      '',
      '[HKEY_CURRENT_USER\\Software\\Q]',
      '',
      '',
    ]);
  });
});

describe('validate', () => {
  it('passes a clean file and lists every problem of a broken one with offsets', () => {
    const clean = file(instruction('K', 'v', REG_DWORD, u32(1)));
    expect(validatePol(clean)).toEqual({ entries: 1, problems: [], valid: true });
    const broken = Buffer.concat([file(instruction('K', '', REG_SZ, sz('d')), instruction('K', 'q', REG_QWORD, u32(1))), u16('junk')]);
    const r = validatePol(broken);
    expect(r.valid).toBe(false);
    expect(r.problems.map((p) => [p.severity, p.offset])).toEqual([
      ['warning', 8],
      ['warning', 8 + 30],
      ['error', 8 + 30 + 32],
    ]);
    expect(r.problems[0]!.message).toMatch(/empty value name/);
    expect(r.problems[1]!.message).toMatch(/REG_QWORD with 4 bytes/);
  });
});
