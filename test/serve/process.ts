// Starts `hivewire serve` as a child process (node --import tsx, so the PID is the server's own) and
// waits for its ready line; stop() sends SIGTERM to that PID and waits for it to exit (SIGKILL after
// 10 s). Tests call stop() in afterAll/finally.
//
// Benchmarks ask for the server as it is deployed: plain JavaScript (an esbuild bundle of
// src/cli/bin.ts, as `npm run build` would give, without the TypeScript loader's per-function name
// wrappers) in a session of its own (setsid), as Samba's daemons run — so that the kernel's autogroup
// scheduling gives both servers the same share of a busy machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../harness/bundle.js';

export interface ServeProcessOptions {
  timeoutMs?: number;
  /** Run an esbuild bundle of the CLI instead of the sources under tsx. */
  bundle?: boolean;
  /** Start it in a new session (setsid), like a daemon. */
  ownSession?: boolean;
}

let bundled: string | undefined;
async function bundleCli(): Promise<string> {
  if (bundled) return bundled;
  const out = join(mkdtempSync(join(tmpdir(), 'hw-serve-bundle-')), 'hivewire.mjs');
  await bundleForNode(join(ROOT, 'src/cli/bin.ts'), out);
  return (bundled = out);
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  pid: number;
  endpoints: string[];
  /** Everything the server wrote to stderr so far (JSON log lines). */
  stderr(): string;
  stdout(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServeProcess(args: string[], options: number | ServeProcessOptions = {}): Promise<ServeProcess> {
  const opts = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const entry = opts.bundle ? [await bundleCli()] : ['--import', 'tsx', 'src/cli/bin.ts'];
  // HIVEWIRE_SERVE_NODE_ARGS adds node flags to the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` for profiling under the bench)
  const nodeArgs = (process.env.HIVEWIRE_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...entry, 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownSession === true });
  // a server in its own session does not die with us: end it if we exit without stop()
  const orphanGuard = () => child.kill('SIGKILL');
  if (opts.ownSession) process.once('exit', orphanGuard);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(t);
    process.off('exit', orphanGuard);
    return code;
  };
  const ready = await new Promise<string | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    const check = () => {
      const m = /ready on (.*)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!ready) {
    await stop('SIGKILL');
    throw new Error(`hivewire serve did not become ready:\n${out}\n${err}`);
  }
  return { pid: child.pid!, endpoints: ready.trim().split(/\s+/), stderr: () => err, stdout: () => out, stop };
}
