import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePol } from '../../src/formats/regpol/index.js';
import { runCli } from './run.js';

const SAMPLE = new URL('../../samples/Registry.pol', import.meta.url).pathname;
const SAMBA_FILE = new URL('../formats/regpol/fixtures/samba-gpo.pol', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hivewire-cli-pol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hivewire pol', () => {
  it('show prints a table with directives as what they do', async () => {
    const r = await runCli(['pol', 'show', SAMBA_FILE]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+VALUE\s+TYPE\s+DATA$/);
    expect(lines).toHaveLength(13);
    expect(r.stdout).toMatch(/DwordBE\s+REG_DWORD_BIG_ENDIAN\s+305419896 \(0x12345678\)/);
    expect(r.stdout).toMatch(/\*\*del\.Obsolete\s+REG_SZ\s+\[delete value Obsolete\]/);
    expect(r.stdout).toMatch(/\*\*delvals\.\s+REG_SZ\s+\[delete all values\]/);
    expect(r.stdout).toMatch(/MultiValue\s+REG_MULTI_SZ\s+\["one", "two", "three"\]/);
  });

  it('show --json then from-json rebuilds the identical file', async () => {
    const r = await runCli(['pol', 'show', SAMBA_FILE, '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.version).toBe(1);
    expect(json.entries[6]).toEqual({ key: 'Software\\Policies\\Lab\\Demo', valueName: 'DwordBE', type: 'REG_DWORD_BIG_ENDIAN', typeCode: 5, data: 305419896, raw: '12345678' });
    const jsonPath = join(dir, 'x.json');
    writeFileSync(jsonPath, r.stdout);
    const out = join(dir, 'rebuilt.pol');
    expect((await runCli(['pol', 'from-json', jsonPath, '-o', out])).code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(SAMBA_FILE))).toBe(true);
    // and from stdin to stdout
    const piped = await runCli(['pol', 'from-json', '-', '-o', '-'], r.stdout);
    expect(piped.stdoutBytes.equals(readFileSync(SAMBA_FILE))).toBe(true);
  });

  it('set creates and edits a file in place; delete removes settings', async () => {
    const f = join(dir, 'authored.pol');
    expect(existsSync(f)).toBe(false);
    expect((await runCli(['pol', 'set', f, 'Software\\Policies\\X', 'Enabled', 'REG_DWORD', '1'])).code).toBe(0);
    expect((await runCli(['pol', 'set', f, 'Software\\Policies\\X', 'Servers', 'REG_MULTI_SZ', 'a', 'b'])).code).toBe(0);
    expect((await runCli(['pol', 'set', f, 'Software\\Policies\\X', 'Size', 'REG_QWORD', '0x100000000'])).code).toBe(0);
    expect((await runCli(['pol', 'set', f, 'software\\policies\\x', 'ENABLED', 'dword', '0x2a'])).code).toBe(0);
    let entries = parsePol(readFileSync(f)).entries;
    expect(entries.map((e) => [e.valueName, e.value])).toEqual([
      ['ENABLED', 42],
      ['Servers', ['a', 'b']],
      ['Size', 0x100000000n],
    ]);
    expect(entries[1]!.data.toString('hex')).toBe('61000000620000000000');
    expect((await runCli(['pol', 'delete', f, 'Software\\Policies\\X', 'servers'])).code).toBe(0);
    entries = parsePol(readFileSync(f)).entries;
    expect(entries.map((e) => e.valueName)).toEqual(['ENABLED', 'Size']);
    expect((await runCli(['pol', 'delete', f, 'Software\\Policies'])).code).toBe(0);
    expect(parsePol(readFileSync(f)).entries).toEqual([]);
  });

  it('diff shows added, removed and changed settings', async () => {
    const a = join(dir, 'a.pol');
    const b = join(dir, 'b.pol');
    await runCli(['pol', 'set', a, 'K', 'Same', 'REG_DWORD', '1']);
    await runCli(['pol', 'set', a, 'K', 'Changed', 'REG_SZ', 'old']);
    await runCli(['pol', 'set', a, 'K', 'Gone', 'REG_DWORD', '3']);
    await runCli(['pol', 'set', b, 'k', 'same', 'REG_DWORD', '1']);
    await runCli(['pol', 'set', b, 'K', 'Changed', 'REG_SZ', 'new']);
    await runCli(['pol', 'set', b, 'K', 'New', 'REG_DWORD', '4']);
    const r = await runCli(['pol', 'diff', a, b]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['~ K : Changed  REG_SZ "old" -> REG_SZ "new"', '- K : Gone  REG_DWORD 3 (0x3)', '+ K : New  REG_DWORD 4 (0x4)']);
    const j = JSON.parse((await runCli(['pol', 'diff', a, b, '--json'])).stdout);
    expect(j.changes.map((c: { change: string }) => c.change)).toEqual(['changed', 'removed', 'added']);
    expect(j.changes[0].before.data).toBe('old');
    expect((await runCli(['pol', 'diff', a, b, '--exit-code'])).code).toBe(1);
    expect((await runCli(['pol', 'diff', a, a, '--exit-code'])).code).toBe(0);
  });

  it('validate exits 0 on a valid file and non-zero with every problem listed', async () => {
    expect((await runCli(['pol', 'validate', SAMPLE])).code).toBe(0);
    const bad = Buffer.from(readFileSync(SAMBA_FILE));
    bad.writeUInt16LE(0x3a, 8 + 2 + 2 * 'Software\\Policies\\Lab\\Demo'.length + 2); // first ';' → ':'
    const f = join(dir, 'bad.pol');
    writeFileSync(f, Buffer.concat([bad, Buffer.from('zz', 'utf16le')]));
    const r = await runCli(['pol', 'validate', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/offset 64: error: expected ';' \(3B 00\) after the key path/);
    expect(r.stdout).toMatch(/offset 1317: error: expected '\['/);
    expect(r.stdout).toMatch(/11 entries, 2 errors, .*INVALID/);
    const j = JSON.parse((await runCli(['pol', 'validate', f, '--json'])).stdout);
    expect(j.valid).toBe(false);
    expect(j.problems.filter((p: { severity: string }) => p.severity === 'error')).toHaveLength(2);
  });

  it('to-reg writes .reg text, UTF-16LE with BOM to a file', async () => {
    const r = await runCli(['pol', 'to-reg', SAMBA_FILE, '--scope', 'machine']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Windows Registry Editor Version 5\.00\r\n\r\n\[HKEY_LOCAL_MACHINE\\Software\\Policies\\Lab\\Demo\]\r\n"StringValue"="hello from Samba"\r\n/);
    expect(r.stdout).toContain('"Obsolete"=-');
    const out = join(dir, 'out.reg');
    expect((await runCli(['pol', 'to-reg', SAMBA_FILE, '--scope', 'user', '-o', out])).code).toBe(0);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('fffe');
    expect(bytes.subarray(2).toString('utf16le')).toContain('[HKEY_CURRENT_USER\\Software\\Policies\\Lab\\Demo]');
  });

  it('errors print one line without a stack and exit non-zero', async () => {
    const missing = await runCli(['pol', 'show', join(dir, 'nope.pol')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const f = join(dir, 'garbage.pol');
    writeFileSync(f, 'not a policy file');
    const bad = await runCli(['pol', 'show', f]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("hivewire pol: registry.pol: at offset 0: expected signature 'PReg' (50 52 65 67) (found 6e6f7420) [ERR_FORMAT]\n");
    const usage = await runCli(['pol', 'to-reg', SAMPLE]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--scope/);
    const debug = await runCli(['pol', 'show', f, '--debug']);
    expect(debug.stderr).toMatch(/at .*parser/);
    expect((await runCli(['pol', 'set', f + '2', 'HKLM\\X', 'v', 'REG_DWORD', '1'])).stderr).toMatch(/names a root/);
    expect((await runCli(['pol', 'set', f + '2', 'X', 'v', 'REG_DWORD', 'many'])).code).toBe(2);
  });

  it('apply writes a store, --dry-run only plans, rollback undoes from the record', async () => {
    const data = join(dir, 'store');
    const record = join(dir, 'record.json');
    const plan = await runCli(['pol', 'apply', SAMPLE, '--data', data, '--scope', 'machine', '--dry-run', '--json']);
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout);
    expect(planned.dryRun).toBe(true);
    const applied = await runCli(['pol', 'apply', SAMPLE, '--data', data, '--scope', 'machine', '--record', record]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/~ HKLM\\Software\\Policies\\Microsoft\\Windows\\System : LocalProfile = REG_DWORD 1 \(0x1\)/);
    expect(applied.stdout).toMatch(/applied 15 instructions to HKLM: 16 changes, 0 not applied/);
    const rec = JSON.parse(readFileSync(record, 'utf8'));
    expect(rec.changes).toEqual(planned.changes);
    const again = JSON.parse((await runCli(['pol', 'apply', SAMPLE, '--data', data, '--scope', 'machine', '--dry-run', '--json'])).stdout);
    expect(again.changes.find((c: { name?: string }) => c.name === 'LocalProfile').before).toEqual({ type: 4, data: '01000000' });
    expect((await runCli(['pol', 'rollback', record, '--data', data])).stdout).toBe('reverted 16 changes\n');
    const after = JSON.parse((await runCli(['pol', 'apply', SAMPLE, '--data', data, '--scope', 'machine', '--dry-run', '--json'])).stdout);
    expect(after.changes).toEqual(planned.changes);
    expect((await runCli(['pol', 'apply', SAMPLE, '--scope', 'machine'])).code).toBe(2);
    expect((await runCli(['pol', 'apply', SAMPLE, '--data', data, '--scope', 'user:nobody'])).stderr).toMatch(/scope must be/);
  });
});
