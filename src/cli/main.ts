// The `hivewire` command: picks a subcommand module and runs it. Each module is a thin layer over the
// library; errors print one line (the stack only with --debug) and exit non-zero.

import { HivewireError } from '../util/errors.js';
import { processIO, type CliIO, type CommandRun } from './io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: CommandRun }> }> = {
  pol: { summary: 'read, write, convert, diff and author registry.pol files (MS-GPREG)', load: () => import('./pol.js') },
  hive: { summary: 'dump, check and convert registry hive (regf) files to and from .reg text', load: () => import('./hive.js') },
  store: { summary: 'set, get, delete, list and export keys and values of a registry store (--data DIR)', load: () => import('./store.js') },
  drs: { summary: 'replicate AD naming contexts (MS-DRSR): objects, secrets, hashes, DC info, names, replication status', load: () => import('./drs.js') },
  serve: { summary: 'serve a registry over MS-RRP (\\PIPE\\winreg on SMB2, RPC over TCP) to Windows tools, Samba and impacket', load: () => import('./serve.js') },
  reg: { summary: 'a remote registry over MS-RRP, like reg.exe: query, add, delete, copy, export, import, save, compare', load: () => import('./reg.js') },
};

const USAGE = `usage: hivewire <command> [args]  (hivewire <command> --help for more)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}
`;

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr.write(`hivewire: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  try {
    return await (await cmd.load()).run(rest, io);
  } catch (err) {
    const debug = argv.includes('--debug');
    const msg = err instanceof HivewireError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err);
    io.stderr.write(`hivewire ${name}: ${msg}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    return err instanceof HivewireError && err.code === 'ERR_USAGE' ? 2 : 1;
  }
}
