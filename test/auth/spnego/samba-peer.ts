// Drives Samba's gensec client (python3-samba) over a line-based JSON pipe, one request at a time.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./samba_peer.py', import.meta.url));
export const SAMBA_INSTALL_HINT = 'apt-get install -y python3-samba   (and run it with /usr/bin/python3, not a pyenv python3)';

export function requireSambaPython(): void {
  const r = spawnSync(PYTHON, ['-c', 'from samba import gensec, credentials'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`python3-samba is missing for ${PYTHON}: ${r.error?.message ?? r.stderr.trim()}\nInstall it with: ${SAMBA_INSTALL_HINT}`);
}

export class SambaPeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.proc = spawn(PYTHON, [SCRIPT], { stdio: 'pipe' });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async call(op: string, args: Record<string, unknown> = {}): Promise<any> {
    this.proc.stdin.write(JSON.stringify({ op, ...args }) + '\n');
    const next = await this.lines.next();
    if (next.done) throw new Error('samba peer exited');
    const res = JSON.parse(next.value);
    if (!res.ok) throw new Error(`samba ${op}: ${res.error}`);
    return res;
  }

  /** Ends the Python process we started (by its own handle). */
  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}
