// `hivewire reg` against our own server (`hivewire serve` on 127.0.0.63, np and tcp): reg.exe's
// operations and options, --json, credentials from the environment, usage errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseReg } from '../../src/formats/regtext/parser.js';
import { addLoopback, removeLoopback } from '../harness/peers.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';
import { runCli } from './run.js';

const IP = '127.0.0.63';
const U = ['-U', 'regcli%Reg-Cli-Pass1', '-W', 'HIVEWIRE'];
const K = `\\\\${IP}\\HKLM\\SOFTWARE\\HWRegCli`;
let dir: string;
let ours: ServeProcess | undefined;
let added = false;

beforeAll(async () => {
  added = addLoopback(IP);
  dir = mkdtempSync(join(tmpdir(), 'hw-reg-cli-'));
  ours = await startServeProcess(['--listen', `np:${IP}:445`, '--listen', `tcp:${IP}:0`, '--user', 'regcli:Reg-Cli-Pass1:admin', '--data', join(dir, 'data')]);
}, 90_000);

afterAll(async () => {
  await ours?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (added) removeLoopback(IP);
});

describe('hivewire reg usage', () => {
  it('rejects what reg.exe would', async () => {
    expect((await runCli(['reg', 'frob', K, ...U])).code).toBe(2);
    expect((await runCli(['reg', 'query', 'HKLM\\X', ...U])).stderr).toMatch(/expected \\\\HOST\\KEY/);
    expect((await runCli(['reg', 'query', `\\\\${IP}\\HKXX\\Y`, ...U])).stderr).toMatch(/unknown root key/);
    expect((await runCli(['reg', 'query', K])).stderr).toMatch(/no user/);
    expect((await runCli(['reg', 'delete', K, ...U])).stderr).toMatch(/\/f/);
    expect((await runCli(['reg', 'query', K, '--transport', 'udp', ...U])).code).toBe(2);
  });
});

describe('hivewire reg against hivewire serve', () => {
  for (const transport of ['np', 'tcp']) {
    it(`add, query, /f, export, import, copy, compare, delete over ${transport}`, async () => {
      const T = ['--transport', transport, ...U];
      const key = `${K}${transport}`;
      expect((await runCli(['reg', 'add', `${key}\\Sub`, '/v', 'Name', '/d', 'hello world', ...T])).code).toBe(0);
      expect((await runCli(['reg', 'add', key, '/v', 'Num', '/t', 'REG_DWORD', '/d', '42', '/f', ...T])).code).toBe(0);
      expect((await runCli(['reg', 'add', key, '/v', 'Q', '/t', 'REG_QWORD', '/d', '0x10000000000', ...T])).code).toBe(0);
      expect((await runCli(['reg', 'add', key, '/v', 'L', '/t', 'REG_MULTI_SZ', '/s', ',', '/d', 'a,b', ...T])).code).toBe(0);
      expect((await runCli(['reg', 'add', key, '/ve', '/d', 'dflt', ...T])).code).toBe(0);

      const q = await runCli(['reg', 'query', key, ...T]);
      expect(q.code, q.stderr).toBe(0);
      const long = `HKEY_LOCAL_MACHINE\\SOFTWARE\\HWRegCli${transport}`;
      expect(q.stdout).toContain(`${long}\n`);
      expect(q.stdout).toContain('    Num    REG_DWORD    0x2a\n');
      expect(q.stdout).toContain('    Q    REG_QWORD    0x10000000000\n');
      expect(q.stdout).toContain('    L    REG_MULTI_SZ    a\\0b\n');
      expect(q.stdout).toContain('    (Default)    REG_SZ    dflt\n');
      expect(q.stdout).toContain(`${long}\\Sub\n`);
      expect(q.stderr).toBe(''); // no progress line when not on a terminal

      const v = await runCli(['reg', 'query', `${key}\\Sub`, '/v', 'Name', '--json', ...T]);
      expect(JSON.parse(v.stdout)).toEqual({ path: `${long}\\Sub`, values: [{ name: 'Name', type: 'REG_SZ', typeCode: 1, data: 'hello world' }] });
      const f = await runCli(['reg', 'query', key, '/s', '/f', '*WOR?D', ...T]);
      expect(f.stdout).toContain('End of search: 1 match(es) found.');
      expect((await runCli(['reg', 'query', key, '/s', '/f', 'nothing-like-it', ...T])).code).toBe(1);

      const file = join(dir, `${transport}.reg`);
      expect((await runCli(['reg', 'export', key, file, ...T])).code).toBe(0);
      const exported = parseReg(readFileSync(file));
      expect(exported.ops.filter((o) => o.kind === 'key').map((o) => o.path)).toEqual([long, `${long}\\Sub`]);
      expect(exported.ops.filter((o) => o.kind === 'value')).toHaveLength(5);
      expect((await runCli(['reg', 'export', key, file, ...T])).code).toBe(1); // exists, no /y

      const copy = `${key}Copy`;
      expect((await runCli(['reg', 'copy', key, copy, '/s', '/f', ...T])).code).toBe(0);
      const same = await runCli(['reg', 'compare', key, copy, '/s', '--json', ...T]);
      expect(JSON.parse(same.stdout)).toEqual({ identical: true, differences: [] });
      expect(same.code).toBe(0);
      expect((await runCli(['reg', 'delete', `${copy}\\Sub`, '/v', 'Name', '/f', ...T])).code).toBe(0);
      const diff = await runCli(['reg', 'compare', key, copy, '/s', ...T]);
      expect(diff.code).toBe(2);
      expect(diff.stdout).toContain(`< Value: ${long}\\Sub  Name`);

      // import the export into a renamed key: the copy reads back identical
      const renamed = readFileSync(file).toString('utf16le').replaceAll(`HWRegCli${transport}`, `HWRegCli${transport}Imp`);
      writeFileSync(join(dir, 'imp.reg'), Buffer.from(renamed, 'utf16le'));
      expect((await runCli(['reg', 'import', join(dir, 'imp.reg'), `\\\\${IP}`, ...T])).code).toBe(0);
      expect((await runCli(['reg', 'compare', key, `${key}Imp`, '/s', ...T])).code).toBe(0);

      for (const k of [key, copy, `${key}Imp`]) {
        const d = await runCli(['reg', 'delete', k, '/f', '--json', ...T]);
        expect(JSON.parse(d.stdout).ok).toBe(true);
      }
      const gone = await runCli(['reg', 'query', key, ...T]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('ERROR_FILE_NOT_FOUND');
    }, 90_000);
  }

  it('takes credentials from HIVEWIRE_USER / HIVEWIRE_PASSWORD', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const code = await main(['reg', 'add', `${K}Env`, '/v', 'x', '/d', 'y', '-W', 'HIVEWIRE'], {
      stdout: out, stderr: new PassThrough(), stdin: Readable.from([]), env: { HIVEWIRE_USER: 'regcli', HIVEWIRE_PASSWORD: 'Reg-Cli-Pass1' },
    });
    expect(code).toBe(0);
    expect((await runCli(['reg', 'query', `${K}Env`, '/v', 'x', ...U])).stdout).toContain('x    REG_SZ    y');
    expect((await runCli(['reg', 'delete', `${K}Env`, '/f', ...U])).code).toBe(0);
  }, 60_000);
});
