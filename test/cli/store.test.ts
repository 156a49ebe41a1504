// `hivewire store`: the store from the shell, values given as reg.exe takes them.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReg } from '../../src/formats/regtext/index.js';
import { runCli } from './run.js';

const root = mkdtempSync(join(tmpdir(), 'hivewire-cli-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${++n}`);

describe('hivewire store', () => {
  it('set then get each type, text and --json', async () => {
    const d = fresh();
    const set = (...a: string[]) => runCli(['store', 'set', '--data', d, ...a]);
    expect((await set('HKLM\\Software\\Cli', 'Str', 'REG_SZ', 'hello')).code).toBe(0);
    expect((await set('HKLM\\Software\\Cli', 'Dw', 'REG_DWORD', '0x10')).code).toBe(0);
    expect((await set('HKLM\\Software\\Cli', 'Qw', 'REG_QWORD', '5000000000')).code).toBe(0);
    expect((await set('HKLM\\Software\\Cli', 'Multi', 'REG_MULTI_SZ', 'a\\0b\\0c')).code).toBe(0);
    expect((await set('HKLM\\Software\\Cli', 'Bin', 'REG_BINARY', '00ff10')).code).toBe(0);
    expect((await set('HKLM\\Software\\Cli', '', 'REG_SZ', 'default')).code).toBe(0);
    const one = await runCli(['store', 'get', '--data', d, 'HKLM\\Software\\Cli', 'Dw', '--json']);
    expect(JSON.parse(one.stdout)).toEqual({ name: 'Dw', type: 'REG_DWORD', typeCode: 4, data: 16 });
    const all = JSON.parse((await runCli(['store', 'get', '--data', d, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\cli', '--json'])).stdout);
    expect(all.map((v: { name: string }) => v.name)).toEqual(['Str', 'Dw', 'Qw', 'Multi', 'Bin', '']);
    expect(all[2].data).toBe('5000000000');
    expect(all[3].data).toEqual(['a', 'b', 'c']);
    expect(all[4].data).toBe('00ff10');
    const text = await runCli(['store', 'get', '--data', d, 'HKLM\\Software\\Cli', 'Str']);
    expect(text.stdout.trim()).toBe('Str    REG_SZ    hello');
    const missing = await runCli(['store', 'get', '--data', d, 'HKLM\\Software\\Cli', 'Nope']);
    expect(missing.code).toBe(1);
    const bad = await runCli(['store', 'set', '--data', d, 'HKLM\\Software\\Cli', 'X', 'REG_DWORD', 'twelve']);
    expect(bad.code).toBe(2);
  });

  it('list, delete (a key with subkeys only with --recursive), export as .reg and JSON', async () => {
    const d = fresh();
    for (const k of ['A', 'b', 'A\\Deep']) expect((await runCli(['store', 'set', '--data', d, `HKLM\\Software\\T\\${k}`, 'v', 'REG_DWORD', '1'])).code).toBe(0);
    expect((await runCli(['store', 'list', '--data', d, 'HKLM\\Software\\T'])).stdout.trim().split('\n')).toEqual(['A', 'b']);
    const rec = await runCli(['store', 'list', '--data', d, 'HKLM\\Software\\T', '--recursive', '--json']);
    expect(JSON.parse(rec.stdout).map((r: { path: string }) => r.path)).toEqual([
      'HKEY_LOCAL_MACHINE\\Software\\T\\A',
      'HKEY_LOCAL_MACHINE\\Software\\T\\A\\Deep',
      'HKEY_LOCAL_MACHINE\\Software\\T\\b',
    ]);
    const out = join(root, 'x.reg');
    expect((await runCli(['store', 'export', '--data', d, 'HKLM\\Software\\T', '-o', out])).code).toBe(0);
    const reg = parseReg(readFileSync(out));
    expect(reg.ops.length).toBeGreaterThan(3);
    const json = JSON.parse((await runCli(['store', 'export', '--data', d, 'HKLM\\Software\\T', '--json'])).stdout);
    expect(json[1]).toMatchObject({ path: 'HKEY_LOCAL_MACHINE\\Software\\T\\A', values: [{ name: 'v', type: 'REG_DWORD', data: 1 }] });
    const refused = await runCli(['store', 'delete', '--data', d, 'HKLM\\Software\\T\\A']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/ERROR_ACCESS_DENIED/);
    expect((await runCli(['store', 'delete', '--data', d, 'HKLM\\Software\\T\\A', 'v'])).code).toBe(0);
    expect((await runCli(['store', 'delete', '--data', d, 'HKLM\\Software\\T\\A', '--recursive'])).code).toBe(0);
    expect((await runCli(['store', 'list', '--data', d, 'HKLM\\Software\\T'])).stdout.trim()).toBe('b');
    const gone = await runCli(['store', 'list', '--data', d, 'HKLM\\Software\\T\\A']);
    expect(gone.stderr).toMatch(/ERROR_FILE_NOT_FOUND/);
  });
});
