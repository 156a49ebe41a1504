import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReg, regToTree, treeToReg, treeToRegText, formatValue } from '../../../src/formats/regtext/index.js';
import { FormatError } from '../../../src/util/errors.js';
import { flatObject, key, sampleTree, sz, val, u32 } from '../regf/trees.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const H5 = 'Windows Registry Editor Version 5.00\r\n\r\n';

describe('.reg parser', () => {
  it('reads a regedit version 5 file: every value form, continuations, escapes, default value', () => {
    const f = parseReg(fixture('regedit5.reg'));
    expect(f.version).toBe(5);
    expect(f.encoding).toBe('utf16le');
    const t = regToTree(f);
    expect(t.name).toBe('Lab');
    const v = Object.fromEntries(t.values.map((x) => [x.name, [x.type, x.data.toString('hex')]]));
    expect(v['']).toEqual([1, sz('default').toString('hex')]);
    expect(v['Path']).toEqual([1, sz('C:\\Program Files\\Lab "x"').toString('hex')]);
    expect(v['Count']).toEqual([4, '2a000000']);
    expect(v['Blob']).toEqual([3, Buffer.from(Array.from({ length: 50 }, (_, i) => i)).toString('hex')]);
    expect(v['Expand']).toEqual([2, sz('%TEMP%').toString('hex')]);
    expect(v['Multi']).toEqual([7, Buffer.from('a\0b\0\0', 'utf16le').toString('hex')]);
    expect(v['Q']).toEqual([11, '0100000000000000']);
    expect(v['Odd']).toEqual([0x12345, 'ff']);
    expect(v['Empty']).toEqual([3, '']);
    expect(t.subkeys.map((k) => [k.name, k.values])).toEqual([['Child', [val('x', 1, sz(''))]]]);
  });

  it('reads REGEDIT4 (ANSI): strings and hex(2)/hex(7) become UTF-16LE', () => {
    const f = parseReg(fixture('regedit4.reg'));
    expect([f.version, f.encoding]).toEqual([4, 'latin1']);
    const t = regToTree(f);
    expect(t.values).toEqual([val('Name', 1, sz('café')), val('Expand', 2, sz('%TEMP%')), val('Multi', 7, Buffer.from('a\0é\0\0', 'utf16le'))]);
  });

  it('accepts UTF-8 (with or without BOM), comments, blanks, deletions', () => {
    const text = 'Windows Registry Editor Version 5.00\n; comment\n\n[HKEY_LOCAL_MACHINE\\A]\n"v"="é" ; tail\n  "w" = dword:1\n"gone"=-\n@=-\n[-HKEY_LOCAL_MACHINE\\A\\B]\n[HKEY_LOCAL_MACHINE\\A\\C]\n"h"=hex:01,\\\n   02 ; c\n';
    for (const buf of [Buffer.from(text), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])]) {
      const ops = parseReg(buf).ops.map((o) => ({ ...o, ...('data' in o ? { data: o.data.toString('hex') } : {}) }));
      expect(ops).toEqual([
        { kind: 'key', path: 'HKEY_LOCAL_MACHINE\\A', line: 4 },
        { kind: 'value', path: 'HKEY_LOCAL_MACHINE\\A', name: 'v', type: 1, data: sz('é').toString('hex'), line: 5 },
        { kind: 'value', path: 'HKEY_LOCAL_MACHINE\\A', name: 'w', type: 4, data: '01000000', line: 6 },
        { kind: 'deleteValue', path: 'HKEY_LOCAL_MACHINE\\A', name: 'gone', line: 7 },
        { kind: 'deleteValue', path: 'HKEY_LOCAL_MACHINE\\A', name: '', line: 8 },
        { kind: 'deleteKey', path: 'HKEY_LOCAL_MACHINE\\A\\B', line: 9 },
        { kind: 'key', path: 'HKEY_LOCAL_MACHINE\\A\\C', line: 10 },
        { kind: 'value', path: 'HKEY_LOCAL_MACHINE\\A\\C', name: 'h', type: 3, data: '0102', line: 11 },
      ]);
    }
  });

  it('applies deletions to the tree', () => {
    const t = regToTree(parseReg(H5 + '[R]\r\n"a"="1"\r\n[R\\K\\L]\r\n[R\\M]\r\n[-R\\K]\r\n[R]\r\n"a"=-\r\n"b"=dword:2\r\n'));
    expect(t.subkeys.map((k) => k.name)).toEqual(['M']);
    expect(t.values).toEqual([val('b', 4, u32(2))]);
  });

  it('applies big files in linear time: 50,000 values, keys and deletions', () => {
    const n = 50_000;
    const lines = [H5, '[R]'];
    for (let i = 0; i < n; i++) lines.push(`"v${i}"=dword:${i.toString(16)}`);
    for (let i = 0; i < n; i++) lines.push(`[R\\K${i}]`);
    for (let i = 0; i < n; i += 2) lines.push(`[-R\\K${i}]`);
    lines.push('[R]');
    for (let i = 0; i < n; i += 2) lines.push(`"V${i}"=-`);
    const t0 = performance.now();
    const t = regToTree(parseReg(lines.join('\r\n')));
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect([t.values.length, t.subkeys.length]).toEqual([n / 2, n / 2]);
    expect([t.values[0]!.name, t.subkeys[0]!.name]).toEqual(['v1', 'K1']);
  });

  const bad: [string, number, number, RegExp][] = [
    ['', 1, 1, /Windows Registry Editor/],
    ['REGEDIT5\r\n', 1, 1, /Windows Registry Editor/],
    [H5 + '"v"="x"\r\n', 3, 1, /\[key\] line before/],
    [H5 + '[K]\r\n"v"="unterminated\r\n', 4, 18, /closing quote/],
    [H5 + '[K]\r\n"v"=hex:01,zz\r\n', 4, 12, /hex byte/],
    [H5 + '[K]\r\n"v"=hex:01,\\\r\n  02,123\r\n', 5, 6, /hex byte/],
    [H5 + '[K]\r\n"v"=dword:xyz\r\n', 4, 11, /dword/],
    [H5 + '[K]\r\n"v"=dword:123456789\r\n', 4, 19, /end of line/],
    [H5 + '[K]\r\n"v" x\r\n', 4, 5, /'='/],
    [H5 + '[K]\r\n"v"=what\r\n', 4, 5, /a value/],
    [H5 + '[K]\r\n"v"=hex:01,\\', 5, 1, /continuation/],
    [H5 + '[K\r\n', 3, 3, /'\]'/],
    [H5 + 'junk\r\n', 3, 1, /a \[key\]/],
    [H5 + '[K]\r\n"v"="x" y\r\n', 4, 9, /end of line/],
  ];
  it.each(bad)('reports %j at line %i, column %i', (text, line, column, re) => {
    let err: unknown;
    try {
      parseReg(Buffer.from(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    const fe = err as FormatError;
    expect([fe.line, fe.column]).toEqual([line, column]);
    expect(fe.message).toMatch(re);
    // the offset is where the line starts in the input bytes
    // (or the end of the input, for a line that never came)
    const lineStart = Buffer.byteLength(text.split(/\r?\n/).slice(0, line - 1).map((l) => l + '\r\n').join(''));
    expect(fe.offset).toBe(Math.min(lineStart, Buffer.byteLength(text)));
  });

  it('reports byte offsets of the line in UTF-16LE and UTF-8 input', () => {
    const text = H5 + '[Kë]\r\n"v"=zz\r\n';
    const at = (buf: Buffer): number => {
      try {
        parseReg(buf);
      } catch (e) {
        return (e as FormatError).offset;
      }
      return -1;
    };
    const lineStart = text.indexOf('"v"');
    expect(at(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(2 + 2 * lineStart);
    expect(at(Buffer.from(text, 'utf8'))).toBe(lineStart + 1);
  });
});

describe('.reg export in regedit layout', () => {
  it('reproduces a regedit file byte for byte', () => {
    const buf = fixture('regedit5.reg');
    const t = regToTree(parseReg(buf));
    expect(treeToReg(t, 'HKEY_CURRENT_USER\\Software\\Lab').equals(buf)).toBe(true);
  });

  it('wraps hex at 80 columns as regedit does, whatever the name length', () => {
    for (let n = 0; n < 90; n++) {
      const line = formatValue('n'.repeat(n), 3, Buffer.alloc(100, 0xab));
      const rows = line.split('\r\n');
      rows.forEach((r, i) => {
        // the first line may only overflow when the name alone fills it
        expect(r.length).toBeLessThanOrEqual(Math.max(80, n + 3 + 4 + 3 + 1));
        if (i > 0) expect(r.startsWith('  ')).toBe(true);
        if (i < rows.length - 1) expect(r.endsWith(',\\')).toBe(true);
      });
      // a continuation line holds 25 bytes
      if (rows.length > 2) expect(rows[1]).toBe('  ' + 'ab,'.repeat(25) + '\\');
    }
  });

  it('writes REGEDIT4 in ANSI with hex(2)/hex(7) as ANSI bytes', () => {
    const buf = fixture('regedit4.reg');
    const t = regToTree(parseReg(buf));
    expect(treeToReg(t, 'HKEY_CURRENT_USER\\Software\\Lab', { version: 4 }).equals(buf)).toBe(true);
  });

  it('round-trips every value type and odd names through text', () => {
    const tree = sampleTree({ many: 30 }).subkeys[0]!;
    for (const version of [5] as const) {
      const back = regToTree(parseReg(treeToReg(tree, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Lab', { version })));
      expect(flatObject(back)).toEqual(flatObject(tree));
    }
    const samba = regToTree(parseReg(treeToReg(tree, 'HKLM\\Lab', { flavor: 'samba' })));
    expect(flatObject(samba)).toEqual(flatObject(tree));
  });

  it('keeps key order as given and writes the Samba flavor', () => {
    const t = key('Lab', [val('v', 4, u32(1))], [key('b'), key('A')]);
    expect(treeToRegText(t, 'HKLM\\Lab', { flavor: 'samba' })).toBe(
      'Windows Registry Editor Version 5.00\n\n[HKLM\\Lab]\n"v"=dword:00000001\n\n[HKLM\\Lab\\b]\n\n[HKLM\\Lab\\A]\n;Local Variables:\n;coding: UTF-8\n;End:\n',
    );
  });
});
