// .reg interchange with Samba's `net registry import/export` (samba-common-bin), run against a
// private registry in a temp dir: no daemon, no network.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReg, regToTree, treeToReg } from '../../../src/formats/regtext/index.js';
import { requireTool, run, sambaConf, tempDir } from '../regf/peers.js';
import { flatObject, key, sampleTree, sz, u32, val } from '../regf/trees.js';

let dir: string;
let conf: string;
const net = (...args: string[]): Buffer => run('net', ['-s', conf, 'registry', ...args]);

beforeAll(() => {
  requireTool('net', 'samba-common-bin');
  dir = tempDir('regtext-samba-');
  conf = sambaConf(dir);
});

function sambaExport(path: string, name: string): Buffer {
  const out = join(dir, name);
  net('export', path, out);
  return readFileSync(out);
}

function sambaImport(file: string, text: Buffer): void {
  const f = join(dir, file);
  writeFileSync(f, text);
  net('import', f);
}

describe('Samba net registry and our .reg', () => {
  it('a .reg Samba exports imports into us and re-exports byte for byte', () => {
    const root = 'HKLM\\Software\\FromSamba';
    // content put into Samba's registry with a hand-written file (Samba's own writer produces the export)
    const seed = [
      'Windows Registry Editor Version 5.00',
      '',
      `[${root}]`,
      '@="the default"',
      '"Sz"="quotes \\" and backslash \\\\ and é"',
      '"Dword"=dword:deadbeef',
      '"Binary"=hex:' + Array.from({ length: 100 }, (_, i) => (i * 7 % 256).toString(16).padStart(2, '0')).join(','),
      '"A long value name that pushes the hex list far right"=hex:01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,18,19,1a,1b,1c,1d,1e,1f',
      '"Expand"=hex(2):25,00,54,00,45,00,4d,00,50,00,25,00,00,00',
      '"Multi"=hex(7):6f,00,6e,00,65,00,00,00,74,00,77,00,6f,00,00,00,00,00',
      '"Qword"=hex(b):fe,ff,ff,ff,ff,ff,ff,ff',
      '"None"=hex(0):',
      '"Unknown"=hex(12345):01,02',
      '',
      `[${root}\\Zeta]`,
      '"x"=dword:00000001',
      '',
      `[${root}\\alpha]`,
      '',
      `[${root}\\alpha\\Deeper Key]`,
      '"Ω"="ünïcode"',
      '',
    ].join('\r\n');
    sambaImport('seed.reg', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(seed, 'utf16le')]));
    const exported = sambaExport(root, 'samba-export.reg');
    const tree = regToTree(parseReg(exported));
    expect(tree.subkeys.map((k) => k.name)).toEqual(['Zeta', 'alpha']);
    expect(treeToReg(tree, root, { flavor: 'samba' }).toString('utf8')).toBe(exported.toString('utf8'));
  });

  it('a .reg we write (regedit layout, UTF-16LE) imports into Samba as the same tree', () => {
    const root = 'HKLM\\Software\\FromUs';
    const tree = sampleTree({ big: true, many: 40 }).subkeys[0]!;
    tree.name = 'FromUs';
    delete tree.className; // .reg has no class names
    sambaImport('ours.reg', treeToReg(tree, root));
    const back = regToTree(parseReg(sambaExport(root, 'ours-export.reg')));
    expect(flatObject(back)).toEqual(flatObject(tree));
  });

  it('deletions in our .reg are applied by Samba', () => {
    const root = 'HKLM\\Software\\Deletions';
    sambaImport('del1.reg', treeToReg(key('Deletions', [val('keep', 1, sz('k')), val('drop', 4, u32(1))], [key('Gone', [], [key('Below')]), key('Stays')]), root));
    const text = `Windows Registry Editor Version 5.00\r\n\r\n[-${root}\\Gone]\r\n\r\n[${root}]\r\n"drop"=-\r\n\r\n`;
    sambaImport('del2.reg', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const back = regToTree(parseReg(sambaExport(root, 'del-export.reg')));
    expect(flatObject(back)).toEqual(flatObject(key('Deletions', [val('keep', 1, sz('k'))], [key('Stays')])));
  });
});
