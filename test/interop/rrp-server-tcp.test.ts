// Our winreg server over ncacn_ip_tcp (`hivewire serve --listen tcp:127.0.0.56:0`, a dynamic port
// registered with our endpoint mapper on 127.0.0.56:135; no named pipe at all), driven by clients we
// did not write: impacket's DCERPC transport (epm.hept_map, then NTLM at connect, integrity and
// privacy; test/interop/rrp-server-tcp.py) and Samba's rpcclient (binding 'ncacn_ip_tcp:ADDR[flags]',
// which asks our endpoint mapper for the port; NTLM and SPNEGO). The values read are checked, and the
// server's debug log shows each call's auth level, so the level asked for is the level used.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages, PY, run } from '../harness/peers.js';
import { startServeProcess, type ServeProcess } from '../serve/process.js';

const ADDR = '127.0.0.56';
const SCRIPT = new URL('./rrp-server-tcp.py', import.meta.url).pathname;
const USER = { user: 'tcpuser', password: 'Tcp-Passw0rd', domain: 'HIVEWIRE' };
let dir: string;
let srv: ServeProcess | undefined;
let tcpPort = 0;

interface CallLog {
  op: string;
  caller: string;
  authLevel: number;
  status: number;
}
/** The server's call log lines written since `from` calls had been logged. */
function calls(from = 0): CallLog[] {
  const all = (srv?.stderr() ?? '').split('\n').filter((l) => l.includes('"msg":"call"')).map((l) => JSON.parse(l) as CallLog);
  return all.slice(from);
}

const utf16z = (s: string) => Buffer.from(`${s}\0`, 'utf16le').toString('hex');

beforeAll(async () => {
  ensurePackages(['python3-impacket', 'smbclient']);
  dir = mkdtempSync(join(tmpdir(), 'hw-rrp-tcp-'));
  writeFileSync(
    join(dir, 'seed.reg'),
    'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\HWTcp]\r\n"Greeting"="hello over tcp"\r\n"Count"=dword:0000002a\r\n' +
      '"List"=hex(7):6f,00,6e,00,65,00,00,00,74,00,77,00,6f,00,00,00,00,00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\HWTcp\\Child]\r\n',
  );
  srv = await startServeProcess([
    '--listen', `tcp:${ADDR}:0`,
    '--user', `${USER.user}:${USER.password}:admin`,
    '--data', join(dir, 'data'),
    '--import', join(dir, 'seed.reg'),
    '--log-level', 'debug',
  ]);
  const ep = srv.endpoints.find((e) => e.startsWith(`tcp:${ADDR}:`));
  tcpPort = Number(ep?.split(':')[2]);
  expect(srv.endpoints).toContain(`epm:${ADDR}:135`);
});

afterAll(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function impacket(level: string, password = USER.password) {
  const r = await run(PY, [SCRIPT, ADDR, USER.user, password, USER.domain, level, 'SOFTWARE\\HWTcp', 'Greeting', 'Count', 'List'], { timeoutMs: 60_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  expect(last, r.stderr).toMatch(/^\{/);
  return JSON.parse(last) as { binding?: string; values?: Record<string, [number, string]>; subkeys?: string[]; status: number | string };
}

describe('impacket over ncacn_ip_tcp (endpoint mapper, NTLM)', () => {
  for (const [level, n] of [['connect', 2], ['integrity', 5], ['privacy', 6]] as const) {
    it(`at ${level} level: the endpoint mapper gives our port, values and subkeys read back`, async () => {
      const before = calls().length;
      const r = await impacket(level);
      expect(r.status).toBe(0);
      expect(r.binding).toBe(`ncacn_ip_tcp:${ADDR}[${tcpPort}]`);
      expect(r.values).toEqual({
        Greeting: [1, utf16z('hello over tcp')],
        Count: [4, '2a000000'],
        List: [7, '6f006e0065000000740077006f0000000000'],
      });
      expect(r.subkeys).toEqual(['Child']);
      const mine = calls(before);
      expect(mine.map((c) => c.op)).toEqual(expect.arrayContaining(['OpenLocalMachine', 'BaseRegOpenKey', 'BaseRegQueryValue', 'BaseRegEnumKey', 'BaseRegCloseKey']));
      for (const c of mine) {
        expect(c.authLevel, c.op).toBe(n);
        expect(c.caller).toBe(`${USER.domain}\\${USER.user}`);
      }
    });
  }

  it('a wrong password gets no association', async () => {
    const before = calls().length;
    const r = await impacket('integrity', 'not-the-password');
    expect(r.status).toMatch(/access_denied|ACCESS_DENIED|LOGON_FAILURE/i);
    expect(calls(before)).toEqual([]);
  });
});

describe('rpcclient over ncacn_ip_tcp (endpoint mapper)', () => {
  const rpcclient = (flags: string, cmd: string) =>
    run('rpcclient', [`ncacn_ip_tcp:${ADDR}[${flags}]`, '-U', `${USER.domain}\\${USER.user}%${USER.password}`, '-c', cmd], { timeoutMs: 60_000 });

  for (const [flags, n] of [['connect', 2], ['sign', 5], ['seal', 6], ['sign,spnego', 5], ['seal,ntlm', 6]] as const) {
    it(`[${flags}]: querymultiplevalues and querymultiplevalues2 print the values`, async () => {
      const before = calls().length;
      const r = await rpcclient(flags, 'querymultiplevalues "SOFTWARE\\HWTcp" Greeting Count List; querymultiplevalues2 "SOFTWARE\\HWTcp" Greeting Count');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.split('\n').map((l) => l.trimEnd());
      expect(lines).toEqual(expect.arrayContaining([
        'Greeting: REG_SZ: hello over tcp',
        'Count: REG_DWORD: 0x0000002a',
        'List: REG_MULTI_SZ: one two',
      ]));
      expect(lines.filter((l) => l === 'Greeting: REG_SZ: hello over tcp')).toHaveLength(2);
      const mine = calls(before);
      expect(mine.map((c) => c.op)).toEqual(expect.arrayContaining(['BaseRegQueryMultipleValues', 'BaseRegQueryMultipleValues2']));
      for (const c of mine) expect(c.authLevel, c.op).toBe(n);
    });
  }

  it('without authentication the caller is anonymous and refused', async () => {
    const before = calls().length;
    const r = await rpcclient('', 'querymultiplevalues "SOFTWARE\\HWTcp" Greeting');
    expect(r.stdout + r.stderr).toContain('WERR_ACCESS_DENIED');
    const mine = calls(before);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) {
      expect(c.caller).toBe('(anonymous)');
      expect(c.status).toBe(5);
    }
  });
});
