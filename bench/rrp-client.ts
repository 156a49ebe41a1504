// Recursive dump of a seeded 5,000-key tree from Samba's winreg (smbd + rpcd_winreg on 127.0.0.64,
// ncacn_np, tester/LabTest123): our client (all keys and values, as `hivewire reg export` reads them)
// against `net rpc registry export` and impacket's `reg.py query -s`, in the same run, on the same tree.
//
//   npm run bench:rrp-client    KEYS=5000 by default; IMPACKET_KEYS=1000 measures impacket on its own
//                               1,000-key tree instead (its 5,000-key run takes ~90 s); CONNECTIONS, CONCURRENCY
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countKeys } from '../src/formats/tree.js';
import { RegistryClient } from '../src/interfaces/rrp/client.js';
import { readTree } from '../src/reg/walk.js';
import { ensurePackages, IMPACKET_EXAMPLES, PY, run } from '../test/harness/peers.js';
import { startSambaRegistry, SAMBA_PACKAGES } from '../test/harness/samba-registry.js';
import { seedRegText } from '../test/interop/rrp-client-seed.js';

const KEYS = Number(process.env.KEYS ?? 5000);
const IMPACKET_KEYS = Number(process.env.IMPACKET_KEYS ?? KEYS);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const ROOT = 'HKLM\\SOFTWARE\\HWBench';
const ROOT_SMALL = 'HKLM\\SOFTWARE\\HWBenchSmall';

ensurePackages([...SAMBA_PACKAGES, 'python3-impacket']);
const dir = mkdtempSync(join(tmpdir(), 'hw-bench-rrp-client-'));
const samba = await startSambaRegistry({ ip: '127.0.0.64' });
try {
  // `net registry import` writes registry.tdb directly (seconds for 5,000 keys); rpcd_winreg serves it at once
  const seed = async (root: string, n: number) => {
    const f = join(dir, `${n}.reg`);
    writeFileSync(f, seedRegText(root.replace(/^HKLM/, 'HKEY_LOCAL_MACHINE'), n));
    const r = await run('net', ['--configfile', samba.conf, 'registry', 'import', f], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`net registry import: ${r.stdout}${r.stderr}`);
  };
  await seed(ROOT, KEYS);
  if (IMPACKET_KEYS !== KEYS) await seed(ROOT_SMALL, IMPACKET_KEYS);
  const total = 1 + Math.ceil(KEYS / 50) + KEYS;

  const ours = async () => {
    const t0 = performance.now();
    const reg = await RegistryClient.connect({ host: samba.ip, transport: 'np', username: samba.user, password: samba.password, connections: CONNECTIONS });
    try {
      const tree = await readTree(reg, ROOT, { concurrency: CONCURRENCY });
      if (countKeys(tree) !== total) throw new Error(`ours read ${countKeys(tree)} keys, expected ${total}`);
    } finally {
      await reg.close();
    }
    return (performance.now() - t0) / 1000;
  };
  const net = async () => {
    const t0 = performance.now();
    const r = await run('net', ['rpc', 'registry', 'export', ROOT, join(dir, 'net.reg'), '-S', samba.ip, '-I', samba.ip, '-U', `${samba.user}%${samba.password}`], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`net rpc registry export: ${r.stdout}${r.stderr}`);
    return (performance.now() - t0) / 1000;
  };
  const impacket = async () => {
    const key = IMPACKET_KEYS === KEYS ? ROOT : ROOT_SMALL;
    const t0 = performance.now();
    const r = await run(PY, [`${IMPACKET_EXAMPLES}/reg.py`, `${samba.user}:${samba.password}@${samba.ip}`, 'query', '-keyName', key, '-s'], { timeoutMs: 900_000 });
    if (r.code !== 0 || !r.stdout.includes('K1')) throw new Error(`reg.py: ${r.stdout.slice(-500)}${r.stderr.slice(-500)}`);
    return (performance.now() - t0) / 1000;
  };

  await ours(); // warm-up (module loading, JIT)
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursT = median([await ours(), await ours(), await ours()]);
  const netT = median([await net(), await net(), await net()]);
  const impT = await impacket();
  const impScaled = impT * (KEYS / IMPACKET_KEYS);
  console.log(`rrp-client: recursive dump of ${total} keys (${KEYS} leaf keys x 6 values) from Samba winreg over ncacn_np, privacy`);
  console.log(`  hivewire RegistryClient (readTree, ${CONNECTIONS} associations, ${CONCURRENCY} keys in work): ${oursT.toFixed(2)} s (median of 3)`);
  console.log(`  net rpc registry export:                                             ${netT.toFixed(2)} s (median of 3)`);
  console.log(`  impacket reg.py query -s:                                            ${impT.toFixed(2)} s (1 run, ${IMPACKET_KEYS} keys${IMPACKET_KEYS !== KEYS ? `; scaled to ${KEYS}: ${impScaled.toFixed(1)} s` : ''})`);
  console.log(`  ratio vs net rpc registry export: ${(netT / oursT).toFixed(1)}x faster (target >= 2x)`);
  console.log(`  ratio vs impacket reg.py:         ${(impScaled / oursT).toFixed(1)}x faster (target >= 20x)${IMPACKET_KEYS !== KEYS ? ' (impacket scaled linearly)' : ''}`);
} finally {
  await samba.stop();
  rmSync(dir, { recursive: true, force: true });
}
