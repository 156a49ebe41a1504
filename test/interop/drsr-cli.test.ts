// `hivewire drs` against the Samba AD DC: a replication killed with SIGKILL mid-run and started again
// (same --state and --output) ends with the same objects as an uninterrupted run, none lost or
// duplicated; then the hashes and cracknames subcommands.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md4 } from '../../src/crypto/md4.js';
import { resolvePort } from '../../src/interfaces/epm/client.js';
import { waitFor } from '../harness/peers.js';
import { seedUsers, startSambaDc, type SambaDc } from '../harness/samba-dc.js';

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
  // the same 1,000 users as drsr-samba.test.ts (whichever file runs first seeds them; the other tops up)
  seedUsers(dc, 1000);
}, 900_000);

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

  it('writes LDIF with link values and only the asked attributes, for an NC and for one object (EXOP_REPL_OBJ)', () => {
    const base = 'DC=lab,DC=example,DC=com';
    const admin = `CN=Administrator,CN=Users,${base}`;
    const out = join(dir, 'nc.ldif');
    expect(runCli('replicate', '--no-schema', '--format', 'ldif', '--attrs', 'sAMAccountName,member', '--output', out).status).toBe(0);
    const records = readFileSync(out, 'utf8').split('\n\n').filter(Boolean);
    const attrLines = new Set(records.flatMap((r) => r.split('\n').slice(1)).map((l) => l.split(':')[0]));
    // nothing but the two asked attributes, the record framing and the GUID an add carries
    const allowed = new Set(['-', 'add', 'delete', 'changetype', 'member', 'objectGUID', 'sAMAccountName']);
    expect([...attrLines].filter((k) => !allowed.has(k))).toEqual([]);
    expect(attrLines.has('member') && attrLines.has('sAMAccountName')).toBe(true);
    expect(records).toContain(`dn: CN=labuser00007,OU=LabUsers,${base}\nchangetype: add\nobjectGUID: ${/objectGUID: (\S+)/.exec(records.find((r) => r.startsWith(`dn: CN=labuser00007,`))!)![1]}\nsAMAccountName: labuser00007`);
    const adminsLinks = records.filter((r) => r.startsWith(`dn: CN=Domain Admins,CN=Users,${base}\nchangetype: modify`));
    expect(adminsLinks.join('\n')).toContain(`add: member\nmember: ${admin}\n-`);

    const one = runCli('replicate', '--object', `CN=Domain Admins,CN=Users,${base}`, '--format', 'ldif', '--attrs', 'member,sAMAccountName');
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^dn: CN=Domain Admins,CN=Users,${base}\nchangetype: add\nobjectGUID: [0-9a-f-]{36}\nsAMAccountName: Domain Admins\n\n`));
    expect(one.stdout).toContain(`changetype: modify\nadd: member\nmember: ${admin}\n-\n`);
  }, 300_000);

  it('writes an incremental run as LDIF modify records of what changed', () => {
    const base = 'DC=lab,DC=example,DC=com';
    const user = `CN=labuser00003,OU=LabUsers,${base}`;
    const state = join(dir, 'ldif.state');
    const first = join(dir, 'first.ldif');
    expect(runCli('replicate', '--no-schema', '--format', 'ldif', '--state', state, '--output', first).status).toBe(0);
    expect(readFileSync(first, 'utf8')).toContain(`dn: ${user}\nchangetype: add\n`);
    const text = `ldif ${Date.now().toString(36)}`;
    execFileSync('ldbmodify', ['-H', join(dc.baseDir, 'private', 'sam.ldb')], { input: `dn: ${user}\nchangetype: modify\nreplace: description\ndescription: ${text}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    const second = join(dir, 'second.ldif');
    // the same state, a new output file: the state's recorded output length is for the first file
    const st = JSON.parse(readFileSync(state, 'utf8'));
    st.extra.outputBytes = 0;
    writeFileSync(state, JSON.stringify(st));
    expect(runCli('replicate', '--no-schema', '--format', 'ldif', '--attrs', 'description', '--state', state, '--output', second).status).toBe(0);
    expect(readFileSync(second, 'utf8')).toContain(`dn: ${user}\nchangetype: modify\nreplace: description\ndescription: ${text}\n-\n\n`);
    expect(readFileSync(second, 'utf8')).not.toContain('changetype: add');
  }, 300_000);

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
