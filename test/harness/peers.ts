// Helpers for interop tests that drive peers we did not write (Samba, impacket...).
//
//   ensurePackages(['samba', 'python3-impacket'])   install missing Debian packages (apt-get), or throw
//                                                   an error that names the install command
//   await runPython(script, args, { timeoutMs })    run a Python script with Debian's /usr/bin/python3
//                                                   (pyenv's `python3` cannot see python3-impacket/samba)
//   await run(cmd, args, { timeoutMs, input })      run any command; resolves { code, stdout, stderr }
//   addLoopback('127.0.0.20') / removeLoopback(ip)  put an extra 127.x address on `lo` (needs root);
//                                                   addLoopback returns true when it added the address
//   await waitFor(async () => ..., { timeoutMs })   poll until the function returns true
//   await portOpen(host, port)                      true when something accepts TCP connections there
//
// Interop tests must fail loudly when a peer is missing: call ensurePackages() in beforeAll and let it throw.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { connect } from 'node:net';

/** Debian's python, where python3-impacket and python3-samba live. */
export const PY = '/usr/bin/python3';
/** impacket's example scripts (Debian has no wrappers for most of them). */
export const IMPACKET_EXAMPLES = '/usr/share/doc/python3-impacket/examples';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command to completion (killed after timeoutMs, default 60 s). Never rejects on exit codes. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs Python code (a string) with /usr/bin/python3. */
export function runPython(script: string, args: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  return run(PY, ['-c', script, ...args], opts);
}

export function isInstalled(pkg: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().includes('ok installed');
  } catch {
    return false;
  }
}

export function installCommand(pkgs: string[]): string {
  return `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

/**
 * Installs the missing packages with apt-get (without letting their services start), or throws an
 * error naming the command to run by hand.
 */
export function ensurePackages(pkgs: string[]): void {
  const missing = pkgs.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  const policy = '/usr/sbin/policy-rc.d';
  const madePolicy = !existsSync(policy);
  try {
    if (madePolicy) {
      // keep the distro's smbd/nmbd from starting on 0.0.0.0 while the packages install
      writeFileSync(policy, '#!/bin/sh\nexit 101\n');
      chmodSync(policy, 0o755);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = ['-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', 'install', ...missing];
    try {
      execFileSync('apt-get', apt, { env, stdio: 'pipe', timeout: 600_000 });
    } catch {
      execFileSync('apt-get', ['-qq', 'update'], { env, stdio: 'pipe', timeout: 600_000 });
      execFileSync('apt-get', apt, { env, stdio: 'pipe', timeout: 600_000 });
    }
  } catch (err) {
    throw new Error(`peer packages missing and could not be installed: ${missing.join(' ')}\n  install them with: ${installCommand(missing)}\n  (${(err as Error).message.split('\n')[0]})`);
  } finally {
    if (madePolicy) rmSync(policy, { force: true });
  }
  const still = missing.filter((p) => !isInstalled(p));
  if (still.length) throw new Error(`peer packages still missing: ${still.join(' ')}\n  install them with: ${installCommand(still)}`);
}

function hasLoopback(ip: string): boolean {
  const out = execFileSync('ip', ['-4', 'addr', 'show', 'dev', 'lo']).toString();
  return out.includes(` ${ip}/`);
}

/** Adds ip/32 to `lo` when it is not there; true when this call added it. */
export function addLoopback(ip: string): boolean {
  if (!ip.startsWith('127.')) throw new Error(`not a loopback address: ${ip}`);
  if (ip === '127.0.0.1' || hasLoopback(ip)) return false;
  execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
  return true;
}

export function removeLoopback(ip: string): void {
  if (ip === '127.0.0.1') return;
  try {
    if (hasLoopback(ip)) execFileSync('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo'], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

export async function waitFor(fn: () => Promise<boolean> | boolean, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<void> {
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
