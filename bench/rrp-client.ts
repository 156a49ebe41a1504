// Recursive dump of a seeded 5,000-key tree from Samba's winreg (smbd + rpcd_winreg on 127.0.0.64,
// ncacn_np, tester/LabTest123): `hivewire reg export` (the CLI as deployed: an esbuild bundle of
// src/cli/bin.ts, as `npm run build` gives, in its own process) against `net rpc registry export`
// (both write a .reg file of every key and value) and impacket's `reg.py query -s`, in the same run,
// on the same tree. Ours runs twice: at RPC privacy (our default) and at auth level none, which is
// what net does over \PIPE\winreg (the SMB session authenticates; no RPC signing or sealing).
// Besides wall times it prints the CPU seconds each side cost: the client's own and Samba's (smbd +
// rpcd_winreg); on a 2-core machine shared with other work these bound a recursive dump.
//
//   npm run bench:rrp-client                         5,000 keys, impacket on the same 5,000 (~15 min)
//   npm run bench:rrp-client -- --impacket-keys 1000 impacket on its own 1,000-key tree, scaled (said so)
//   KEYS=N, CONNECTIONS (associations, default 4), CONCURRENCY (keys in work, default 64), RUNS (default 3)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../test/harness/bundle.js';
import { ensurePackages, IMPACKET_EXAMPLES, PY } from '../test/harness/peers.js';
import { startSambaRegistry, SAMBA_PACKAGES } from '../test/harness/samba-registry.js';
import { seedRegText } from '../test/interop/rrp-client-seed.js';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const KEYS = Number(process.env.KEYS ?? 5000);
const IMPACKET_KEYS = Number(argValue('--impacket-keys') ?? process.env.IMPACKET_KEYS ?? KEYS);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const RUNS = Number(process.env.RUNS ?? 3);
const ROOT = 'HKLM\\SOFTWARE\\HWBench';
const ROOT_SMALL = 'HKLM\\SOFTWARE\\HWBenchSmall';
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds so far of one Samba instance: every process in the sessions of its daemons, plus what the
 * session leaders collected from children that already exited (smbd forks one child per client). */
function sambaCpu(conf: string): number {
  const procs: { pid: number; sid: number; cpu: number; children: number; conf: boolean }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      procs.push({
        pid: Number(d),
        sid: Number(f[3]),
        cpu: Number(f[11]) + Number(f[12]),
        children: Number(f[13]) + Number(f[14]),
        conf: readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(conf),
      });
    } catch {
      // gone meanwhile
    }
  }
  const sids = new Set(procs.filter((p) => p.conf).map((p) => p.sid));
  let ticks = 0;
  for (const p of procs) if (sids.has(p.sid)) ticks += p.cpu + (p.pid === p.sid ? p.children : 0);
  return ticks / TICK;
}

/** Wall seconds, the client's CPU seconds and Samba's CPU seconds of `fn`. */
interface Sample { wall: number; client: number; samba: number }

/** Runs a command; its CPU comes from /usr/bin/time's user+sys. */
function runTimed(cmd: string, args: string[], timeoutMs: number): { code: number | null; stdout: string; stderr: string; cpu: number } {
  const dir = mkdtempSync(join(tmpdir(), 'hw-bench-time-'));
  try {
    const tf = join(dir, 'time');
    let code: number | null = 0;
    let stdout = '';
    let stderr = '';
    try {
      stdout = execFileSync('/usr/bin/time', ['-f', '%U %S', '-o', tf, cmd, ...args], { timeout: timeoutMs, maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    } catch (err) {
      const e = err as { status: number | null; stdout?: Buffer; stderr?: Buffer };
      code = e.status;
      stdout = e.stdout?.toString() ?? '';
      stderr = e.stderr?.toString() ?? '';
    }
    const [u, s] = readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { code, stdout, stderr, cpu: (u ?? 0) + (s ?? 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

ensurePackages([...SAMBA_PACKAGES, 'python3-impacket', 'time']);
const dir = mkdtempSync(join(tmpdir(), 'hw-bench-rrp-client-'));
const samba = await startSambaRegistry({ ip: '127.0.0.64' });
try {
  // `net registry import` writes registry.tdb directly (seconds for 5,000 keys); rpcd_winreg serves it at once
  const seed = (root: string, n: number) => {
    const f = join(dir, `${n}.reg`);
    writeFileSync(f, seedRegText(root.replace(/^HKLM/, 'HKEY_LOCAL_MACHINE'), n));
    execFileSync('net', ['--configfile', samba.conf, 'registry', 'import', f], { timeout: 300_000, stdio: 'ignore' });
  };
  seed(ROOT, KEYS);
  if (IMPACKET_KEYS !== KEYS) seed(ROOT_SMALL, IMPACKET_KEYS);
  const total = 1 + Math.ceil(KEYS / 50) + KEYS;

  // our CLI as deployed: plain JavaScript without the TypeScript loader's per-function wrappers
  const cli = join(dir, 'hivewire.mjs');
  await bundleForNode(fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url)), cli);
  let exports = 0;
  const ours = (authLevel: 'privacy' | 'none'): Sample => {
    const out = join(dir, `ours-${exports++}.reg`);
    const s0 = sambaCpu(samba.conf);
    const t0 = performance.now();
    const r = runTimed(process.execPath, [cli, 'reg', 'export', `\\\\${samba.ip}\\${ROOT}`, out, '-U', `${samba.user}%${samba.password}`,
      '--auth-level', authLevel, '--connections', String(CONNECTIONS), '--concurrency', String(CONCURRENCY)], 600_000);
    const wall = (performance.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`hivewire reg export: ${r.stdout}${r.stderr}`);
    const keys = (readFileSync(out).toString('utf16le').match(/^\[/gm) ?? []).length;
    if (keys !== total) throw new Error(`hivewire reg export wrote ${keys} keys, expected ${total}`);
    rmSync(out);
    return { wall, client: r.cpu, samba: sambaCpu(samba.conf) - s0 };
  };
  const net = (): Sample => {
    const s0 = sambaCpu(samba.conf);
    const t0 = performance.now();
    const r = runTimed('net', ['rpc', 'registry', 'export', ROOT, join(dir, 'net.reg'), '-S', samba.ip, '-I', samba.ip, '-U', `${samba.user}%${samba.password}`], 600_000);
    if (r.code !== 0) throw new Error(`net rpc registry export: ${r.stdout}${r.stderr}`);
    return { wall: (performance.now() - t0) / 1000, client: r.cpu, samba: sambaCpu(samba.conf) - s0 };
  };
  const impacket = (): Sample => {
    const key = IMPACKET_KEYS === KEYS ? ROOT : ROOT_SMALL;
    const s0 = sambaCpu(samba.conf);
    const t0 = performance.now();
    const r = runTimed(PY, [`${IMPACKET_EXAMPLES}/reg.py`, `${samba.user}:${samba.password}@${samba.ip}`, 'query', '-keyName', key, '-s'], 3_600_000);
    if (r.code !== 0 || !r.stdout.includes('K1')) throw new Error(`reg.py: ${r.stdout.slice(-500)}${r.stderr.slice(-500)}`);
    // reg.py prints each key below the start as `SOFTWARE\HWBench\G0\K0\`, then its values
    const printed = (r.stdout.match(/^SOFTWARE\\.*\\$/gm) ?? []).length;
    if (IMPACKET_KEYS === KEYS && printed < KEYS) throw new Error(`reg.py printed ${printed} keys, expected at least ${KEYS}`);
    return { wall: (performance.now() - t0) / 1000, client: r.cpu, samba: sambaCpu(samba.conf) - s0 };
  };

  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  const median = (xs: Sample[]): Sample => [...xs].sort((a, b) => a.wall - b.wall)[Math.floor(xs.length / 2)]!;
  const fmt = (s: Sample) => `${s.wall.toFixed(2)} s  (CPU: client ${s.client.toFixed(2)} s, Samba ${s.samba.toFixed(2)} s)`;

  ours('privacy'); // warm-up (page cache, Samba's workers)
  const load0 = load();
  // interleaved, so that all see the same machine (other work on it comes and goes)
  const privS: Sample[] = [];
  const noneS: Sample[] = [];
  const netS: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    privS.push(ours('privacy'));
    netS.push(net());
    noneS.push(ours('none'));
  }
  const priv = median(privS);
  const none = median(noneS);
  const netT = median(netS);
  const load1 = load();
  const impT = impacket();
  const impScaled = impT.wall * (KEYS / IMPACKET_KEYS);
  const scaled = IMPACKET_KEYS !== KEYS;
  const runs = (xs: Sample[]) => `median of ${RUNS}: ${xs.map((x) => x.wall.toFixed(2)).join(', ')}`;
  const cpu = (x: Sample) => (x.client + x.samba).toFixed(2);
  console.log(`rrp-client: recursive dump of ${total} keys (${KEYS} leaf keys x 6 values) from Samba winreg over ncacn_np, to a .reg file`);
  console.log(`  load average (1/5/15 min): ${load0} before, ${load1} after ours+net, ${load()} after impacket`);
  console.log(`  hivewire reg export, RPC privacy (default), ${CONNECTIONS} associations, ${CONCURRENCY} keys in work: ${fmt(priv)} ${runs(privS)}`);
  console.log(`  hivewire reg export, auth level none (as net), same settings:               ${fmt(none)} ${runs(noneS)}`);
  console.log(`  net rpc registry export (no RPC auth):                                      ${fmt(netT)} ${runs(netS)}`);
  console.log(`  impacket reg.py query -s:                                                   ${fmt(impT)} 1 run, ${IMPACKET_KEYS} keys${scaled ? ` — SCALED: impacket ran on ${IMPACKET_KEYS} keys, not ${KEYS}; linear estimate for ${KEYS}: ${impScaled.toFixed(1)} s` : ''}`);
  console.log(`  ratio vs net rpc registry export, like for like (none):  ${(netT.wall / none.wall).toFixed(2)}x faster (target >= 2x); CPU client+Samba ${cpu(none)} s vs ${cpu(netT)} s`);
  console.log(`  ratio vs net rpc registry export, ours at privacy:       ${(netT.wall / priv.wall).toFixed(2)}x faster; CPU client+Samba ${cpu(priv)} s vs ${cpu(netT)} s`);
  console.log(`  ratio vs impacket reg.py (ours at privacy):              ${(impScaled / priv.wall).toFixed(1)}x faster (target >= 20x)${scaled ? ' (impacket SCALED linearly from its smaller tree)' : ` (same ${KEYS}-key tree)`}`);
} finally {
  await samba.stop();
  rmSync(dir, { recursive: true, force: true });
}
