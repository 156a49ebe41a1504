// impacket against our winreg server (`hivewire serve` on 127.0.0.51, \PIPE\winreg over SMB2):
// reg.py query/add/delete/save/backup and impacket's rrp module (test/interop/rrp-tool.py), with the
// results read back and checked byte for byte; hives written by save/backup opened with hivex.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages, IMPACKET_EXAMPLES, PY, run } from '../harness/peers.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';

const ADDR = '127.0.0.51';
const TOOL = new URL('./rrp-tool.py', import.meta.url).pathname;
const ADMIN = { user: 'hwadmin', password: 'Adm1n-Passw0rd' };
const READER = { user: 'hwreader', password: 'Read3r-Passw0rd' };
let dir: string;
let srv: ServeProcess | undefined;

const reg = (args: string[], who = ADMIN) => run(PY, [`${IMPACKET_EXAMPLES}/reg.py`, `${who.user}:${who.password}@${ADDR}`, ...args], { timeoutMs: 60_000 });
async function tool(key: string, extra: string[] = [], who = ADMIN): Promise<{ status: number | string; values?: [string, number, string][]; subkeys?: string[]; error?: string }> {
  const r = await run(PY, [TOOL, ADDR, who.user, who.password, key, ...extra], { timeoutMs: 60_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
}
const utf16 = (s: string) => Buffer.from(s, 'utf16le').toString('hex');

beforeAll(async () => {
  ensurePackages(['python3-impacket', 'libhivex-bin']);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-impacket-'));
  writeFileSync(
    join(dir, 'seed.reg'),
    'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Interop]\r\n"Name"="interop"\r\n"Count"=dword:00000007\r\n@="the default"\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Interop\\Sub]\r\n"Leaf"=hex:01,02\r\n',
  );
  srv = await startServeProcess([
    '--listen', `np:${ADDR}:445`,
    '--user', `${ADMIN.user}:${ADMIN.password}:admin`,
    '--user', `${READER.user}:${READER.password}`,
    '--data', join(dir, 'data'),
    '--files', join(dir, 'files'),
    '--import', join(dir, 'seed.reg'),
  ]);
});

afterAll(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('impacket reg.py against hivewire serve', () => {
  it('query lists values and subkeys; -v and -ve read one value', async () => {
    const q = await reg(['query', '-keyName', 'HKLM\\SOFTWARE\\Interop']);
    expect(q.stdout).toMatch(/\tName\tREG_SZ\t interop/);
    expect(q.stdout).toMatch(/\tCount\tREG_DWORD\t 0x7/);
    expect(q.stdout).toContain('HKLM\\SOFTWARE\\Interop\\Sub');
    const v = await reg(['query', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-v', 'Name']);
    expect(v.stdout).toMatch(/\tName\tREG_SZ\t interop/);
    const ve = await reg(['query', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-ve']);
    expect(ve.stdout).toMatch(/\(Default\)\tREG_SZ\t the default/);
    const s = await reg(['query', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-s']);
    expect(s.stdout).toContain('Interop\\Sub\\');
    expect(s.stdout).toMatch(/Leaf\tREG_BINARY/);
  });

  it('add creates keys and stores every value type as sent', async () => {
    expect((await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Added'])).stdout).toMatch(/Successfully set subkey/);
    const cases: [string, string, string, number, string][] = [
      ['sz', 'REG_SZ', 'hello', 1, utf16('hello')],
      ['esz', 'REG_EXPAND_SZ', '%TEMP%\\x', 2, utf16('%TEMP%\\x')],
      ['msz', 'REG_MULTI_SZ', 'one', 7, utf16('one')],
      ['dw', 'REG_DWORD', '305419896', 4, '78563412'],
      ['dwbe', 'REG_DWORD_BIG_ENDIAN', '305419896', 5, '12345678'],
      ['qw', 'REG_QWORD', '81985529216486895', 11, 'efcdab8967452301'],
      ['none', 'REG_NONE', '', 0, ''],
    ];
    for (const [name, type, data] of cases) {
      const r = await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Added', '-v', name, '-vt', type, '-vd', data]);
      expect(r.stdout, r.stderr).toMatch(/Successfully set key/);
    }
    // reg.py 0.10 cannot pack REG_BINARY and REG_LINK data (a client-side bug); impacket's rrp module can
    expect((await tool('SOFTWARE\\Interop\\Added', ['set', 'bin', '3', '00ff10'])).status).toBe(0);
    expect((await tool('SOFTWARE\\Interop\\Added', ['set', 'lnk', '6', utf16('\\Registry\\Machine\\SOFTWARE')])).status).toBe(0);
    const dump = await tool('SOFTWARE\\Interop\\Added');
    expect(dump.status).toBe(0);
    const got = Object.fromEntries(dump.values!.map(([n, t, h]) => [n, [t, h]]));
    for (const [name, , , type, hex] of cases) expect(got[name], name).toEqual([type, hex]);
    expect(got.bin).toEqual([3, '00ff10']);
    expect(got.lnk).toEqual([6, utf16('\\Registry\\Machine\\SOFTWARE')]);
  });

  it('delete removes one value, all values, then the key', async () => {
    await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del']);
    await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del', '-v', 'a', '-vt', 'REG_SZ', '-vd', 'x']);
    await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del', '-v', 'b', '-vt', 'REG_SZ', '-vd', 'y']);
    await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del', '-v', 'c', '-vt', 'REG_DWORD', '-vd', '1']);
    await reg(['delete', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del', '-v', 'a']);
    expect((await tool('SOFTWARE\\Interop\\Del')).values!.map((v) => v[0])).toEqual(['b', 'c']);
    await reg(['delete', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del', '-va']);
    expect((await tool('SOFTWARE\\Interop\\Del')).values).toEqual([]);
    await reg(['delete', '-keyName', 'HKLM\\SOFTWARE\\Interop\\Del']);
    expect((await tool('SOFTWARE\\Interop\\Del')).status).toBe(2); // ERROR_FILE_NOT_FOUND
    expect((await tool('SOFTWARE\\Interop')).subkeys).not.toContain('Del');
  });

  it('save writes a hive hivex reads back with the same values', async () => {
    const r = await reg(['save', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-o', 'out']);
    expect(r.stdout + r.stderr).toMatch(/Saved HKLM\\SOFTWARE\\Interop/);
    const file = join(dir, 'files', 'out', 'SOFTWARE', 'Interop.save');
    expect(existsSync(file)).toBe(true);
    const text = (await run('hivexregedit', ['--export', file, '\\'])).stdout;
    expect(text).toContain('"Count"=dword:00000007');
    expect(text).toContain(`"Name"=hex(1):${Buffer.from('interop\0', 'utf16le').toString('hex').replace(/(..)(?!$)/g, '$1,')}`);
    expect(text).toContain('[\\Sub]');
    expect(text).toContain('"Leaf"=hex(3):01,02');
  });

  it('backup saves SAM, SYSTEM and SECURITY', async () => {
    const r = await reg(['backup', '-o', 'bk']);
    for (const h of ['SAM', 'SYSTEM', 'SECURITY']) {
      expect(r.stdout + r.stderr).toContain(`Saved HKLM\\${h}`);
      const x = await run('hivexregedit', ['--export', join(dir, 'files', 'bk', `${h}.save`), '\\']);
      expect(x.code, x.stderr).toBe(0);
      expect(x.stdout).toContain('[\\]');
    }
  });

  it('refuses a save outside the files directory (UNC, .., absolute) with ERROR_ACCESS_DENIED', async () => {
    for (const out of ['\\\\127.0.0.1\\share', '..', 'C:\\Windows\\Temp', 'x:stream']) {
      const r = await reg(['save', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-o', out]);
      expect(r.stdout + r.stderr, out).toMatch(/Couldn't save.*(0x5|access_denied)/i);
    }
  });
});

describe('security with impacket', () => {
  it('no access without valid credentials', async () => {
    const r = await tool('SOFTWARE\\Interop', [], { user: ADMIN.user, password: 'wrong' });
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/LOGON_FAILURE/);
  });
  it('a user the ACL does not let write gets ERROR_ACCESS_DENIED; reading is allowed', async () => {
    expect((await tool('SOFTWARE\\Interop', [], READER)).status).toBe(0);
    expect((await tool('SOFTWARE\\Interop', ['set', 'x', '4', '01000000'], READER)).status).toBe(5);
    const r = await reg(['add', '-keyName', 'HKLM\\SOFTWARE\\Interop', '-v', 'y', '-vt', 'REG_SZ', '-vd', 'no'], READER);
    expect(r.stdout + r.stderr).toMatch(/0x5|access_denied/i);
    expect((await tool('SOFTWARE\\Interop')).values!.map((v) => v[0])).not.toContain('y');
  });
  it('logs one structured line per call at debug level', () => {
    // the server runs at info level: no per-call lines leak
    expect(srv!.stderr()).not.toMatch(/"msg":"call"/);
  });
});
