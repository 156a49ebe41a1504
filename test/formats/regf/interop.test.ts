// Hives we write, read by hivex (hivexregedit, hivexml), reglookup and chntpw's reged; and hives
// hivex writes, read by us. The peers are Debian packages installed by .ci/run.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHive, Hive, readHive, writeHive } from '../../../src/formats/regf/index.js';
import { parseReg, regToTree, treeToRegText } from '../../../src/formats/regtext/index.js';
import { checkReglookup, expectedHivexml, parseHivexml, parseReglookup, requireTool, run, tempDir, unpercentText } from './peers.js';
import { flatObject, key, sampleTree } from './trees.js';

const PREFIX = 'HKEY_LOCAL_MACHINE\\SOFTWARE';
// MS-DTYP §2.4.6 self-relative: owner S-1-5-18 (SYSTEM), group S-1-5-10 (SELF), no DACL
const SYSTEM_SELF = Buffer.from(['01000080', '14000000', '20000000', '00000000', '00000000', '010100000000000512000000', '01010000000000050a000000'].join(''), 'hex');
const UTF8 = { PERL_UNICODE: 'SDA' };

let dir: string;
beforeAll(() => {
  dir = tempDir('regf-interop-');
});

function hivexExport(file: string): string {
  return run('hivexregedit', ['--export', '--prefix', PREFIX, file, '\\'], UTF8).toString('utf8');
}

const toObject = (m: Map<string, Map<string, unknown>>) => Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));

describe('hives we write, read by other tools', () => {
  const tree = sampleTree({ big: true, many: 1200 });
  let file: string;
  beforeAll(() => {
    file = join(dir, 'ours.hiv');
    writeFileSync(file, writeHive(tree));
  });

  it('hivexregedit --export: same keys, values, types and data', () => {
    requireTool('hivexregedit', 'libwin-hivex-perl');
    const back = regToTree(parseReg(hivexExport(file)), { root: PREFIX });
    expect(flatObject(back)).toEqual(flatObject(tree));
  });

  it('hivexregedit --export reads a version 1.3 hive (lf lists, no big data cells) too', () => {
    requireTool('hivexregedit', 'libwin-hivex-perl');
    const f = join(dir, 'v13.hiv');
    writeFileSync(f, writeHive(tree, { minor: 3 }));
    expect(flatObject(regToTree(parseReg(hivexExport(f)), { root: PREFIX }))).toEqual(flatObject(tree));
  });

  it('hivexml: same keys and values', () => {
    requireTool('hivexml', 'libhivex-bin');
    const out = join(dir, 'ours.xml');
    // hivexml reopens /dev/stdout (truncating it): give it a file of its own
    run('sh', ['-c', 'hivexml "$1" > "$2"', 'sh', file, out]);
    expect(toObject(parseHivexml(readFileSync(out, 'utf8')))).toEqual(toObject(expectedHivexml(tree)));
  });

  it('reglookup -s: same paths, types, data, class names and security owners (ASCII names: it prints others as raw bytes)', () => {
    requireTool('reglookup', 'reglookup');
    const ascii = sampleTree({ ascii: true, big: true, many: 600 });
    const sub1 = ascii.subkeys[0]!.subkeys.find((k) => k.name === 'Sub1')!;
    sub1.securityDescriptor = SYSTEM_SELF; // Sub1 and, inheriting it here, its subkeys
    const f = join(dir, 'ascii.hiv');
    writeFileSync(f, writeHive(ascii));
    const rows = parseReglookup(run('reglookup', ['-s', f]).toString('latin1'));
    expect(checkReglookup(rows, ascii)).toEqual([]);
    const col = (path: string, i: number) => unpercentText(rows.get(path)![i]!);
    expect(col('/Lab', 7)).toBe('LabClass');
    expect(col('/Lab/Empty', 7)).toBe('');
    expect([col('/Lab', 3), col('/Lab', 4)]).toEqual(['S-1-5-32-544', 'S-1-5-32-544']);
    expect(col('/Lab', 6)).toContain('S-1-1-0:ALLOW');
    for (const p of ['/Lab/Sub1', '/Lab/Sub1/Sub2', '/Lab/Sub1/Sub2/Deep']) expect([col(p, 3), col(p, 4)]).toEqual(['S-1-5-18', 'S-1-5-10']);
  });

  it("chntpw's reged -x: same keys and values (it reads neither big data nor UTF-16 names)", () => {
    requireTool('reged', 'chntpw');
    const ascii = sampleTree({ ascii: true, many: 600 });
    const f = join(dir, 'reged.hiv');
    const out = join(dir, 'reged.reg');
    writeFileSync(f, writeHive(ascii));
    run('reged', ['-x', f, PREFIX, '\\', out]);
    // reged writes an empty hex value without its line end ("a"=hex:"b"=...): put it back
    const text = readFileSync(out).toString('latin1').replace(/(=hex(?:\([0-9a-f]+\))?:)(?=["@])/g, '$1\r\n');
    const back = regToTree(parseReg(text), { root: PREFIX });
    expect(flatObject(back)).toEqual(flatObject(ascii));
  });
});

describe('hives hivex writes, read by us', () => {
  it('an empty hive of ours is accepted by hivex, and hivex --merge into it reads back identically', () => {
    requireTool('hivexregedit', 'libwin-hivex-perl');
    const file = join(dir, 'merged.hiv');
    writeFileSync(file, writeHive(key('ROOT')));
    expect(hivexExport(file)).toBe(`Windows Registry Editor Version 5.00\n\n[${PREFIX}\\]\n\n`);

    const tree = sampleTree({ big: true, many: 1200 });
    const regFile = join(dir, 'merge.reg');
    // hivexregedit wants UTF-8 (with PERL_UNICODE) and every parent before its children
    writeFileSync(regFile, treeToRegText(tree, PREFIX, { flavor: 'samba' }));
    run('hivexregedit', ['--merge', '--prefix', PREFIX, file, regFile], UTF8);

    const h = Hive.open(file);
    try {
      expect(flatObject(h.toTree())).toEqual(flatObject(tree));
      const r = checkHive(h);
      expect(r.problems).toEqual([]);
    } finally {
      h.close();
    }
    // and the same through a whole-buffer read
    expect(flatObject(readHive(readFileSync(file)))).toEqual(flatObject(tree));
  });

  it('hivex edits a hive we wrote (ri-split lists, big data, shared sk cells) and we read its edits', () => {
    requireTool('hivexregedit', 'libwin-hivex-perl');
    const tree = sampleTree({ big: true, many: 1100 });
    const file = join(dir, 'edited.hiv');
    writeFileSync(file, writeHive(tree));
    const edits = [
      'Windows Registry Editor Version 5.00',
      '',
      `[${PREFIX}\\Lab\\Many\\K00550x]`,
      '"Added"=dword:00000007',
      '',
      `[${PREFIX}\\Lab\\Sub1]`,
      '"Small"=dword:00000002',
      '"NewBig"=hex:' + Buffer.alloc(20000, 0x5a).toString('hex').replace(/(..)(?!$)/g, '$1,'),
      '',
    ].join('\n');
    const regFile = join(dir, 'edits.reg');
    writeFileSync(regFile, edits);
    run('hivexregedit', ['--merge', '--prefix', PREFIX, file, regFile], UTF8);
    const expected = regToTree(parseReg(treeToRegText(tree, PREFIX, { flavor: 'samba' }) + edits.split('\n').slice(1).join('\n')), { root: PREFIX });
    const h = Hive.open(file);
    try {
      expect(flatObject(h.toTree())).toEqual(flatObject(expected));
      expect(checkHive(h).problems).toEqual([]);
    } finally {
      h.close();
    }
  });
});
