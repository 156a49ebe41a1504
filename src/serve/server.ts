// `hivewire serve` assembled: a registry store, the RRP server on an RpcServer, SMB2 (\PIPE\winreg)
// and TCP listeners, the endpoint mapper on ADDR:135 for the TCP endpoints, logs, and a graceful stop
// (refuse new calls with ERROR_WRITE_PROTECT, finish those in flight, flush, close).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SpnegoServer } from '../auth/spnego/index.js';
import { NtlmServer } from '../auth/ntlm/index.js';
import type { Account, AuthIdentity } from '../auth/types.js';
import { readHive } from '../formats/regf/index.js';
import { parseReg } from '../formats/regtext/index.js';
import { endpointMapperInterface } from '../interfaces/epm/server.js';
import { FileConfinement } from '../interfaces/rrp/files.js';
import { graftTree } from '../interfaces/rrp/hives.js';
import { RrpServer, type RrpCallLog } from '../interfaces/rrp/server.js';
import { RegistryStore } from '../registry/index.js';
import { RpcServer } from '../rpc/server.js';
import { Smb2Server } from '../smb2/server.js';
import { serveNamedPipes } from '../transport/np.js';
import { listenTcp, type TcpListener } from '../transport/tcp.js';
import { UsageError } from '../util/errors.js';
import { accountsFrom } from './accounts.js';
import type { LogLevel, ServeConfig } from './config.js';
import { lsaInterface } from './lsa.js';
import { windowsSecurityModel } from './security-model.js';

/** The read-only disk share of the --files directory. */
export const HIVES_SHARE = 'HIVES';

const LEVEL: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** One JSON object a line on `out` (stderr by default), below `level` dropped. */
export function jsonLogger(level: LogLevel, out: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return (l, msg, fields) => {
    if (LEVEL[l] > LEVEL[level]) return;
    out(JSON.stringify({ time: new Date().toISOString(), level: l, msg, ...fields }) + '\n');
  };
}

export interface RunningServer {
  store: RegistryStore;
  rrp: RrpServer;
  rpc: RpcServer;
  /** What listens where, e.g. ['np:127.0.0.50:445', 'tcp:127.0.0.50:40123', 'epm:127.0.0.50:135']. */
  endpoints: string[];
  accounts: Account[];
  stop(): Promise<void>;
}

async function importFile(store: RegistryStore, spec: string, log: Logger): Promise<void> {
  // FILE or FILE=KEYPATH (where a hive goes; a .reg file names its own keys)
  const eq = spec.lastIndexOf('=');
  const file = eq > 0 ? spec.slice(0, eq) : spec;
  const target = eq > 0 ? spec.slice(eq + 1) : 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Imported';
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 4).toString('latin1') === 'regf') {
    const tree = readHive(bytes);
    await store.transaction(async (tx) => {
      await tx.createKey(target);
      await graftTree(tx, target, tree, false);
    });
    log('info', 'imported hive', { file, key: target });
    return;
  }
  const reg = parseReg(bytes);
  await store.transaction(async (tx) => {
    for (const op of reg.ops) {
      if (op.kind === 'key') await tx.createKey(op.path);
      else if (op.kind === 'value') await tx.setValue(op.path, op.name, op.type, op.data);
      else if (op.kind === 'deleteKey') {
        if (await tx.keyExists(op.path)) await tx.deleteKey(op.path, { recursive: true });
      } else if (op.kind === 'deleteValue') await tx.deleteValue(op.path, op.name);
    }
  });
  log('info', 'imported .reg file', { file, operations: reg.ops.length });
}

export async function startServe(cfg: ServeConfig, log: Logger = jsonLogger(cfg.logLevel)): Promise<RunningServer> {
  if (cfg.listen.length === 0) throw new UsageError('nothing to listen on: give --listen np:ADDR:PORT or tcp:ADDR:PORT');
  if (cfg.users.length === 0) throw new UsageError('no accounts: give --user NAME:PASSWORD[:admin] or users in the config');
  if (cfg.data && cfg.postgres) throw new UsageError('--data and --postgres are exclusive');
  const accounts = accountsFrom(cfg.users, cfg.machineSid);
  const domain = cfg.domain ?? cfg.serverName;

  if (cfg.data) mkdirSync(cfg.data, { recursive: true });
  const store = await RegistryStore.open({
    ...(cfg.data ? { data: cfg.data } : {}),
    ...(cfg.postgres ? { postgres: cfg.postgres } : {}),
    security: windowsSecurityModel(),
    log: (m: string) => log('info', m, { component: 'store' }),
  });
  const stops: (() => Promise<void> | void)[] = [];
  try {
    if (cfg.import) {
      // at first start only: a marker in the data directory (a memory store always starts empty)
      const marker = cfg.data ? path.join(cfg.data, '.hivewire-imported') : undefined;
      if (!marker || !existsSync(marker)) {
        await importFile(store, cfg.import, log);
        if (marker) writeFileSync(marker, `${cfg.import}\n`);
      }
    }
    if (cfg.files) mkdirSync(cfg.files, { recursive: true });
    const files = cfg.files ? new FileConfinement(cfg.files) : undefined;

    const rrp = new RrpServer({
      store,
      ...(files ? { files } : {}),
      ...(cfg.allowShutdownCalls
        ? {
            shutdown: (req, id) => {
              log('warn', 'shutdown request (not acted on)', { ...req, caller: `${id.domain}\\${id.user}` });
              return true;
            },
          }
        : {}),
      // the per-call entry is only built when it will be written
      ...(cfg.logLevel === 'debug' ? { log: (e: RrpCallLog) => log('debug', 'call', { ...e }) } : {}),
      onError: (err, opnum) => log('debug', 'call faulted', { opnum, error: (err as Error).message, code: (err as { code?: string }).code }),
    });
    const ntlmOpts = { accounts, netbiosComputerName: cfg.serverName, netbiosDomainName: domain };
    const security = (authType: number) => (authType === 10 ? new NtlmServer(ntlmOpts) : authType === 9 ? new SpnegoServer(ntlmOpts) : undefined);
    const onError = (err: unknown, info: { transport: string; clientAddress?: string }) =>
      log('debug', 'connection dropped', { error: (err as Error).message, transport: info.transport, client: info.clientAddress });
    const rpc = new RpcServer({ security, ...(cfg.requireSigning ? { minAuthLevel: 5 } : {}), onError });
    rpc.register(rrp.iface);
    const endpoints: string[] = [];

    const epmAddrs = new Set<string>();
    for (const l of cfg.listen) {
      if (l.kind === 'np') {
        const smb = new Smb2Server({
          accounts,
          serverName: cfg.serverName,
          domain,
          signing: cfg.requireSigning ? 'required' : 'enabled',
          // the hive files BaseRegSaveKey wrote, readable by those who may save them (SeBackupPrivilege)
          ...(files ? { shares: [{ name: HIVES_SHARE, resolve: (n: string) => files.resolve(n), allow: (id: AuthIdentity) => id.account?.privileges?.includes('SeBackupPrivilege') === true }] } : {}),
          onError: (err) => log('debug', 'smb2 error', { error: (err as Error).message }),
        });
        const unserve = serveNamedPipes(smb, rpc, ['winreg'], l.address);
        // Samba's `net rpc` asks \PIPE\lsarpc for the domain SID before it opens winreg
        const lsa = new RpcServer({ security, onError });
        lsa.register(lsaInterface(cfg.serverName, cfg.machineSid));
        const unserveLsa = serveNamedPipes(smb, lsa, ['lsarpc'], l.address);
        const bound = await smb.listen(l.port, l.address);
        stops.push(async () => {
          unserve();
          unserveLsa();
          await smb.close();
          lsa.closeAll();
        });
        endpoints.push(`np:${l.address}:${bound.port}`);
      } else {
        const t: TcpListener = await listenTcp(rpc, l.address, l.port);
        stops.push(() => t.close());
        endpoints.push(`tcp:${l.address}:${t.port}`);
        epmAddrs.add(l.address);
      }
    }
    // the endpoint mapper tells ncacn_ip_tcp clients our dynamic port (MS-RPCE §2.1.1.1)
    for (const addr of epmAddrs) {
      const epm = new RpcServer({ security, onError });
      epm.register(endpointMapperInterface({ servers: [rpc], hostName: cfg.serverName }));
      const t = await listenTcp(epm, addr, 135);
      stops.push(async () => {
        await t.close();
        epm.closeAll();
      });
      endpoints.push(`epm:${addr}:135`);
    }

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        rrp.shuttingDown = true;
        await rrp.drain();
        for (const s of stops.reverse()) await s();
        rpc.closeAll();
        await store.flush();
        await store.close();
        log('info', 'stopped');
      })());
    return { store, rrp, rpc, endpoints, accounts, stop };
  } catch (err) {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
    await store.close().catch(() => {});
    throw err;
  }
}
