// Differential test: our registry.pol codec against Samba's (python3-samba's samba.dcerpc.preg, C NDR
// code under Python). On a generated corpus: our parse equals Samba's entry for entry, Samba parses
// every file we write, and files Samba writes round-trip through us byte for byte.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePol, serializePol, type PolInstruction } from '../../src/formats/regpol/index.js';
import { decodeString, decodeValue, encodeValue } from '../../src/formats/value.js';
import { EDGE_CASES, randomFile, sambaDropsData, sambaRefuses } from '../formats/regpol/corpus.js';

const PY = '/usr/bin/python3'; // Debian's python: pyenv's python3 cannot see python3-samba
const SCRIPT = new URL('./regpol_samba.py', import.meta.url).pathname;
const FILES = 540;

function requireSamba(): void {
  try {
    execFileSync(PY, ['-c', 'import samba.dcerpc.preg, samba.ndr'], { stdio: 'pipe' });
  } catch {
    throw new Error('peer missing: Samba\'s python bindings. Install with: apt-get install -y python3-samba (bash .ci/run does this)');
  }
}

type SambaData = null | { s: string } | { i: string } | { hex: string };
interface SambaFile {
  ok: boolean;
  error?: string;
  entries?: { key: string; valueName: string; type: number; size: number; data: SambaData }[];
}

// Hand-made files for what a random corpus might miss: every type and every directive in one place.
const ALL_TYPES: PolInstruction[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((t) => ({
  key: 'Software\\Policies\\Types',
  valueName: `t${t}`,
  type: t,
  data: t === 1 || t === 2 ? encodeValue(t, 'text') : t === 4 || t === 5 ? encodeValue(t, 0x12345678) : t === 11 ? encodeValue(t, 1n << 40n) : t === 7 ? encodeValue(t, ['a', 'b']) : Buffer.from('0102', 'hex'),
}));
const ALL_DIRECTIVES: PolInstruction[] = [
  ['**del.Obsolete', 1, encodeValue(1, ' ')],
  ['**delvals.', 1, encodeValue(1, ' ')],
  ['**DeleteValues', 1, encodeValue(1, 'a;b')],
  ['**DeleteKeys', 1, encodeValue(1, 'k1;k2')],
  ['**SecureKey', 4, encodeValue(4, 1)],
  ['**soft.Maybe', 4, encodeValue(4, 5)],
  ['**Comment:note', 1, encodeValue(1, 'hi')],
].map(([valueName, type, data]) => ({ key: 'Software\\Policies\\Directives', valueName: valueName as string, type: type as number, data: data as Buffer }));

// Canonical for Samba: what its writer would produce again from the decoded value.
function sambaCanonical(e: PolInstruction): boolean {
  if (sambaDropsData(e)) return false;
  if ((e.type === 4 || e.type === 5) && e.data.length !== 4) return false;
  if (e.type === 11 && e.data.length !== 8) return false;
  if (e.type !== 1 && e.type !== 2) return true;
  const s = decodeString(e.data);
  return e.data.equals(Buffer.from(s + '\0', 'utf16le'));
}

function sambaSpec(e: PolInstruction): { key: string; valueName: string; type: number; data: SambaData } {
  const v = decodeValue(e.type, e.data);
  let data: SambaData;
  if ((e.type === 1 || e.type === 2) && typeof v === 'string') data = { s: v };
  else if (typeof v === 'number' || typeof v === 'bigint') data = { i: v.toString() };
  else if (e.type === 4 || e.type === 5 || e.type === 11) data = { i: leadingNumber(e.type, e.data).toString() };
  else if (e.type === 0 && e.data.length === 0) data = null;
  else data = { hex: e.data.toString('hex') };
  return { key: e.key, valueName: e.valueName, type: e.type, data };
}

// Samba shows DWORD/QWORD data of any size from its first 4/8 bytes; ours keeps odd sizes as bytes.
function leadingNumber(type: number, data: Buffer): bigint {
  if (type === 11) return data.readBigUInt64LE(0);
  return BigInt(type === 5 ? data.readUInt32BE(0) : data.readUInt32LE(0));
}

describe('registry.pol: differential against Samba (python3-samba)', () => {
  let dir: string;
  const corpus = new Map<string, PolInstruction[]>();
  let samba: Record<string, SambaFile>;

  beforeAll(() => {
    requireSamba();
    dir = mkdtempSync(join(tmpdir(), 'hivewire-regpol-'));
    corpus.set('all-types.pol', ALL_TYPES);
    corpus.set('all-directives.pol', ALL_DIRECTIVES);
    corpus.set('header-only.pol', []);
    for (const [name, entries] of EDGE_CASES) corpus.set(`edge-${name}.pol`, entries);
    for (let i = 0; i < FILES; i++) {
      // every 9th file may hold shapes outside the ABNF, the rest are what Windows and Samba write
      corpus.set(`gen-${String(i).padStart(4, '0')}.pol`, randomFile(1000 + i, i % 9 === 0));
    }
    for (const [name, entries] of corpus) writeFileSync(join(dir, name), serializePol(entries));
    samba = JSON.parse(execFileSync(PY, [SCRIPT, 'parse', dir], { maxBuffer: 1 << 30 }).toString('utf8'));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`covers every type and directive in more than 500 files`, () => {
    expect(corpus.size).toBeGreaterThan(500);
    const all = [...corpus.values()].flat();
    for (const t of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) expect(all.some((e) => e.type === t)).toBe(true);
    for (const d of ['**del.', '**delvals.', '**deletevalues', '**deletekeys', '**securekey', '**soft.']) {
      expect(all.some((e) => e.valueName.toLowerCase().startsWith(d))).toBe(true);
    }
    expect(all.some((e) => e.valueName === '' && e.data.length === 0)).toBe(true);
    expect(all.some((e) => e.data.length > 65535)).toBe(true);
    expect(all.some((e) => (e.type === 1 || e.type === 2) && e.data.length % 2 === 1)).toBe(true);
  });

  it('our parse equals Samba\'s, entry for entry, on every file Samba reads', () => {
    let compared = 0;
    for (const [name, written] of corpus) {
      const s = samba[name]!;
      const ours = parsePol(readFileSync(join(dir, name))).entries;
      expect(ours.length, name).toBe(written.length);
      if (!s.ok) continue;
      expect(s.entries!.length, name).toBe(ours.length);
      s.entries!.forEach((se, i) => {
        const e = ours[i]!;
        const where = `${name} entry ${i}`;
        expect([se.key, se.valueName, se.type, se.size], where).toEqual([e.key, e.valueName, e.type, e.data.length]);
        const d = se.data;
        if (d === null) expect(e.type === 0 || e.data.length === 0, where).toBe(true); // Samba shows no REG_NONE data
        else if ('s' in d) expect(decodeString(e.data), where).toBe(d.s);
        else if ('i' in d) expect(leadingNumber(e.type, e.data), where).toBe(BigInt(d.i));
        else expect(e.data.toString('hex'), where).toBe(d.hex);
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it('Samba reads every file we write, except exactly those holding data its typed reader refuses', () => {
    const refused = [...corpus].filter(([, es]) => es.some(sambaRefuses)).map(([n]) => n);
    const failed = Object.entries(samba).filter(([, s]) => !s.ok).map(([n]) => n);
    expect(failed.sort()).toEqual(refused.sort());
    for (const n of failed) expect(samba[n]!.error).toMatch(/Buffer Size Error|Character Conversion Error/);
    expect(Object.values(samba).filter((s) => s.ok).length).toBeGreaterThan(500);
  });

  it('Samba rewrites our files byte for byte where its writer is canonical, and its rewrites round-trip through us', () => {
    let identical = 0;
    for (const [name, written] of corpus) {
      if (!samba[name]!.ok) continue;
      const theirs = readFileSync(join(dir, 'samba-out', name));
      expect(serializePol(parsePol(theirs).entries).equals(theirs), name).toBe(true);
      if (written.every(sambaCanonical)) {
        expect(theirs.equals(readFileSync(join(dir, name))), name).toBe(true);
        identical++;
      }
    }
    expect(identical).toBeGreaterThan(250);
  });

  it('files Samba writes from values round-trip through us byte-exact and decode to the same values', () => {
    const build = join(dir, 'build');
    mkdirSync(build);
    const specs = new Map<string, ReturnType<typeof sambaSpec>[]>();
    for (const [name, written] of corpus) {
      const spec = written.filter((e) => !sambaRefuses(e) && !sambaDropsData(e)).map(sambaSpec);
      specs.set(name.replace(/\.pol$/, ''), spec);
      writeFileSync(join(build, name.replace(/\.pol$/, '.json')), JSON.stringify({ entries: spec }));
    }
    execFileSync(PY, [SCRIPT, 'build', build]);
    for (const [base, spec] of specs) {
      const path = join(build, 'samba-built', base + '.pol');
      expect(existsSync(path), base).toBe(true);
      const theirs = readFileSync(path);
      const ours = parsePol(theirs).entries;
      expect(serializePol(ours).equals(theirs), base).toBe(true);
      expect(ours.map(sambaSpec), base).toEqual(spec);
    }
  });
});
