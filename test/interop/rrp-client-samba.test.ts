// Our RRP client and `hivewire reg` against Samba's winreg (rpcd_winreg behind smbd on 127.0.0.62,
// ncacn_np): a seeded tree read recursively equals what `net rpc registry export` writes of it, value
// for value; what `hivewire reg add/delete/import` writes, `net rpc registry getvalue/enumerate` reads
// back; every auth level Samba accepts.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReg } from '../../src/formats/regtext/parser.js';
import { regToTree } from '../../src/formats/regtext/tree.js';
import { countKeys } from '../../src/formats/tree.js';
import { RegistryClient } from '../../src/interfaces/rrp/client.js';
import { compareTrees } from '../../src/reg/compare.js';
import { readTree } from '../../src/reg/walk.js';
import { writeTree } from '../../src/reg/apply.js';
import { ensurePackages, run } from '../harness/peers.js';
import { startSambaRegistry, SAMBA_PACKAGES, type SambaRegistry } from '../harness/samba-registry.js';
import { runCli } from '../cli/run.js';
import { seedRegText } from './rrp-client-seed.js';

const N = 200;
let samba: SambaRegistry | undefined;
let dir: string;

async function net(args: string[]) {
  const r = await run('net', ['rpc', 'registry', ...args, '-S', samba!.ip, '-I', samba!.ip, '-U', `${samba!.user}%${samba!.password}`], { timeoutMs: 120_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}
const creds = () => ['-U', `${samba!.user}%${samba!.password}`];
const connect = (authLevel: 'none' | 'connect' | 'integrity' | 'privacy' = 'privacy') =>
  RegistryClient.connect({ host: samba!.ip, transport: 'np', username: samba!.user, password: samba!.password, authLevel });

beforeAll(async () => {
  ensurePackages(SAMBA_PACKAGES);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-client-samba-'));
  samba = await startSambaRegistry({ ip: '127.0.0.62' }); // our own address: 127.0.0.2 is shared with other suites
  // seeded with our writer: `net rpc registry import` fails on setvalue (WERR_ACCESS_DENIED) in Samba 4.x;
  // the reader that checks our reads is net's export
  const reg = await connect();
  try {
    await writeTree(reg, 'HKLM\\SOFTWARE\\HWClientSeed', regToTree(parseReg(seedRegText('HKEY_LOCAL_MACHINE\\SOFTWARE\\HWClientSeed', N))));
  } finally {
    await reg.close();
  }
}, 300_000);

afterAll(async () => {
  await samba?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RegistryClient against Samba winreg', () => {
  it('a recursive read equals net rpc registry export, value for value', async () => {
    const reg = await connect();
    let ours;
    try {
      ours = await readTree(reg, 'HKLM\\SOFTWARE\\HWClientSeed', { concurrency: 64 }); // one association, hundreds of calls in flight
    } finally {
      await reg.close();
    }
    const file = join(dir, 'export.reg');
    const r = await net(['export', 'HKLM\\SOFTWARE\\HWClientSeed', file]);
    expect(r.code, r.out).toBe(0);
    const theirs = regToTree(parseReg(readFileSync(file)));
    expect(countKeys(theirs)).toBe(1 + Math.ceil(N / 50) + N);
    expect(countKeys(ours)).toBe(countKeys(theirs));
    expect(compareTrees(ours, theirs, true)).toEqual([]);
    // the same over several associations (keys spread over them, opened from the hive root there)
    const three = await RegistryClient.connect({ host: samba!.ip, transport: 'np', username: samba!.user, password: samba!.password, connections: 3 });
    try {
      expect(compareTrees(await readTree(three, 'HKLM\\SOFTWARE\\HWClientSeed', { concurrency: 16 }), theirs, true)).toEqual([]);
    } finally {
      await three.close();
    }
    // and not vacuously: a changed byte is seen
    ours.subkeys[0]!.subkeys[0]!.values[0]!.data[0] ^= 1;
    expect(compareTrees(ours, theirs, true)).toHaveLength(1);
  }, 120_000);

  it('BaseRegSaveKey: Samba 4.17 answers WERR_BAD_PATHNAME for any file, a typed Win32Error (reg save exits 1 naming it)', async () => {
    const reg = await connect();
    try {
      const k = await reg.openKey('HKLM\\SOFTWARE\\HWClientSeed');
      // a path inside the [lab] share, as C:\... (what older Samba's validate_reg_filename accepted)
      const inShare = `C:${samba!.baseDir.replace(/\//g, '\\')}\\share\\seed.hiv`;
      await expect(k.saveKey(inShare)).rejects.toMatchObject({ code: 'ERROR_BAD_PATHNAME', status: 0xa1 });
      await k.close();
    } finally {
      await reg.close();
    }
    const r = await runCli(['reg', 'save', `\\\\${samba!.ip}\\HKLM\\SOFTWARE\\HWClientSeed`, 'seed.hiv', '--fetch', 'lab\\seed.hiv', join(dir, 'seed.hiv'), '-U', `${samba!.user}%${samba!.password}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR_BAD_PATHNAME');
    expect(existsSync(join(dir, 'seed.hiv'))).toBe(false);
  }, 60_000);

  it('auth level connect is refused by Samba (allow dcerpc auth level connect = no): a typed fault', async () => {
    const reg = await connect('connect');
    try {
      await expect(reg.openKey('HKLM\\SOFTWARE\\HWClientSeed')).rejects.toMatchObject({ code: 'ERR_RPC_FAULT', status: 5 });
    } finally {
      await reg.close();
    }
  }, 60_000);

  for (const level of ['none', 'integrity', 'privacy'] as const) {
    it(`auth level ${level} (none: the SMB session authenticates): reads a seeded value and its key's security`, async () => {
      const reg = await connect(level);
      try {
        const k = await reg.openKey('HKLM\\SOFTWARE\\HWClientSeed\\G1\\K57');
        expect(await k.get('Name')).toBe('key number 57');
        expect(await k.get('List')).toEqual(['a57', 'b']);
        expect(await k.get('Big')).toBe(57n * 0x100000001n);
        expect((await k.getSecurity()).sddl).toMatch(/^O:/);
        await k.close();
      } finally {
        await reg.close();
      }
    }, 60_000);
  }

  it('reg add / delete read back by net rpc registry getvalue and enumerate', async () => {
    const key = `\\\\${samba!.ip}\\HKLM\\SOFTWARE\\HWClientCli`;
    expect((await runCli(['reg', 'add', `${key}\\Child`, '/v', 'Greeting', '/t', 'REG_SZ', '/d', 'hello samba', ...creds()])).code).toBe(0);
    expect((await runCli(['reg', 'add', key, '/v', 'Count', '/t', 'REG_DWORD', '/d', '0x2a', '/f', ...creds()])).code).toBe(0);
    expect((await runCli(['reg', 'add', key, '/v', 'List', '/t', 'REG_MULTI_SZ', '/d', 'one\\0two', ...creds()])).code).toBe(0);
    let g = await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientCli\\Child', 'Greeting']);
    expect(g.out).toContain('Value      = "hello samba"');
    g = await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientCli', 'Count']);
    expect(g.out).toContain('Value      = 42');
    g = await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientCli', 'List']);
    expect(g.out).toMatch(/"one"[\s\S]*"two"/);
    const e = await net(['enumerate', 'HKLM\\SOFTWARE\\HWClientCli']);
    expect(e.out).toContain('Keyname   = Child');

    const q = await runCli(['reg', 'query', key, '/s', '--json', ...creds()]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout).keys.map((k: { path: string }) => k.path)).toEqual(['HKEY_LOCAL_MACHINE\\SOFTWARE\\HWClientCli', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\HWClientCli\\Child']);

    expect((await runCli(['reg', 'delete', key, '/v', 'Count', '/f', ...creds()])).code).toBe(0);
    expect((await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientCli', 'Count'])).code).not.toBe(0);
    expect((await runCli(['reg', 'delete', key, '/f', ...creds()])).code).toBe(0);
    expect((await net(['enumerate', 'HKLM\\SOFTWARE\\HWClientCli'])).code).not.toBe(0);
  }, 120_000);

  it('reg import of a .reg file, read back by net rpc registry', async () => {
    const file = join(dir, 'import.reg');
    writeFileSync(file, Buffer.from(
      '\ufeffWindows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\HWClientImport\\Sub]\r\n"S"="imported"\r\n"D"=dword:00000007\r\n@="default"\r\n\r\n', 'utf16le'));
    const r = await runCli(['reg', 'import', file, `\\\\${samba!.ip}`, '--json', ...creds()]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, keys: 1, values: 3 });
    expect((await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientImport\\Sub', 'S'])).out).toContain('Value      = "imported"');
    expect((await net(['getvalue', 'HKLM\\SOFTWARE\\HWClientImport\\Sub', 'D'])).out).toContain('Value      = 7');
    const reg = await connect();
    try {
      expect(await (await reg.openKey('HKLM\\SOFTWARE\\HWClientImport\\Sub')).get('')).toBe('default');
      await reg.deleteKey('HKLM\\SOFTWARE\\HWClientImport', { recursive: true });
      expect(await reg.exists('HKLM\\SOFTWARE\\HWClientImport')).toBe(false);
    } finally {
      await reg.close();
    }
  }, 120_000);
});
