// bench:rrp-server — the same winreg client workload against `hivewire serve` (127.0.0.53) and against
// Samba's rpcd_winreg (127.0.0.2), in one run: OpenKey + QueryValue + CloseKey loop; a full EnumKey /
// EnumValue walk of a 10,000-key tree; a SetValue loop. The load generator is our own RPC client over
// SMB2 named pipes with the stubs of src/interfaces/rrp/types.ts, CONC associations in parallel.
// Then the memory of our server holding 100 connections x 1,000 open handles (and Samba's, the same).
//   npm run bench:rrp-server [-- --seconds 5 --keys 10000 --conc 4 --rounds 2]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../src/interfaces/rrp/types.js';
import type { ContextHandle } from '../src/ndr/index.js';
import { RpcClient } from '../src/rpc/client.js';
import { Smb2Client } from '../src/smb2/client.js';
import { startSambaRegistry } from '../test/harness/samba-registry.js';
import { startServeProcess } from '../test/serve/process.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 5);
const KEYS = arg('keys', 10_000);
const CONC = arg('conc', 4);
const ROUNDS = arg('rounds', 2);
const OURS = '127.0.0.53';
const BASE = 'SOFTWARE\\HWBench';

interface Target {
  name: string;
  host: string;
  user: string;
  password: string;
  domain?: string;
  pids: () => number[];
}

const us = (s: string): T.RRP_UNICODE_STRING => ({ Length: (s.length + 1) * 2, MaximumLength: (s.length + 1) * 2, Buffer: `${s}\0` });
const hint = (n: number): T.RRP_UNICODE_STRING => ({ Length: 0, MaximumLength: n, Buffer: null });

class Winreg {
  private constructor(
    private readonly smb: Smb2Client,
    private readonly rpc: RpcClient,
  ) {}
  static async open(t: Target): Promise<Winreg> {
    const smb = await Smb2Client.connect({ host: t.host, user: t.user, password: t.password, ...(t.domain ? { domain: t.domain } : {}) });
    const pipe = await smb.openPipe('winreg');
    const rpc = await RpcClient.bind(pipe, T.RRP_SYNTAX);
    return new Winreg(smb, rpc);
  }
  async call<O extends { opnum: number; encodeRequest(v: any): Buffer; decodeResponse(b: Buffer, i?: any): any }>(op: O, req: Parameters<O['encodeRequest']>[0]): Promise<ReturnType<O['decodeResponse']>> {
    const res = op.decodeResponse(await this.rpc.call(op.opnum, op.encodeRequest(req)));
    return res;
  }
  async hklm(): Promise<ContextHandle> {
    const r = await this.call(T.OpenLocalMachine, { ServerName: null, samDesired: 0x02000000 });
    if (r.returns) throw new Error(`OpenLocalMachine: ${r.returns}`);
    return r.phKey;
  }
  async open(h: ContextHandle, sub: string, sam = 0x20019): Promise<ContextHandle> {
    const r = await this.call(T.BaseRegOpenKey, { hKey: h, lpSubKey: us(sub), dwOptions: 0, samDesired: sam });
    if (r.returns) throw new Error(`OpenKey ${sub}: ${r.returns}`);
    return r.phkResult;
  }
  async close(h: ContextHandle): Promise<void> {
    await this.call(T.BaseRegCloseKey, { hKey: h });
  }
  async end(): Promise<void> {
    this.rpc.close();
    await this.smb.close();
  }
}

function makeTree(file: string): void {
  // KEYS keys in a two-level tree (sqrt fan-out), each with two values
  const fan = Math.ceil(Math.sqrt(KEYS));
  const lines = ['Windows Registry Editor Version 5.00', '', `[HKEY_LOCAL_MACHINE\\${BASE}]`, '"Probe"="hello from the benchmark"', '"Counter"=dword:00000001', ''];
  let n = 0;
  for (let i = 0; i < fan && n < KEYS; i++) {
    lines.push(`[HKEY_LOCAL_MACHINE\\${BASE}\\Group${i}]`, `"Index"=dword:${i.toString(16).padStart(8, '0')}`, '');
    n++;
    for (let j = 0; j < fan && n < KEYS; j++, n++) lines.push(`[HKEY_LOCAL_MACHINE\\${BASE}\\Group${i}\\Key${j}]`, `"Name"="key ${i}.${j}"`, `"Size"=dword:${j.toString(16).padStart(8, '0')}`, '');
  }
  writeFileSync(file, lines.join('\r\n'));
}

async function timed(seconds: number, conc: number, t: Target, setup: (w: Winreg) => Promise<unknown>, step: (w: Winreg, s: any) => Promise<number>): Promise<number> {
  const clients = await Promise.all(Array.from({ length: conc }, () => Winreg.open(t)));
  const states = await Promise.all(clients.map(setup));
  let ops = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(clients.map(async (w, i) => {
    while (performance.now() < end) ops += await step(w, states[i]);
  }));
  const rate = ops / ((performance.now() - t0) / 1000);
  await Promise.all(clients.map((w) => w.end()));
  return rate;
}

async function queryLoop(t: Target): Promise<number> {
  return timed(SECONDS, CONC, t, (w) => w.hklm(), async (w, hklm) => {
    const h = await w.open(hklm, BASE);
    const r = await w.call(T.BaseRegQueryValue, { hKey: h, lpValueName: us('Probe'), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 512, lpcbLen: 0 });
    if (r.returns) throw new Error(`QueryValue ${r.returns}`);
    await w.close(h);
    return 1;
  });
}

async function setLoop(t: Target): Promise<number> {
  return timed(SECONDS, CONC, t, async (w) => w.open(await w.hklm(), BASE, 0xf003f), async (w, h) => {
    const data = Buffer.alloc(4);
    data.writeUInt32LE(Math.floor(Math.random() * 1e9));
    const r = await w.call(T.BaseRegSetValue, { hKey: h, lpValueName: us('Counter'), dwType: 4, lpData: data, cbData: 4 });
    if (r.returns) throw new Error(`SetValue ${r.returns}`);
    return 1;
  });
}

/** Walks the whole tree (EnumKey + EnumValue on each key); returns keys/s and the keys seen. */
async function walk(t: Target): Promise<{ rate: number; keys: number }> {
  const w = await Winreg.open(t);
  const hklm = await w.hklm();
  let keys = 0;
  const t0 = performance.now();
  const visit = async (h: ContextHandle): Promise<void> => {
    keys++;
    for (let i = 0; ; i++) {
      const v = await w.call(T.BaseRegEnumValue, { hKey: h, dwIndex: i, lpValueNameIn: hint(512), lpType: 0, lpData: Buffer.alloc(0), lpcbData: 4096, lpcbLen: 0 });
      if (v.returns === 0x103) break;
      if (v.returns) throw new Error(`EnumValue ${v.returns}`);
    }
    const subs: string[] = [];
    for (let i = 0; ; i++) {
      const k = await w.call(T.BaseRegEnumKey, { hKey: h, dwIndex: i, lpNameIn: hint(512), lpClassIn: hint(0), lpftLastWriteTime: { dwLowDateTime: 0, dwHighDateTime: 0 } });
      if (k.returns === 0x103) break;
      if (k.returns) throw new Error(`EnumKey ${k.returns}`);
      subs.push(k.lpNameOut.Buffer!.replace(/\0+$/, ''));
    }
    for (const s of subs) {
      const c = await w.open(h, s);
      await visit(c);
      await w.close(c);
    }
  };
  await visit(await w.open(hklm, BASE));
  const rate = keys / ((performance.now() - t0) / 1000);
  await w.end();
  return { rate, keys };
}

function rssKiB(pids: number[]): number {
  let total = 0;
  for (const p of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch {
      // gone
    }
  }
  return total;
}

async function memory(t: Target): Promise<{ before: number; after: number; handles: number }> {
  const before = rssKiB(t.pids());
  const clients: Winreg[] = [];
  let handles = 0;
  for (let c = 0; c < 100; c++) {
    const w = await Winreg.open(t);
    clients.push(w);
    const hklm = await w.hklm();
    const batch: Promise<ContextHandle>[] = [];
    for (let i = 0; i < 1000; i++) batch.push(w.open(hklm, BASE));
    handles += (await Promise.all(batch)).length;
  }
  const after = rssKiB(t.pids());
  await Promise.all(clients.map((w) => w.end()));
  return { before, after, handles };
}

const fmt = (n: number) => n.toFixed(0).padStart(8);
const line = (what: string, ours: number, samba: number) => console.log(`${what.padEnd(44)} ours ${fmt(ours)}  samba ${fmt(samba)}  ratio ${(ours / samba).toFixed(2)}x`);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'hw-bench-rrp-'));
  const reg = join(dir, 'tree.reg');
  makeTree(reg);
  const samba = await startSambaRegistry();
  let ours: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  try {
    execFileSync('net', ['-s', samba.conf, 'registry', 'import', reg], { stdio: 'pipe' });
    // a durable store (journal + fsync) like Samba's registry.tdb, not the memory store
    ours = await startServeProcess(['--listen', `np:${OURS}:445`, '--user', 'bench:Bench-Passw0rd:admin', '--data', join(dir, 'data'), '--import', reg, '--log-level', 'warn']);
    const oursT: Target = { name: 'ours', host: OURS, user: 'bench', password: 'Bench-Passw0rd', domain: 'HIVEWIRE', pids: () => [ours!.pid] };
    const sambaT: Target = { name: 'samba', host: samba.ip, user: samba.user, password: samba.password, pids: () => samba.pids() };
    console.log(`bench:rrp-server — ${KEYS} keys, ${CONC} concurrent associations, ${SECONDS} s per loop, best of ${ROUNDS} alternating rounds, our client over SMB2 pipes; ours on --data (durable), Samba on registry.tdb`);
    // the machine is shared: rounds alternate between the two servers and the best of each counts
    const best = async (f: (t: Target) => Promise<number>): Promise<[number, number]> => {
      let o = 0;
      let m = 0;
      for (let round = 0; round < ROUNDS; round++) {
        o = Math.max(o, await f(oursT));
        m = Math.max(m, await f(sambaT));
      }
      return [o, m];
    };
    await queryLoop(oursT); // warm-up (JIT)
    const q = await best(queryLoop);
    line('OpenKey+QueryValue+CloseKey (iterations/s)', q[0], q[1]);
    const keys = [0, 0];
    const w = await best(async (t) => {
      const r = await walk(t);
      keys[t === oursT ? 0 : 1] = r.keys;
      return r.rate;
    });
    if (keys[0] !== keys[1]) console.log(`  (keys walked differ: ours ${keys[0]}, samba ${keys[1]})`);
    line(`EnumKey/EnumValue walk, ${keys[0]} keys (keys/s)`, w[0], w[1]);
    const s = await best(setLoop);
    line('SetValue (calls/s)', s[0], s[1]);
    const mo = await memory(oursT);
    const ms = await memory(sambaT);
    // Samba forks one smbd per connection: its figure sums RSS over those processes (shared pages counted in each)
    console.log(`memory, 100 connections x 1,000 open handles: ours ${(mo.after / 1024).toFixed(1)} MiB RSS (+${((mo.after - mo.before) / 1024).toFixed(1)}), samba ${(ms.after / 1024).toFixed(1)} MiB RSS summed over its processes (+${((ms.after - ms.before) / 1024).toFixed(1)}); ${mo.handles} / ${ms.handles} handles`);
  } finally {
    await ours?.stop();
    await samba.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
