// Samba's clients against our winreg server (`hivewire serve` on 127.0.0.52): `net rpc registry`
// (enumerate, createkey, deletekey, getvalue, setvalue, getsd, export, import) and rpcclient's winreg
// command — and the same scenario against Samba's own winreg server (127.0.0.2, rpcd_winreg), which
// must give the same results (modification times aside).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages, run } from '../harness/peers.js';
import { startSambaRegistry, SAMBA_PACKAGES, type SambaRegistry } from '../harness/samba-registry.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';

const OURS = '127.0.0.52';
const USER = { user: 'netadmin', password: 'N3t-Passw0rd' };
let dir: string;
let ours: ServeProcess | undefined;
let samba: SambaRegistry | undefined;

interface Target {
  ip: string;
  auth: string[];
}
const oursTarget = (): Target => ({ ip: OURS, auth: ['-W', 'HIVEWIRE', '-U', `${USER.user}%${USER.password}`] });
const sambaTarget = (): Target => ({ ip: samba!.ip, auth: ['-U', `${samba!.user}%${samba!.password}`] });

async function net(t: Target, args: string[]) {
  const r = await run('net', ['rpc', 'registry', ...args, '-S', t.ip, '-I', t.ip, ...t.auth], { timeoutMs: 60_000 });
  return { code: r.code, out: (r.stdout + r.stderr).replace(/^Modtime\s*=.*$/gm, 'Modtime = *').trim() };
}

/** The same session of `net rpc registry` commands; returns what each printed. */
async function scenario(t: Target, tag: string): Promise<Record<string, { code: number | null; out: string }>> {
  const K = `HKLM\\SOFTWARE\\HWCompare${tag}`;
  const o: Record<string, { code: number | null; out: string }> = {};
  await net(t, ['deletekey', `${K}\\Child`]);
  await net(t, ['deletekey', K]);
  o.createkey = await net(t, ['createkey', K]);
  o.createChild = await net(t, ['createkey', `${K}\\Child`]);
  o.setsz = await net(t, ['setvalue', K, 'Greeting', 'sz', 'hello world']);
  o.setdword = await net(t, ['setvalue', K, 'Count', 'dword', '42']);
  o.setmulti = await net(t, ['setvalue', K, 'List', 'multi_sz', 'one', 'two', 'three']);
  o.getsz = await net(t, ['getvalue', K, 'Greeting']);
  o.getdword = await net(t, ['getvalue', K, 'Count']);
  o.getmulti = await net(t, ['getvalue', K, 'List']);
  o.getraw = await net(t, ['getvalueraw', K, 'Greeting']);
  o.getmissing = await net(t, ['getvalue', K, 'Missing']);
  o.enumerate = await net(t, ['enumerate', K]);
  const exp = join(dir, `export-${t.ip}.reg`);
  o.export = await net(t, ['export', K, exp]);
  o.exported = { code: 0, out: readFileSync(exp, 'utf8').replace(/HWCompare\w*/g, 'HWCompare') };
  o.deleteWithChild = await net(t, ['deletekey', K]);
  o.deleteChild = await net(t, ['deletekey', `${K}\\Child`]);
  o.deleteKey = await net(t, ['deletekey', K]);
  o.getAfterDelete = await net(t, ['getvalue', K, 'Greeting']);
  for (const v of Object.values(o)) v.out = v.out.replace(/HWCompare\w*/g, 'HWCompare');
  return o;
}

beforeAll(async () => {
  ensurePackages([...SAMBA_PACKAGES, 'samba-common-bin']);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-samba-'));
  // debug level: the import test reads the access masks Samba's client sent from the call log
  ours = await startServeProcess(['--listen', `np:${OURS}:445`, '--user', `${USER.user}:${USER.password}:admin`, '--data', join(dir, 'data'), '--log-level', 'debug']);
  samba = await startSambaRegistry();
});

afterAll(async () => {
  await ours?.stop();
  await samba?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('net rpc registry and rpcclient against hivewire serve', () => {
  it('create, set, get, enumerate, export, delete', async () => {
    const r = await scenario(oursTarget(), 'Ours');
    expect(r.createkey!.code, r.createkey!.out).toBe(0);
    expect(r.getsz!.out).toContain('Value      = "hello world"');
    expect(r.getdword!.out).toContain('Value      = 42');
    expect(r.getraw!.out).toBe('hello world');
    expect(r.getmissing!.code).not.toBe(0);
    expect(r.enumerate!.out).toContain('Keyname   = Child');
    expect(r.exported!.out).toContain('"Count"=dword:0000002a');
    expect(r.deleteWithChild!.code).not.toBe(0); // a key with subkeys is refused (ERROR_ACCESS_DENIED)
    expect(r.deleteChild!.code).toBe(0);
    expect(r.deleteKey!.code).toBe(0);
    expect(r.getAfterDelete!.code).not.toBe(0);
  });

  it('import: keys are created; values are refused on the read-only handle it opens (Windows semantics)', async () => {
    // Samba's `net rpc registry import` (source3/utils/net_rpc_registry.c, import_create_key and
    // import_create_val) opens the hive with MAXIMUM_ALLOWED, then each key with
    // CreateKey(samDesired = REG_KEY_READ = 0x20019) and calls SetValue on that handle. Handles keep the
    // access granted at open time (MS-RRP §3.1.1.9, §3.1.5.22) and KEY_READ holds no KEY_SET_VALUE
    // (0x2), so we answer ERROR_ACCESS_DENIED as Windows does; Samba's own server does not enforce it.
    // The masks are read from what arrived on the wire (our call log), not assumed.
    const file = join(dir, 'import.reg');
    writeFileSync(file, 'Windows Registry Editor Version 5.00\n\n[HKLM\\SOFTWARE\\HWImport]\n"A"="alpha"\n"B"=dword:00000010\n', 'utf8');
    const t = oursTarget();
    const logged = () => ours!.stderr().split('\n').filter((l) => l.includes('"msg":"call"')).map((l) => JSON.parse(l) as { op: string; key?: string; samDesired?: number; status: number });
    const before = logged().length;
    const imp = await net(t, ['import', file]);
    expect(imp.out).toContain('createkey created HKLM\\SOFTWARE\\HWImport');
    expect(imp.out).toContain('setval A failed: WERR_ACCESS_DENIED');
    const wire = logged().slice(before);
    const create = wire.filter((c) => c.op === 'BaseRegCreateKey');
    expect(create.length).toBeGreaterThan(0);
    for (const c of create) expect(c.samDesired, JSON.stringify(c)).toBe(0x20019);
    expect(wire.find((c) => c.op === 'OpenLocalMachine')?.samDesired).toBe(0x02000000);
    const sets = wire.filter((c) => c.op === 'BaseRegSetValue');
    expect(sets.length).toBeGreaterThan(0);
    for (const c of sets) {
      expect(c.status).toBe(5);
      expect(c.key).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\HWImport');
    }
    expect((await net(t, ['enumerate', 'HKLM\\SOFTWARE'])).out).toContain('Keyname   = HWImport');
  });

  it('getsd shows the key descriptor', async () => {
    const t = oursTarget();
    await net(t, ['createkey', 'HKLM\\SOFTWARE\\HWSd']);
    const sd = await net(t, ['getsd', 'HKLM\\SOFTWARE\\HWSd']);
    expect(sd.code, sd.out).toBe(0);
    expect(sd.out).toMatch(/SID: S-1-5-32-544/);
    expect(sd.out).toMatch(/SID: S-1-5-18/);
  });

  it("rpcclient's winreg_enumkey", async () => {
    const r = await run('rpcclient', ['-U', `HIVEWIRE\\${USER.user}%${USER.password}`, OURS, '-c', 'winreg_enumkey'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
  });

  it('wrong password: no access', async () => {
    const r = await run('net', ['rpc', 'registry', 'enumerate', 'HKLM\\SOFTWARE', '-S', OURS, '-I', OURS, '-W', 'HIVEWIRE', '-U', `${USER.user}%nope`], { timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/LOGON_FAILURE|password was not correct/);
  });
});

describe("the same scenario against Samba's winreg and ours", () => {
  it('gives the same results', async () => {
    const a = await scenario(oursTarget(), 'Same');
    const b = await scenario(sambaTarget(), 'Same');
    for (const k of Object.keys(b)) expect({ step: k, ...a[k] }, k).toEqual({ step: k, ...b[k] });
  });
});
