// Test support for the registry store: fresh stores per backend, a private PostgreSQL server on
// 127.0.0.40 (the loopback address assigned to the registry tests), and a toy security model whose
// descriptors are readable in assertions.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync, existsSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RegistryStore, type StoreOptions, type SecurityModel, type Token } from '../../src/registry/index.js';
import { makeToken } from '../../src/security/index.js';

export type BackendKind = 'embedded' | 'postgres';

export const PG_HOST = '127.0.0.40';
export const PG_PORT = 5432;
const INSTALL = 'apt-get install -y postgresql';

function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort().reverse() : [];
  for (const v of versions) {
    const p = join(base, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  throw new Error(`PostgreSQL server binaries not found (${name}); install them with: ${INSTALL}`);
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`no '${name}' user; install PostgreSQL with: ${INSTALL}`);
  return { uid, gid };
}

export interface PgServer {
  url: string;
  pid: number;
  /** Stops the server (by PID) and starts it again on the same data: a server restart. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a private PostgreSQL server on 127.0.0.40:5432 from a temp data dir (as the postgres user). */
export async function startPostgres(opts: { fsync?: boolean } = {}): Promise<PgServer> {
  if (process.getuid?.() !== 0) throw new Error('the PostgreSQL tests run as root (they add 127.0.0.40 to lo and start postgres as the postgres user)');
  const initdb = pgBin('initdb');
  const postgres = pgBin('postgres');
  const { uid, gid } = userIds('postgres');
  const added = spawnSync('ip', ['addr', 'add', `${PG_HOST}/32`, 'dev', 'lo'], { encoding: 'utf8' });
  const weAdded = added.status === 0;
  if (!weAdded && !/File exists|already assigned/.test(added.stderr)) throw new Error(`ip addr add ${PG_HOST}: ${added.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'hw-pg-'));
  chownSync(dir, uid, gid);
  const init = spawnSync(initdb, ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { uid, gid, encoding: 'utf8', cwd: dir });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  appendFileSync(join(dir, 'data', 'pg_hba.conf'), `host all all ${PG_HOST}/32 trust\n`);
  const args = ['-D', join(dir, 'data'), '-k', dir, '-h', PG_HOST, '-p', String(PG_PORT), '-c', `fsync=${opts.fsync ? 'on' : 'off'}`, '-c', 'max_connections=200'];
  const url = `postgres://postgres@${PG_HOST}:${PG_PORT}/postgres`;
  let child: ChildProcess;
  let exited: Promise<void>;
  let stderr = '';
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGINT'); // fast shutdown, by PID
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    if (weAdded) spawnSync('ip', ['addr', 'del', `${PG_HOST}/32`, 'dev', 'lo']);
  };
  const launch = async () => {
    child = spawn(postgres, args, { uid, gid, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    exited = new Promise<void>((r) => child.once('exit', () => r()));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) {
        await stop();
        throw new Error(`postgres exited: ${stderr}`);
      }
      try {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.end();
        return;
      } catch {
        if (i > 200) {
          await stop();
          throw new Error(`postgres did not start: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await launch();
  const server: PgServer = {
    url,
    get pid() {
      return child.pid!;
    },
    restart: async () => {
      await halt();
      await launch();
    },
    stop,
  };
  return server;
}

let schemaSeq = 0;

/** A connection string whose tables live in a fresh schema (one registry per store in tests). */
export async function freshSchemaUrl(server: PgServer): Promise<string> {
  const name = `t${process.pid}_${++schemaSeq}`;
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`CREATE SCHEMA ${name}`);
  await c.end();
  return `${server.url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
}

const made: string[] = [];

/** Removes the directories tempDir made (call from afterAll). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A temp directory; removeTempDirs() deletes it. */
export function tempDir(prefix = 'hw-store-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A test clock: FILETIME that moves only when told to. */
export function testClock(start = 133_000_000_000_000_000n) {
  let t = start;
  return { now: () => t, advance: (d = 10_000_000n) => (t += d) };
}

// A toy security model: a "descriptor" is JSON { owner, allow: { sid: mask }, deny: { sid: mask } }.
// It exercises where the store asks for access decisions; the real model is src/security's.
export interface ToySd {
  owner?: string;
  allow?: Record<string, number>;
  deny?: Record<string, number>;
}
export const toySd = (sd: ToySd): Buffer => Buffer.from(JSON.stringify(sd));
export const readToySd = (b: Buffer): ToySd => JSON.parse(b.toString()) as ToySd;

function mapKey(mask: number): number {
  let m = mask & 0x0fffffff;
  if (mask & 0x80000000) m |= 0x20019;
  if (mask & 0x40000000) m |= 0x20006;
  if (mask & 0x20000000) m |= 0x20019;
  if (mask & 0x10000000) m |= 0xf003f;
  return m >>> 0;
}

export const toySecurity: SecurityModel = {
  accessCheck(token, sd, desired) {
    const d = readToySd(sd);
    const sids = [token.user.toString(), ...token.groups.map((g) => g.toString())];
    let allowed = 0;
    let denied = 0;
    for (const s of sids) {
      allowed |= mapKey(d.allow?.[s] ?? 0);
      denied |= mapKey(d.deny?.[s] ?? 0);
    }
    const eff = (allowed & ~denied) >>> 0;
    if (desired & 0x02000000) return { granted: eff, allowed: eff !== 0 };
    const want = mapKey(desired);
    return { granted: want, allowed: (eff & want) === want };
  },
  createChild: (parent, explicit) => explicit ?? parent,
  defaultFor: () => toySd({ owner: 'S-1-5-32-544', allow: { 'S-1-5-32-544': 0xf003f, 'S-1-5-18': 0xf003f, 'S-1-5-32-545': 0x20019 } }),
  subset: (sd, secInfo) => {
    const d = readToySd(sd);
    return toySd({ ...(secInfo & 1 ? { owner: d.owner } : {}), ...(secInfo & 4 ? { allow: d.allow, deny: d.deny } : {}) });
  },
  merge: (sd, update, secInfo) => {
    const d = readToySd(sd);
    const u = readToySd(update);
    return toySd({ ...d, ...(secInfo & 1 ? { owner: u.owner } : {}), ...(secInfo & 4 ? { allow: u.allow, deny: u.deny } : {}) });
  },
  isValid: (sd) => {
    try {
      return typeof readToySd(sd) === 'object';
    } catch {
      return false;
    }
  },
};

export const token = (user: string, groups: string[] = [], privileges: string[] = []): Token => makeToken(user, groups, privileges);

/** Opens stores on one backend; `reopen` closes and opens the same registry again (a restart). */
export class StoreFactory {
  private server: PgServer | undefined;
  private readonly open_: RegistryStore[] = [];
  constructor(readonly kind: BackendKind) {}
  async start(): Promise<void> {
    if (this.kind === 'postgres') this.server = await startPostgres();
  }
  /** What "the registry server restarts" means for this backend: for PostgreSQL the database server
   * restarts; for the embedded store reopening the directory is the restart. */
  async restartServer(): Promise<void> {
    await this.server?.restart();
  }
  async stop(): Promise<void> {
    for (const s of this.open_) await s.close().catch(() => undefined);
    await this.server?.stop();
    removeTempDirs();
  }
  /** A location for a fresh registry. */
  async location(): Promise<StoreOptions> {
    return this.kind === 'postgres' ? { postgres: await freshSchemaUrl(this.server!) } : { data: tempDir() };
  }
  async open(loc: StoreOptions, extra: StoreOptions = {}): Promise<RegistryStore> {
    const s = await RegistryStore.open({ ...loc, ...extra, log: () => undefined });
    this.open_.push(s);
    return s;
  }
  async fresh(extra: StoreOptions = {}): Promise<{ store: RegistryStore; loc: StoreOptions }> {
    const loc = await this.location();
    return { store: await this.open(loc, extra), loc };
  }
}
