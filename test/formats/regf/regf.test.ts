import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseBlockChecksum, checkHive, Hive, lhHash, readHive, writeHive } from '../../../src/formats/regf/index.js';
import { compareNames } from '../../../src/formats/tree.js';
import { parseReg, regToTree } from '../../../src/formats/regtext/index.js';
import { FormatError } from '../../../src/util/errors.js';
import { flatObject, key, sampleTree, val, sz } from './trees.js';

const sd2 = Buffer.from('01000480140000002000000000000000000000000102000000000005200000002002000001010000000000050a000000', 'hex');

function cellsOf(buf: Buffer): { offset: number; size: number; sig: string }[] {
  const out: { offset: number; size: number; sig: string }[] = [];
  for (let bin = 4096; bin < buf.length; bin += buf.readUInt32LE(bin + 8)) {
    expect(buf.toString('latin1', bin, bin + 4)).toBe('hbin');
    const end = bin + buf.readUInt32LE(bin + 8);
    for (let c = bin + 32; c < end; ) {
      const size = buf.readInt32LE(c);
      out.push({ offset: c - 4096, size, sig: buf.toString('latin1', c + 4, c + 6) });
      c += Math.abs(size);
    }
  }
  return out;
}

describe('regf writer and reader', () => {
  const tree = sampleTree({ big: true, many: 1200 });
  tree.subkeys[0]!.subkeys[0]!.securityDescriptor = sd2;
  const hive = writeHive(tree, { now: 132000000000000000n, fileName: 'lab.hiv' });

  it('round-trips every value type, names, classes, big data and split subkey lists', () => {
    const back = readHive(hive);
    expect(flatObject(back, { classes: true })).toEqual(flatObject(tree, { classes: true }));
    expect(back.subkeys[0]!.className).toBe('LabClass');
    expect(back.subkeys[0]!.subkeys.find((k) => k.name === 'Sub1')!.securityDescriptor).toEqual(sd2);
  });

  it('writes a valid base block: signature, equal sequences, version 1.5, checksum, sizes', () => {
    expect(hive.toString('latin1', 0, 4)).toBe('regf');
    expect(hive.readUInt32LE(4)).toBe(hive.readUInt32LE(8));
    expect([hive.readUInt32LE(20), hive.readUInt32LE(24)]).toEqual([1, 5]);
    expect(hive.readUInt32LE(508)).toBe(baseBlockChecksum(hive));
    expect(hive.readUInt32LE(40)).toBe(hive.length - 4096);
    expect(hive.toString('utf16le', 48, 62)).toBe('lab.hiv');
  });

  it('tiles hbins (4 KiB multiples) with 8-byte-aligned cells, free space as free cells', () => {
    const cells = cellsOf(hive);
    for (const c of cells) {
      expect(Math.abs(c.size) % 8).toBe(0);
      expect(c.offset % 8).toBe(0);
    }
    const r = checkHive(Hive.fromBuffer(hive));
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.allocatedBytes + r.freeBytes + r.hbins * 32).toBe(hive.length - 4096);
    expect(r.bigDataValues).toBe(2);
  });

  it('stores a value over 16,344 bytes as a db chain of 16,344-byte segments', () => {
    const h = Hive.fromBuffer(hive);
    const lab = h.lookup('Lab')!;
    const big = h.values(lab).find((v) => v.name === 'Big')!;
    expect(big.bigData).toBe(true);
    expect(big.data.length).toBe(40000);
    expect(h.values(lab).find((v) => v.name === 'BigSz')!.bigData).toBe(true); // 18,002 bytes
    const edge = h.values(lab).find((v) => v.name === 'Edge')!;
    expect([edge.bigData, edge.data.length]).toEqual([false, 16344]);
  });

  it('sorts subkey lists by upcased name with lh hashes, splitting long lists under ri', () => {
    const h = Hive.fromBuffer(hive);
    const many = h.lookup('Lab\\Many')!;
    const listCell = h.cell(many.subkeyListOffset, 'list');
    expect(listCell.toString('latin1', 0, 2)).toBe('ri');
    const leaves = listCell.readUInt16LE(2);
    expect(leaves).toBe(3);
    for (let i = 0; i < leaves; i++) {
      const leaf = h.cell(listCell.readUInt32LE(4 + 4 * i), 'leaf');
      expect(leaf.toString('latin1', 0, 2)).toBe('lh');
      for (let j = 0; j < leaf.readUInt16LE(2); j++) {
        const k = h.key(leaf.readUInt32LE(4 + 8 * j));
        expect(leaf.readUInt32LE(8 + 8 * j)).toBe(lhHash(k.name));
      }
    }
    const names = [...h.subkeys(h.lookup('Lab')!)].map((k) => k.name);
    expect(names).toEqual(names.slice().sort(compareNames));
    expect(lhHash('ab')).toBe((65 * 37 + 66) >>> 0);
  });

  it('writes lf lists with name hints for version 1.3 (and big values as plain cells)', () => {
    const t = sampleTree({ big: true, many: 600 });
    const h = Hive.fromBuffer(writeHive(t, { minor: 3 }));
    expect(flatObject(h.toTree())).toEqual(flatObject(t));
    const lab = h.lookup('Lab')!;
    const list = h.cell(lab.subkeyListOffset, 'list');
    expect(list.toString('latin1', 0, 2)).toBe('lf');
    const first = h.key(list.readUInt32LE(4));
    expect(list.toString('latin1', 8, 12)).toBe(first.name.slice(0, 4).padEnd(4, '\0'));
    expect(h.values(lab).find((v) => v.name === 'Big')!.bigData).toBe(false);
    expect(checkHive(h).problems).toEqual([]);
  });

  it('shares one sk cell per distinct descriptor, counted and linked', () => {
    const h = Hive.fromBuffer(hive);
    const sks = cellsOf(hive).filter((c) => c.size < 0 && c.sig === 'sk');
    expect(sks.length).toBe(2);
    const a = h.security(sks[0]!.offset);
    const b = h.security(sks[1]!.offset);
    expect(a.flink).toBe(b.offset);
    expect(a.blink).toBe(b.offset);
    expect(b.flink).toBe(a.offset);
    // Sub1 and its two descendants use sd2; every other key the default
    expect(b.referenceCount).toBe(3);
    expect(a.referenceCount + b.referenceCount).toBe(checkHive(h).keys);
  });

  it('stores Latin-1 names compressed and others as UTF-16 (flag clear)', () => {
    const t = key('ROOT', [val('café', 1, sz('x')), val('Ω', 1, sz('y'))], [key('naïve'), key('Ωk')]);
    const h = Hive.fromBuffer(writeHive(t));
    const root = h.root();
    const flags = Object.fromEntries([...h.subkeys(root)].map((k) => [k.name, k.flags & 0x20]));
    expect(flags).toEqual({ naïve: 0x20, Ωk: 0 });
    const vals = h.values(root).map((v) => [v.name, h.cell(v.offset, 'vk').readUInt16LE(16) & 1, h.cell(v.offset, 'vk').readUInt16LE(2)]);
    expect(vals).toEqual([
      ['café', 1, 4],
      ['Ω', 0, 2],
    ]);
  });

  it('keeps symbolic link keys (flag and SymbolicLinkValue)', () => {
    const link = key('Link', [val('SymbolicLinkValue', 6, Buffer.from('\\Registry\\Machine\\Software\\Target', 'utf16le'))], [], { symbolicLink: true });
    const back = readHive(writeHive(key('ROOT', [], [link, key('Target')])));
    expect(back.subkeys.map((k) => [k.name, k.symbolicLink ?? false])).toEqual([
      ['Link', true],
      ['Target', false],
    ]);
    expect(back.subkeys[0]!.values).toEqual(link.values);
  });

  it('rejects duplicate names and over-deep trees', () => {
    expect(() => writeHive(key('R', [], [key('a'), key('A')]))).toThrow(/two subkeys/);
    let deep = key('x');
    for (let i = 0; i < 600; i++) deep = key('x', [], [deep]);
    expect(() => writeHive(deep)).toThrow(/deeper/);
  });

  it('reads a file through the bounded page cache the same as from memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regf-'));
    const file = join(dir, 'lab.hiv');
    writeFileSync(file, hive);
    const h = Hive.open(file, { pageSize: 4096, maxPages: 4 });
    try {
      expect(flatObject(h.toTree(), { classes: true })).toEqual(flatObject(tree, { classes: true }));
    } finally {
      h.close();
    }
  });
});

describe('regf reader on a hive hivex wrote', () => {
  // fixtures/hivex-lab.hiv: `hivexregedit --merge` of fixtures/hivex-lab.reg into an empty hive of ours
  const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

  it('reads every key and value the .reg put there', () => {
    const h = Hive.fromBuffer(fixture('hivex-lab.hiv'));
    const expected = regToTree(parseReg(fixture('hivex-lab.reg')), { root: 'HKEY_LOCAL_MACHINE\\SOFTWARE' });
    expect(flatObject(h.toTree())).toEqual(flatObject(expected));
    const r = checkHive(h);
    expect(r.problems).toEqual([]);
    expect(r.keys).toBe(5);
  });
});

describe('regf reader on bad input', () => {
  const good = writeHive(sampleTree(), { now: 1n });
  const fails = (buf: Buffer, re: RegExp, opts = {}): FormatError => {
    let err: unknown;
    try {
      Hive.fromBuffer(buf, opts).toTree();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(re);
    return err as FormatError;
  };
  const patch = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    b.writeUInt32LE(baseBlockChecksum(b), 508);
    return b;
  };

  it('truncated files and bad signatures', () => {
    expect(fails(good.subarray(0, 100), /4096-byte base block/).offset).toBe(100);
    expect(fails(good.subarray(0, good.length - 4096), /truncated/).offset).toBe(good.length - 4096);
    expect(fails(patch((b) => b.write('regx', 0)), /signature 'regf'/).offset).toBe(0);
    const bad = Buffer.from(good);
    bad[100] ^= 1;
    expect(fails(bad, /checksum/).offset).toBe(508);
    expect(() => Hive.fromBuffer(bad, { ignoreChecksum: true }).toTree()).not.toThrow();
  });

  it('cell offsets outside the file and sizes past the end', () => {
    const root = good.readUInt32LE(36);
    expect(fails(patch((b) => b.writeUInt32LE(0x7ffffff8, 36)), /root cell offset/).offset).toBe(36);
    // the root's subkey list offset pointing past the hive bins
    const e = fails(patch((b) => b.writeUInt32LE(0x7ffffff0, 4096 + root + 4 + 28)), /outside the hive bins/);
    expect(e.offset).toBeGreaterThan(4096);
    // the root cell's size running past the end
    fails(patch((b) => b.writeInt32LE(-0x7ffffff0, 4096 + root)), /a cell inside the hive bins/);
    // a value data length far larger than its cell
    const h = Hive.fromBuffer(good);
    const lab = h.lookup('Lab')!;
    const v = h.values(lab).find((x) => x.name === 'LongBinary')!;
    fails(patch((b) => b.writeUInt32LE(0x7fff0000, 4096 + v.offset + 4 + 4)), /bytes of value data|enough big data/);
  });

  it('loops in subkey lists', () => {
    const h = Hive.fromBuffer(good);
    const sub2 = h.lookup('Lab\\Sub1\\Sub2')!;
    const deep = h.lookup('Lab\\Sub1\\Sub2\\Deep')!;
    // make Deep's subkey list Sub2's list (which holds Deep itself): Deep → Deep → ...
    const b = patch((x) => {
      x.writeUInt32LE(1, 4096 + deep.offset + 4 + 20);
      x.writeUInt32LE(sub2.subkeyListOffset, 4096 + deep.offset + 4 + 28);
    });
    fails(b, /own ancestor/);
  });

  it('subkey lists that share subtrees over and over (a walk that would never end)', () => {
    // 1,200 list entries all naming one 61-key subtree: more keys reached than the hive can hold
    const t = sampleTree({ many: 1200 });
    let cur = key('Chain');
    for (let i = 0; i < 30; i++) cur = key('Chain', [], [cur, key('Other' + i)]);
    t.subkeys[0]!.subkeys.push(cur);
    const buf = Buffer.from(writeHive(t));
    const h = Hive.fromBuffer(buf);
    const chain = h.lookup('Lab\\Chain')!;
    const many = h.lookup('Lab\\Many')!;
    // point every entry of Many's leaves at Chain (30 levels deep): 1,200 × 61 keys to visit
    const ri = h.cell(many.subkeyListOffset, 'ri');
    for (let i = 0; i < ri.readUInt16LE(2); i++) {
      const leafOff = ri.readUInt32LE(4 + 4 * i);
      const leaf = h.cell(leafOff, 'lh');
      for (let j = 0; j < leaf.readUInt16LE(2); j++) buf.writeUInt32LE(chain.offset, 4096 + leafOff + 4 + 4 + 8 * j);
    }
    fails(buf, /do not share keys/);
  });
});
