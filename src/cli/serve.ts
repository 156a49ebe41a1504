// `hivewire serve`: a Windows-compatible registry server (MS-RRP over \PIPE\winreg and TCP). Thin:
// src/serve assembles it; this file reads the configuration and flags, prints the ready line, and
// stops gracefully on SIGINT/SIGTERM.
import { UsageError } from '../util/errors.js';
import { configFrom, parseListen, parseUserFlag, readConfigFile, type LogLevel, type ServeConfig } from '../serve/config.js';
import { jsonLogger, startServe, type RunningServer } from '../serve/server.js';
import { flag, parseArgs, str } from './args.js';
import { print, type CliIO, type CommandRun } from './io.js';

const HELP = `usage: hivewire serve [--config FILE] [options]

  --config FILE            JSON or TOML settings (flags below override them)
  --listen np:ADDR:PORT    SMB2 with the \\PIPE\\winreg named pipe (e.g. np:127.0.0.1:445)
  --listen tcp:ADDR:PORT   RPC over TCP (port 0: dynamic, registered with our endpoint mapper on ADDR:135)
  --user NAME:PASSWORD[:admin]
                           an account (repeatable); admin = BUILTIN\\Administrators with the
                           backup, restore and shutdown privileges
  --data DIR | --postgres URL
                           where the registry lives (default: in memory)
  --files DIR              where BaseRegSaveKey/RestoreKey/LoadKey files are read and written
  --import FILE[=KEY]      a .reg file or a hive (under KEY) imported at first start
  --require-signing        SMB2 signing and RPC integrity (or privacy) required
  --log-level LEVEL        error, warn, info (default) or debug (one JSON line per call)
  --demo                   print the commands to try the server with (npm start)`;

function tryCommands(s: RunningServer, cfg: ServeConfig): string {
  const np = s.endpoints.find((e) => e.startsWith('np:'));
  const tcp = s.endpoints.find((e) => e.startsWith('tcp:'));
  const u = cfg.users.find((x) => x.admin) ?? cfg.users[0]!;
  const pw = u.password ?? '<password>';
  const lines = ['', 'try it:'];
  if (np) {
    const [, host, port] = np.split(':');
    const portOpt = port === '445' ? '' : ` -port ${port}`;
    lines.push(
      `  /usr/bin/python3 /usr/share/doc/python3-impacket/examples/reg.py '${u.name}:${pw}@${host}'${portOpt} query -keyName 'HKLM\\SOFTWARE\\Hivewire Demo' -s`,
      `  net rpc registry enumerate 'HKLM\\SOFTWARE\\Hivewire Demo' -S ${host} -I ${host} -W ${cfg.domain ?? cfg.serverName} -U '${u.name}%${pw}'${port === '445' ? '' : ` -p ${port}`}`,
      `  rpcclient -U '${cfg.domain ?? cfg.serverName}\\${u.name}%${pw}' ${host} -c 'querymultiplevalues "SOFTWARE\\Hivewire Demo" ProductName Version'`,
    );
  }
  if (tcp) {
    // rpcclient finds the port through our endpoint mapper; [sign] = NTLM at packet integrity
    lines.push(`  rpcclient 'ncacn_ip_tcp:${tcp.split(':')[1]}[sign]' -U '${cfg.domain ?? cfg.serverName}\\${u.name}%${pw}' -c 'querymultiplevalues "SOFTWARE\\Hivewire Demo" ProductName Version'`);
    lines.push(`  (RPC over TCP: ${tcp.slice(4)}, endpoint mapper on ${tcp.split(':')[1]}:135)`);
  }
  lines.push(
    `  npx hivewire reg query '\\\\${np?.split(':')[1] ?? tcp?.split(':')[1] ?? '127.0.0.50'}\\HKLM\\SOFTWARE\\Hivewire Demo' /s -U '${u.name}%${pw}' -W ${cfg.domain ?? cfg.serverName}`,
    `  stop with Ctrl-C: calls in flight finish, the store is flushed`,
  );
  return lines.join('\n');
}

export const run: CommandRun = async (argv: string[], io: CliIO) => {
  const p = parseArgs(argv, {
    values: ['config', 'listen', 'user', 'data', 'postgres', 'files', 'import', 'log-level'],
    flags: ['require-signing', 'demo', 'help'],
    repeat: ['listen', 'user'],
    short: { h: 'help' },
  });
  if (flag(p, 'help')) {
    print(io, HELP);
    return 0;
  }
  if (p.positionals.length) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
  const file = str(p, 'config');
  const cfg = configFrom(file ? readConfigFile(file) : {});
  const listen = (p.options.listen as string[] | undefined) ?? [];
  if (listen.length) cfg.listen = listen.map(parseListen);
  const users = (p.options.user as string[] | undefined) ?? [];
  if (users.length) cfg.users = [...cfg.users.filter((u) => !users.some((f) => parseUserFlag(f).name === u.name)), ...users.map(parseUserFlag)];
  for (const [flagName, key] of [['data', 'data'], ['postgres', 'postgres'], ['files', 'files'], ['import', 'import']] as const) {
    const v = str(p, flagName);
    if (v !== undefined) cfg[key] = v;
  }
  if (str(p, 'data') && !str(p, 'postgres')) delete cfg.postgres;
  if (str(p, 'postgres') && !str(p, 'data')) delete cfg.data;
  if (flag(p, 'require-signing')) cfg.requireSigning = true;
  const level = str(p, 'log-level');
  if (level) {
    if (!['error', 'warn', 'info', 'debug'].includes(level)) throw new UsageError('--log-level must be error, warn, info or debug');
    cfg.logLevel = level as LogLevel;
  }
  const log = jsonLogger(cfg.logLevel, (l) => io.stderr.write(l));
  const server = await startServe(cfg, log);
  print(io, `hivewire serve: ready on ${server.endpoints.join(' ')}`);
  if (flag(p, 'demo')) print(io, tryCommands(server, cfg));
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      log('info', `${sig}: stopping (finishing calls in flight)`);
      void server.stop().then(resolve, (err: unknown) => {
        log('error', 'stop failed', { error: (err as Error).message });
        resolve();
      });
    };
    const onInt = () => onSignal('SIGINT');
    const onTerm = () => onSignal('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
  return 0;
};
