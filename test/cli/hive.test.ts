import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Hive, readHive, writeHive, baseBlockChecksum } from '../../src/formats/regf/index.js';
import { parseReg, regToTree } from '../../src/formats/regtext/index.js';
import { flatObject, sampleTree } from '../formats/regf/trees.js';

async function cli(args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(['hive', ...args], { stdout, stderr, stdin: new PassThrough(), env: {} });
  return { code, out: Buffer.concat(out), err: Buffer.concat(err).toString() };
}

const dir = mkdtempSync(join(tmpdir(), 'cli-hive-'));
const tree = sampleTree({ big: true, many: 20 });
const hivePath = join(dir, 'lab.hiv');
writeFileSync(hivePath, writeHive(tree));

describe('hivewire hive', () => {
  it('to-reg and from-reg round-trip a hive through .reg text', async () => {
    const r = await cli(['to-reg', hivePath, '--prefix', 'HKEY_LOCAL_MACHINE\\SOFTWARE']);
    expect(r.code).toBe(0);
    expect(r.out.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const regPath = join(dir, 'lab.reg');
    writeFileSync(regPath, r.out);
    const out = join(dir, 'back.hiv');
    expect((await cli(['from-reg', regPath, '-o', out])).code).toBe(0);
    expect(flatObject(readHive(readFileSync(out)))).toEqual(flatObject(tree));
  });

  it('to-reg --root exports a subtree under its full path; --samba and --regedit4 flavors', async () => {
    const r = await cli(['to-reg', hivePath, '--root', 'Lab\\Sub1', '--prefix', 'HKLM\\X', '--samba']);
    expect(r.out.toString('utf8')).toBe(
      'Windows Registry Editor Version 5.00\n\n[HKLM\\X\\Lab\\Sub1]\n"Small"=dword:00000001\n\n[HKLM\\X\\Lab\\Sub1\\Sub2]\n\n[HKLM\\X\\Lab\\Sub1\\Sub2\\Deep]\n;Local Variables:\n;coding: UTF-8\n;End:\n',
    );
    const v4 = await cli(['to-reg', hivePath, '--root', 'Lab', '--regedit4']);
    expect(v4.out.toString('latin1').startsWith('REGEDIT4\r\n\r\n[ROOT\\Lab]\r\n')).toBe(true);
    expect(parseReg(v4.out).version).toBe(4);
    const missing = await cli(['to-reg', hivePath, '--root', 'Nope']);
    expect([missing.code, missing.err]).toEqual([2, "hivewire hive: no key 'Nope' in the hive [ERR_USAGE]\n"]);
  });

  it('dump prints keys and values; --json gives every key with typed data', async () => {
    const text = (await cli(['dump', hivePath])).out.toString();
    expect(text).toContain('\\Lab\\Sub1  ');
    expect(text).toContain('  "Dword"  REG_DWORD  3735928559 (0xdeadbeef)');
    expect(text).toContain('  "Unknown"  0x12345  090807060504');
    const json = JSON.parse((await cli(['dump', hivePath, '--json'])).out.toString());
    expect(json.length).toBe(Object.keys(flatObject(tree)).length);
    const lab = json.find((k: { path: string }) => k.path === '\\Lab');
    expect(lab.className).toBe('LabClass');
    expect(lab.values.find((v: { name: string }) => v.name === 'MultiSz')).toEqual({ name: 'MultiSz', type: 'REG_MULTI_SZ', typeCode: 7, data: ['one', 'two', 'thrée'] });
  });

  it('check: exit 0 on a good hive; problems and exit 1 on a dirty or broken one', async () => {
    const ok = await cli(['check', hivePath]);
    expect(ok.code).toBe(0);
    const flat = Object.values(flatObject(tree));
    const keys = flat.length;
    const values = flat.reduce((n, k) => n + k.values.length, 0);
    expect(ok.out.toString()).toMatch(new RegExp(`^ok: regf 1\\.5, \\d+ hbins, ${keys} keys, ${values} values \\(2 big\\)`));
    const dirty = Buffer.from(readFileSync(hivePath));
    dirty.writeUInt32LE(dirty.readUInt32LE(4) + 1, 4);
    dirty.writeUInt32LE(baseBlockChecksum(dirty), 508);
    const dirtyPath = join(dir, 'dirty.hiv');
    writeFileSync(dirtyPath, dirty);
    expect(Hive.fromBuffer(dirty).dirty).toBe(true);
    const d = await cli(['check', dirtyPath, '--json']);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.out.toString())).toMatchObject({ ok: false, dirty: true, keys });
    const broken = Buffer.from(readFileSync(hivePath));
    broken.write('xxxx', 4096);
    const brokenPath = join(dir, 'broken.hiv');
    writeFileSync(brokenPath, broken);
    const b = await cli(['check', brokenPath]);
    expect(b.code).toBe(1);
    expect(b.out.toString()).toContain("expected an hbin (signature 'hbin')");
  });

  it('errors are one line with the format error and a non-zero exit', async () => {
    const bad = join(dir, 'bad.reg');
    writeFileSync(bad, 'Windows Registry Editor Version 5.00\r\n\r\n[K]\r\n"v"=dword:zz\r\n');
    const r = await cli(['from-reg', bad, '-o', join(dir, 'x.hiv')]);
    expect([r.code, r.err]).toEqual([1, 'hivewire hive: .reg: at line 4, column 11: expected dword: followed by 1 to 8 hex digits ("zz") [ERR_FORMAT]\n']);
    const notHive = await cli(['dump', bad]);
    expect(notHive.code).toBe(1);
    expect(notHive.err).toMatch(/^hivewire hive: regf: at offset \d+: expected a 4096-byte base block/);
    expect((await cli(['from-reg', bad])).code).toBe(2);
  });

  it('from-reg --root picks the key that becomes the hive root', async () => {
    const reg = join(dir, 'rooted.reg');
    writeFileSync(reg, 'Windows Registry Editor Version 5.00\r\n\r\n[HKLM\\A\\B]\r\n"v"="1"\r\n[HKLM\\A\\B\\C]\r\n');
    const out = join(dir, 'rooted.hiv');
    expect((await cli(['from-reg', reg, '-o', out, '--root', 'HKLM\\A'])).code).toBe(0);
    const t = readHive(readFileSync(out));
    expect(t.name).toBe('A');
    expect(flatObject(t)).toEqual(flatObject(regToTree(parseReg(readFileSync(reg)), { root: 'HKLM\\A' })));
    expect(Object.keys(flatObject(t))).toEqual(['', '\\B', '\\B\\C']);
  });
});

describe('hivewire hive --logs', () => {
  it('applies FILE.LOG1 to a dirty hive before reading it', async () => {
    const { newLog, setBase } = await import('../formats/regf/logfiles.js');
    const before = writeHive(sampleTree(), { now: 5n });
    const after = sampleTree({ many: 7 });
    const data = writeHive(after, { now: 5n }).subarray(4096);
    const dirty = setBase(before, (x) => x.writeUInt32LE(x.readUInt32LE(4) + 1, 4));
    const file = join(dir, 'dirty-with-log.hiv');
    writeFileSync(file, dirty);
    writeFileSync(file + '.LOG1', newLog(dirty, [{ sequence: dirty.readUInt32LE(4), size: data.length, pages: [{ offset: 0, data }] }]));
    const without = await cli(['check', file]);
    expect(without.code).toBe(1);
    const r = await cli(['check', file, '--logs', '--json']);
    expect(r.err).toContain('dirty; applied 1 transaction log entry from 1 log file(s)');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.toString())).toMatchObject({ ok: true, dirty: false, keys: Object.keys(flatObject(after)).length });
  });
});
