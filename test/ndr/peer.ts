// Running the Python NDR peers (Samba's pidl-generated NDR, impacket's ndr.py) from tests and benches.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const PYTHON = '/usr/bin/python3'; // Debian's python: pyenv's python3 has neither samba nor impacket
const here = dirname(fileURLToPath(import.meta.url));
export const SAMBA_SCRIPT = join(here, 'peer', 'samba_ndr.py');
export const IMPACKET_SCRIPT = join(here, 'peer', 'impacket_ndr.py');

/** Throw with the install command when a Python module the differential tests need is missing. */
export function requirePeer(module: 'samba' | 'impacket', pkg: string): void {
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      `NDR differential peer missing: ${PYTHON} cannot import '${module}'. Install it with: apt-get install -y ${pkg}` +
        ` (.ci/run does this). ${r.error?.message ?? r.stderr}`,
    );
  }
}

export function runPeer(script: string, args: string[], input?: string): string {
  return execFileSync(PYTHON, [script, ...args], { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
}
