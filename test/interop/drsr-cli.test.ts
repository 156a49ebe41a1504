// `hivewire drs` against the Samba AD DC: a replication killed with SIGKILL mid-run and started again
// (same --state and --output) ends with the same objects as an uninterrupted run, none lost or
// duplicated; then the hashes and cracknames subcommands.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md4 } from '../../src/crypto/md4.js';
import { resolvePort } from '../../src/interfaces/epm/client.js';
import { waitFor } from '../harness/peers.js';
import { startSambaDc, type SambaDc } from '../harness/samba-dc.js';

const ROOT = join(__dirname, '..', '..');
let dc: SambaDc;
let dir: string;

function cliArgs(...rest: string[]): string[] {
  return ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'drs', ...rest, '--dc', dc.ip, '-U', `${dc.domain}\\${dc.user}%${dc.password}`];
}

function runCli(...rest: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(...rest), { cwd: ROOT, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function objectGuids(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; guid: string })
    .filter((r) => r.kind === 'object')
    .map((r) => r.guid);
}

beforeAll(async () => {
  dc = await startSambaDc();
  dir = mkdtempSync(join(tmpdir(), 'hivewire-drs-cli-'));
  await waitFor(async () => (await resolvePort(dc.ip, 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', 4).catch(() => 0)) > 0, { timeoutMs: 60_000, what: 'drsuapi' });
}, 600_000);

afterAll(async () => {
  if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  await dc?.stop();
});

describe('hivewire drs', () => {
  it('resumes a replication killed with SIGKILL without losing or duplicating objects', async () => {
    const whole = join(dir, 'whole.jsonl');
    expect(runCli('replicate', '--no-schema', '--page-objects', '40', '--state', join(dir, 'whole.state'), '--output', whole).status).toBe(0);
    const state = join(dir, 'cut.state');
    const out = join(dir, 'cut.jsonl');
    const child = spawn(process.execPath, cliArgs('replicate', '--no-schema', '--page-objects', '40', '--state', state, '--output', out), { cwd: ROOT, stdio: 'ignore' });
    try {
      // kill once a few pages are committed: the output may hold more than the state says
      await waitFor(() => existsSync(state) && Number(JSON.parse(readFileSync(state, 'utf8')).extra.outputBytes) > 20_000, { timeoutMs: 120_000, what: 'a few committed pages' });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect(JSON.parse(readFileSync(state, 'utf8')).cycle).not.toBeNull(); // really cut mid-cycle
    expect(runCli('replicate', '--no-schema', '--page-objects', '40', '--state', state, '--output', out).status).toBe(0);
    const a = objectGuids(whole);
    const b = objectGuids(out);
    expect(new Set(b)).toEqual(new Set(a));
    expect(b.length).toBe(a.length);
  }, 600_000);

  it('prints account hashes in the user:rid:lmhash:nthash::: layout and cracks names', () => {
    const r = runCli('hashes');
    expect(r.status).toBe(0);
    const nt = md4(Buffer.from(dc.password, 'utf16le')).toString('hex');
    expect(r.stdout.split('\n')).toContain(`Administrator:500:aad3b435b51404eeaad3b435b51404ee:${nt}:::`);
    const c = runCli('cracknames', 'LAB\\Administrator', '--from', 'NT4_ACCOUNT', '--to', 'FQDN_1779', '--json');
    expect(c.status).toBe(0);
    expect(JSON.parse(c.stdout)[0].result).toBe('CN=Administrator,CN=Users,DC=lab,DC=example,DC=com');
  }, 300_000);
});
