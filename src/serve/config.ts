// `hivewire serve` configuration: a JSON or TOML file, then command-line flags over it.
//
//   { "listen": ["np:127.0.0.1:445", "tcp:127.0.0.1:0"], "data": "/var/lib/hivewire",
//     "files": "/var/lib/hivewire/files", "import": "samples/demo.reg", "requireSigning": false,
//     "logLevel": "info", "serverName": "HIVEWIRE", "domain": "HIVEWIRE",
//     "machineSid": "S-1-5-21-1-2-3",
//     "users": [{ "name": "alice", "password": "secret", "admin": true },
//               { "name": "bob", "ntHash": "<32 hex>", "rid": 1002, "groups": ["S-1-5-32-545"],
//                 "privileges": ["SeBackupPrivilege"] }] }
import { readFileSync } from 'node:fs';
import { UsageError } from '../util/errors.js';
import { parseToml } from './toml.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Listen {
  kind: 'np' | 'tcp';
  address: string;
  port: number;
}

export interface UserConfig {
  name: string;
  domain?: string;
  password?: string;
  /** NT hash (MD4 of the UTF-16LE password), 32 hex digits, instead of the password. */
  ntHash?: string;
  /** Puts the user in BUILTIN\Administrators (with the backup, restore and shutdown privileges). */
  admin?: boolean;
  /** The account SID; default machineSid-rid. */
  sid?: string;
  rid?: number;
  groups?: string[];
  privileges?: string[];
}

export interface ServeConfig {
  listen: Listen[];
  data?: string;
  postgres?: string;
  files?: string;
  import?: string;
  requireSigning: boolean;
  logLevel: LogLevel;
  serverName: string;
  domain?: string;
  machineSid: string;
  users: UserConfig[];
  /** Answer MS-RSP shutdown opnums 24/25/30 (logged, never acted on). Default false. */
  allowShutdownCalls: boolean;
}

export const DEFAULT_MACHINE_SID = 'S-1-5-21-3623811015-3361044348-30300820';

export function parseListen(s: string): Listen {
  const m = /^(np|tcp):(.+):(\d+)$/.exec(s);
  if (!m) throw new UsageError(`--listen ${s}: expected np:ADDR:PORT or tcp:ADDR:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen ${s}: port out of range`);
  return { kind: m[1] as 'np' | 'tcp', address: m[2]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** NAME:PASSWORD[:admin] */
export function parseUserFlag(s: string): UserConfig {
  const admin = /:admin$/i.test(s);
  const body = admin ? s.slice(0, -':admin'.length) : s;
  const i = body.indexOf(':');
  if (i <= 0) throw new UsageError(`--user ${s}: expected NAME:PASSWORD[:admin]`);
  const [domain, name] = body.slice(0, i).includes('\\') ? body.slice(0, i).split('\\', 2) : [undefined, body.slice(0, i)];
  return { name: name!, password: body.slice(i + 1), admin, ...(domain ? { domain } : {}) };
}

const LEVELS: LogLevel[] = ['error', 'warn', 'info', 'debug'];

function asStringArray(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UsageError(`config: ${what} must be a list of strings`);
  return v as string[];
}

/** Reads a config file (TOML when it ends in .toml, else JSON). */
export function readConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  if (/\.toml$/i.test(file)) return parseToml(text) as Record<string, unknown>;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`config ${file}: ${(err as Error).message}`);
  }
}

/** The file's settings as a ServeConfig (flags are applied on top by the caller). */
export function configFrom(raw: Record<string, unknown>): ServeConfig {
  const known = new Set(['listen', 'data', 'postgres', 'files', 'import', 'requireSigning', 'logLevel', 'serverName', 'domain', 'machineSid', 'users', 'allowShutdownCalls']);
  for (const k of Object.keys(raw)) if (!known.has(k)) throw new UsageError(`config: unknown setting '${k}'`);
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new UsageError(`config: ${k} must be a string`);
    return v;
  };
  const logLevel = (str('logLevel') ?? 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) throw new UsageError(`config: logLevel must be one of ${LEVELS.join(', ')}`);
  const users = raw.users === undefined ? [] : raw.users;
  if (!Array.isArray(users)) throw new UsageError('config: users must be a list');
  const cfg: ServeConfig = {
    listen: asStringArray(raw.listen, 'listen').map(parseListen),
    requireSigning: raw.requireSigning === true,
    logLevel,
    serverName: str('serverName') ?? 'HIVEWIRE',
    machineSid: str('machineSid') ?? DEFAULT_MACHINE_SID,
    users: users.map((u, i) => userFrom(u, i)),
    allowShutdownCalls: raw.allowShutdownCalls === true,
  };
  for (const k of ['data', 'postgres', 'files', 'import', 'domain'] as const) {
    const v = str(k);
    if (v !== undefined) cfg[k] = v;
  }
  return cfg;
}

function userFrom(u: unknown, i: number): UserConfig {
  if (!u || typeof u !== 'object') throw new UsageError(`config: users[${i}] must be a table`);
  const o = u as Record<string, unknown>;
  if (typeof o.name !== 'string' || !o.name) throw new UsageError(`config: users[${i}].name is required`);
  if (typeof o.password !== 'string' && typeof o.ntHash !== 'string') throw new UsageError(`config: users[${i}] needs a password or an ntHash`);
  if (typeof o.ntHash === 'string' && !/^[0-9a-fA-F]{32}$/.test(o.ntHash)) throw new UsageError(`config: users[${i}].ntHash must be 32 hex digits`);
  const out: UserConfig = { name: o.name, admin: o.admin === true };
  if (typeof o.password === 'string') out.password = o.password;
  if (typeof o.ntHash === 'string') out.ntHash = o.ntHash;
  if (typeof o.domain === 'string') out.domain = o.domain;
  if (typeof o.sid === 'string') out.sid = o.sid;
  if (typeof o.rid === 'number') out.rid = o.rid;
  const groups = asStringArray(o.groups, `users[${i}].groups`);
  const privileges = asStringArray(o.privileges, `users[${i}].privileges`);
  if (groups.length) out.groups = groups;
  if (privileges.length) out.privileges = privileges;
  return out;
}
