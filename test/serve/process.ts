// Starts `hivewire serve` as a child process (node --import tsx, so the PID is the server's own) and
// waits for its ready line; stop() sends SIGTERM to that PID and waits for it to exit (SIGKILL after
// 10 s). Tests call stop() in afterAll/finally.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  pid: number;
  endpoints: string[];
  /** Everything the server wrote to stderr so far (JSON log lines). */
  stderr(): string;
  stdout(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServeProcess(args: string[], timeoutMs = 60_000): Promise<ServeProcess> {
  // HIVEWIRE_SERVE_NODE_ARGS adds node flags to the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p` for profiling under the bench)
  const nodeArgs = (process.env.HIVEWIRE_SERVE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/bin.ts', 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
