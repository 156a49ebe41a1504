// Our RRP client against our own server (`hivewire serve` on 127.0.0.61): ncacn_np and ncacn_ip_tcp
// (port found through the endpoint mapper), every auth level the server accepts, NTLM and SPNEGO; the
// same write / read back / recursive read / recursive delete scenario each time.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { runCli } from '../cli/run.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, KEY_READ, type RegistryConnectOptions } from '../../src/interfaces/rrp/client.js';
import { readTree } from '../../src/reg/walk.js';
import { Win32Error } from '../../src/util/win32.js';
import { readHive } from '../../src/formats/regf/index.js';
import { addLoopback, ensurePackages, removeLoopback, run } from '../harness/peers.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';

const IP = '127.0.0.61';
const USER = { username: 'rrpadmin', password: 'Rrp-Client-1', domain: 'HIVEWIRE' };
let dir: string;
let ours: ServeProcess | undefined;
let added = false;

beforeAll(async () => {
  ensurePackages(['libwin-hivex-perl']); // hivexregedit reads the saved hives back
  added = addLoopback(IP);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-client-'));
  mkdirSync(join(dir, 'files'));
  ours = await startServeProcess(['--listen', `np:${IP}:445`, '--listen', `tcp:${IP}:0`, '--user', `${USER.username}:${USER.password}:admin`, '--data', join(dir, 'data'), '--files', join(dir, 'files')]);
}, 90_000);

afterAll(async () => {
  await ours?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (added) removeLoopback(IP);
});

async function scenario(opts: Partial<RegistryConnectOptions>, tag: string): Promise<void> {
  const reg = await RegistryClient.connect({ host: IP, ...USER, ...opts } as RegistryConnectOptions);
  const base = `HKLM\\SOFTWARE\\HWClient${tag}`;
  try {
    const k = await reg.createKey(`${base}\\A\\B`);
    expect(k.created).toBe(true);
    await k.setValue('sz', 'hello');
    await k.setValue('dw', 0xfffffffe);
    await k.setValue('qw', 1n << 40n);
    await k.setValue('multi', ['x', '', 'y']);
    await k.setValue('bin', Buffer.from([0, 1, 2, 255]));
    await k.setValue('exp', { type: 2, value: '%SystemRoot%\\x' });
    await k.setValue('', 'default');
    // larger than the first buffer offered: ERROR_MORE_DATA, then the size the server returned
    const big = Buffer.alloc(70_000, 0x5a);
    await k.setValue('big', big);
    expect(await k.get('sz')).toBe('hello');
    expect(await k.get('dw')).toBe(0xfffffffe);
    expect(await k.get('qw')).toBe(1n << 40n);
    expect(await k.get('multi')).toEqual(['x', '', 'y']);
    expect(await k.get('')).toBe('default');
    expect((await k.getValue('big')).data.equals(big)).toBe(true);
    // written as Windows writes strings: the terminator is part of the data
    expect((await k.getValue('sz')).data).toEqual(Buffer.from('hello\0', 'utf16le'));
    expect((await k.getValue('multi')).data).toEqual(Buffer.from('x\0\0y\0\0', 'utf16le'));
    const info = await k.queryInfo();
    expect(info.values).toBe(8);
    expect(info.maxValueLen).toBe(70_000);
    const names = [];
    for await (const v of k.values()) names.push(v.name);
    expect(names.sort()).toEqual(['', 'big', 'bin', 'dw', 'exp', 'multi', 'qw', 'sz']);
    await k.deleteValue('bin');
    await expect(k.getValue('bin')).rejects.toMatchObject({ code: 'ERROR_FILE_NOT_FOUND', status: 2 });
    await k.close();

    for (let i = 0; i < 30; i++) await reg.setValue(`${base}\\A`, `v${i}`, i);
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => reg.createKey(`${base}\\Many\\K${i}`)));
    await Promise.all(many.map((m, i) => m.setValue('i', i).then(() => m.close())));

    const tree = await readTree(reg, base, { concurrency: 4 });
    expect(tree.subkeys.map((s) => s.name)).toEqual(['A', 'Many']);
    expect(tree.subkeys[0]!.values).toHaveLength(30);
    expect(tree.subkeys[0]!.subkeys[0]!.values).toHaveLength(7);
    expect(tree.subkeys[1]!.subkeys).toHaveLength(20);

    const p = await reg.openKey(base, { access: KEY_READ });
    const sd = await p.getSecurity();
    expect(sd.sddl).toMatch(/^O:/);
    expect(sd.binary[0]).toBe(1); // SECURITY_DESCRIPTOR revision
    await p.close();

    await expect(reg.deleteKey(`${base}\\A`)).rejects.toBeInstanceOf(Win32Error); // has children
    await reg.deleteKey(base, { recursive: true });
    expect(await reg.exists(base)).toBe(false);
    await expect(reg.openKey(`${base}\\A`)).rejects.toMatchObject({ code: 'ERROR_FILE_NOT_FOUND' });
  } finally {
    await reg.close();
  }
}

describe('RegistryClient against hivewire serve', () => {
  for (const transport of ['np', 'tcp'] as const) {
    for (const authLevel of ['connect', 'integrity', 'privacy'] as const) {
      it(`${transport}, ${authLevel}`, () => scenario({ transport, authLevel }, `${transport}${authLevel}`), 60_000);
    }
  }
  it('np without RPC authentication (the SMB session authenticates), NTLM at privacy over tcp', async () => {
    await scenario({ transport: 'np', authLevel: 'none' }, 'npnone');
    await scenario({ transport: 'tcp', authLevel: 'privacy', authType: 'ntlm' }, 'tcpntlm');
  }, 60_000);
  it('two associations: recursive reads spread over them', async () => {
    const reg = await RegistryClient.connect({ host: IP, ...USER, transport: 'tcp', connections: 2 });
    try {
      expect(reg.connections).toBe(2);
      for (let i = 0; i < 10; i++) await (await reg.createKey(`HKLM\\SOFTWARE\\HWTwo\\K${i}`)).close();
      const tree = await readTree(reg, 'HKLM\\SOFTWARE\\HWTwo', { concurrency: 6 });
      expect(tree.subkeys).toHaveLength(10);
      await reg.deleteKey('HKLM\\SOFTWARE\\HWTwo', { recursive: true });
    } finally {
      await reg.close();
    }
  }, 60_000);
  it('flush, saveKey (the server writes a regf hive) and reg save', async () => {
    const reg = await RegistryClient.connect({ host: IP, ...USER, transport: 'tcp' });
    try {
      const k = await reg.createKey('HKLM\\SOFTWARE\\HWSave\\Sub');
      await k.setValue('v', 'saved');
      await k.flush();
      await k.close();
      const p = await reg.openKey('HKLM\\SOFTWARE\\HWSave');
      await p.saveKey('lib.hiv');
      await p.close();
      expect(readFileSync(join(dir, 'files', 'lib.hiv')).subarray(0, 4).toString('latin1')).toBe('regf');
      // server-side save, then fetched over SMB2 from the share `hivewire serve` makes of --files
      const local = join(dir, 'fetched.hiv');
      const r = await runCli(['reg', 'save', `\\\\${IP}\\HKLM\\SOFTWARE\\HWSave`, 'cli.hiv', '--fetch', 'HIVES\\cli.hiv', local, '--json', '-U', `${USER.username}%${USER.password}`, '-W', USER.domain]);
      expect(r.code, r.stderr).toBe(0);
      const onServer = readFileSync(join(dir, 'files', 'cli.hiv'));
      expect(JSON.parse(r.stdout)).toEqual({ ok: true, remote: 'cli.hiv', fetched: onServer.length });
      const saved = readFileSync(local);
      expect(saved.equals(onServer)).toBe(true);
      expect(saved.subarray(0, 4).toString('latin1')).toBe('regf');
      // read back by our regf reader and by hivex: the subtree as it was written
      const hive = readHive(saved);
      expect(hive.subkeys.map((s) => s.name)).toEqual(['Sub']);
      expect(hive.subkeys[0]!.values).toEqual([{ name: 'v', type: 1, data: Buffer.from('saved\0', 'utf16le') }]);
      const hx = await run('hivexregedit', ['--export', local, '\\']);
      expect(hx.code, hx.stderr).toBe(0);
      expect(hx.stdout).toContain('[\\Sub]');
      expect(hx.stdout).toContain(`"v"=hex(1):${Buffer.from('saved\0', 'utf16le').toString('hex').replace(/(..)(?!$)/g, '$1,')}`);
      await reg.deleteKey('HKLM\\SOFTWARE\\HWSave', { recursive: true });
    } finally {
      await reg.close();
    }
  }, 60_000);
  it('a wrong password is refused', async () => {
    await expect(RegistryClient.connect({ host: IP, ...USER, password: 'wrong', transport: 'tcp' })).rejects.toThrow();
  }, 30_000);
});
