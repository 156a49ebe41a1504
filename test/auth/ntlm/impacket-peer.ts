// Runs impacket (Debian python3-impacket, through /usr/bin/python3) as the differential peer.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const INSTALL_HINT = 'apt-get install -y python3-impacket   (and run it with /usr/bin/python3, not a pyenv python3)';
const SCRIPT = fileURLToPath(new URL('./impacket_peer.py', import.meta.url));

/** Throws, loudly, when /usr/bin/python3 cannot import impacket. */
export function requireImpacket(): void {
  const r = spawnSync(PYTHON, ['-c', 'import impacket.ntlm, impacket.spnego, Cryptodome'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`impacket is missing for ${PYTHON}: ${r.error?.message ?? r.stderr.trim()}\nInstall it with: ${INSTALL_HINT}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function impacket(ops: Record<string, unknown>[]): any[] {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ ops }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error || r.status !== 0) throw new Error(`impacket peer failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout).results;
}

export const hex = (b: Buffer) => b.toString('hex');
export const unhex = (s: string) => Buffer.from(s, 'hex');
