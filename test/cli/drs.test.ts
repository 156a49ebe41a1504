import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';

describe('hivewire drs (argument handling; the DC runs are in test/interop/drsr-cli.test.ts)', () => {
  it('prints its usage and lists the subcommands', async () => {
    const r = await runCli(['drs', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['replicate', 'hashes', 'dcinfo', 'cracknames', 'showrepl']) expect(r.stdout).toContain(s);
    expect((await runCli(['drs'])).code).toBe(2);
  });

  it('refuses missing --dc, missing credentials and a malformed -U as usage errors', async () => {
    expect(await runCli(['drs', 'dcinfo', '-U', 'LAB\\a%b'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--dc') });
    expect(await runCli(['drs', 'dcinfo', '--dc', '127.0.0.1'])).toMatchObject({ code: 2, stderr: expect.stringContaining('-U') });
    expect(await runCli(['drs', 'dcinfo', '--dc', '127.0.0.1', '-U', 'nopassword'])).toMatchObject({ code: 2, stderr: expect.stringContaining('%') });
    expect(await runCli(['drs', 'replicate', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--bogus') });
  });
});
