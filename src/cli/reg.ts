// `hivewire reg`: a remote registry over MS-RRP, shaped like reg.exe (query, add, delete, copy, export,
// import, save, compare) with reg.exe's slash options; credentials from -U user%password or
// HIVEWIRE_USER / HIVEWIRE_PASSWORD.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseReg } from '../formats/regtext/parser.js';
import { treeToReg } from '../formats/regtext/tree.js';
import type { RegTreeKey } from '../formats/tree.js';
import { decodeValue, parseRegType, parseValueArgs, regTypeName, REG_SZ, valueToJson, REG_DWORD, REG_QWORD, REG_DWORD_BIG_ENDIAN, REG_MULTI_SZ, REG_EXPAND_SZ, REG_LINK } from '../formats/value.js';
import { KEY_READ, KEY_SET_VALUE, KEY_QUERY_VALUE, RegistryClient, splitRegistryPath, type RegistryConnectOptions } from '../interfaces/rrp/client.js';
import { Smb2Client } from '../smb2/client.js';
import { compareTrees } from '../reg/compare.js';
import { Progress } from '../reg/progress.js';
import { applyRegOps, writeTree } from '../reg/apply.js';
import { readTree, walkTree } from '../reg/walk.js';
import { UsageError } from '../util/errors.js';
import type { CliIO } from './io.js';
import { print, printJson } from './io.js';

const USAGE = `usage: hivewire reg <operation> [args] [options]

  query   \\\\HOST\\KEY [/v NAME | /ve] [/s] [/f PATTERN]
  add     \\\\HOST\\KEY [/v NAME | /ve] [/t TYPE] [/s SEP] [/d DATA] [/f]
  delete  \\\\HOST\\KEY [/v NAME | /ve | /va] [/f]
  copy    \\\\HOST\\KEY1 \\\\HOST\\KEY2 [/s] [/f]
  export  \\\\HOST\\KEY FILE.reg [/y]
  import  FILE.reg \\\\HOST
  save    \\\\HOST\\KEY REMOTE-FILE [--fetch SHARE\\PATH LOCAL-FILE]   (the server writes the hive)
  compare \\\\HOST\\KEY1 \\\\HOST\\KEY2 [/s]

  KEY is HKLM, HKCU, HKCR, HKU or HKCC and a path, e.g. \\\\10.0.0.5\\HKLM\\Software\\X
  -U USER%PASSWORD  (or HIVEWIRE_USER, HIVEWIRE_PASSWORD); -W DOMAIN; --nt-hash HEX
  --transport np|tcp (default np)  --port N  --auth-level connect|integrity|privacy (default privacy)
  --auth-type spnego|ntlm  --concurrency N (keys in work, default 64)
  --connections N (associations; default 4 for recursive work, else 1)  --json
`;

interface RegArgs {
  op: string;
  positionals: string[];
  slash: Map<string, string | true>;
  opts: Map<string, string | true>;
}

const SLASH_WITH_VALUE = new Set(['v', 't', 'd', 'f', 's', 'se']);
const LONG_WITH_VALUE = new Set(['U', 'W', 'transport', 'port', 'auth-level', 'auth-type', 'concurrency', 'connections', 'nt-hash', 'fetch']);

function parse(argv: string[]): RegArgs {
  const [op, ...rest] = argv;
  if (!op) throw new UsageError('missing operation\n' + USAGE);
  const positionals: string[] = [];
  const slash = new Map<string, string | true>();
  const opts = new Map<string, string | true>();
  const lower = op.toLowerCase();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (/^\/[A-Za-z?]+$/.test(a)) {
      const n = a.slice(1).toLowerCase();
      // /f is "force" for add/delete/copy, a search pattern for query; /s a separator only for add
      const takes = n === 'f' ? lower === 'query' : n === 's' ? lower === 'add' : SLASH_WITH_VALUE.has(n);
      if (takes) {
        if (i + 1 >= rest.length) throw new UsageError(`${a} needs a value`);
        slash.set(n, rest[++i]!);
      } else slash.set(n, true);
    } else if (a === '-U' || a === '-W' || (a.startsWith('--') && a.length > 2)) {
      const eq = a.indexOf('=');
      const n = a.startsWith('--') ? (eq < 0 ? a.slice(2) : a.slice(2, eq)) : a.slice(1);
      if (LONG_WITH_VALUE.has(n)) {
        if (eq >= 0) opts.set(n, a.slice(eq + 1));
        else if (i + 1 < rest.length) opts.set(n, rest[++i]!);
        else throw new UsageError(`${a} needs a value`);
        if (n === 'fetch') {
          if (i + 1 >= rest.length) throw new UsageError('--fetch needs SHARE\\PATH and LOCAL-FILE');
          opts.set('fetch-local', rest[++i]!);
        }
      } else if (['json', 'debug', 'help'].includes(n)) opts.set(n, true);
      else throw new UsageError(`unknown option ${a}`);
    } else positionals.push(a);
  }
  return { op: lower, positionals, slash, opts };
}

/** `\\HOST\HKLM\Path` → host and registry path. */
export function parseRemoteKey(spec: string): { host: string; path: string } {
  const m = /^\\\\([^\\]+)(?:\\(.*))?$/.exec(spec);
  if (!m) throw new UsageError(`expected \\\\HOST\\KEY, got '${spec}'`);
  const path = (m[2] ?? '').replace(/\\+$/, '');
  if (path) splitRegistryPath(path); // validates the root key
  return { host: m[1]!, path };
}

const LONG_ROOT: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKCR: 'HKEY_CLASSES_ROOT', HKU: 'HKEY_USERS', HKCC: 'HKEY_CURRENT_CONFIG', HKPD: 'HKEY_PERFORMANCE_DATA' };

/** 'HKLM\\X' → 'HKEY_LOCAL_MACHINE\\X' (as reg.exe and regedit print). */
export function longPath(path: string): string {
  const { hive, subkey } = splitRegistryPath(path);
  return subkey ? `${LONG_ROOT[hive]}\\${subkey}` : LONG_ROOT[hive]!;
}

function credentials(a: RegArgs, io: CliIO): Pick<RegistryConnectOptions, 'username' | 'password' | 'domain' | 'ntHash'> {
  let user = a.opts.get('U') as string | undefined;
  let password: string | undefined;
  if (user !== undefined) {
    const i = user.indexOf('%');
    if (i >= 0) {
      password = user.slice(i + 1);
      user = user.slice(0, i);
    }
  }
  user ??= io.env.HIVEWIRE_USER;
  password ??= io.env.HIVEWIRE_PASSWORD;
  if (!user) throw new UsageError('no user: give -U USER%PASSWORD or set HIVEWIRE_USER and HIVEWIRE_PASSWORD');
  let domain = a.opts.get('W') as string | undefined;
  const bs = user.indexOf('\\');
  if (bs >= 0) {
    domain ??= user.slice(0, bs);
    user = user.slice(bs + 1);
  }
  const hash = a.opts.get('nt-hash') as string | undefined;
  if (!password && !hash) throw new UsageError('no password: give -U USER%PASSWORD, HIVEWIRE_PASSWORD or --nt-hash');
  return { username: user, domain: domain ?? '', ...(password ? { password } : {}), ...(hash ? { ntHash: Buffer.from(hash, 'hex') } : {}) };
}

/** Associations and keys in work when not given: recursive work spreads over several (bench/rrp-client.ts). */
const RECURSIVE_CONNECTIONS = 4;
const DEFAULT_CONCURRENCY = 64;

async function connect(a: RegArgs, io: CliIO, host: string, recursive = false): Promise<RegistryClient> {
  const transport = (a.opts.get('transport') as string | undefined) ?? 'np';
  if (transport !== 'np' && transport !== 'tcp') throw new UsageError(`--transport is np or tcp, not '${transport}'`);
  const port = a.opts.get('port');
  const authType = a.opts.get('auth-type') as string | undefined;
  if (authType !== undefined && authType !== 'ntlm' && authType !== 'spnego') throw new UsageError('--auth-type is spnego or ntlm');
  const client = await RegistryClient.connect({
    host, transport, ...credentials(a, io),
    ...(port ? { port: Number(port) } : {}),
    authLevel: ((a.opts.get('auth-level') as string | undefined) ?? 'privacy') as RegistryConnectOptions['authLevel'],
    ...(authType ? { authType } : {}),
    connections: Number(a.opts.get('connections') ?? (recursive ? RECURSIVE_CONNECTIONS : 1)),
  });
  return client;
}

function concurrency(a: RegArgs): number {
  const n = Number(a.opts.get('concurrency') ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError('--concurrency is a number from 1 to 256');
  return n;
}

/** Value data as reg.exe prints it. */
export function formatData(type: number, data: Buffer): string {
  const v = decodeValue(type, data);
  switch (type) {
    case REG_DWORD:
    case REG_DWORD_BIG_ENDIAN:
    case REG_QWORD:
      return typeof v === 'number' || typeof v === 'bigint' ? `0x${v.toString(16)}` : data.toString('hex').toUpperCase();
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK:
      return v as string;
    case REG_MULTI_SZ:
      return (v as string[]).join('\\0');
    default:
      return data.toString('hex').toUpperCase();
  }
}

const valueLine = (name: string, type: number, data: Buffer) => `    ${name || '(Default)'}    ${regTypeName(type)}    ${formatData(type, data)}`;
const valueJson = (name: string, type: number, data: Buffer) => ({ name, type: regTypeName(type), typeCode: type, data: valueToJson(decodeValue(type, data)) });

/** reg.exe's /f: a case-insensitive substring, or a pattern with * and ?. */
function matcher(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) {
    const p = pattern.toLowerCase();
    return (s) => s.toLowerCase().includes(p);
  }
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return (s) => re.test(s);
}

async function query(a: RegArgs, io: CliIO): Promise<number> {
  const { host, path } = parseRemoteKey(a.positionals[0] ?? '');
  if (!path) throw new UsageError('reg query needs \\\\HOST\\KEY');
  const json = a.opts.has('json');
  const client = await connect(a, io, host, a.slash.has('s'));
  try {
    const name = a.slash.has('ve') ? '' : (a.slash.get('v') as string | undefined);
    if (name !== undefined && !a.slash.has('s')) {
      const v = await client.getValue(path, name);
      if (json) printJson(io, { path: longPath(path), values: [valueJson(v.name, v.type, v.data)] });
      else print(io, `\n${longPath(path)}\n${valueLine(v.name, v.type, v.data)}\n`);
      return 0;
    }
    const recursive = a.slash.has('s');
    const progress = new Progress(io.stderr, 'query');
    let tree: RegTreeKey;
    if (recursive) {
      tree = await readTree(client, path, { concurrency: concurrency(a), onKey: (_p, n) => progress.tick(n) });
    } else {
      const k = await client.openKey(path, { access: KEY_READ });
      try {
        const info = await k.queryInfo();
        const [subs, values] = await Promise.all([k.subkeys(info), k.valueList(info)]);
        tree = { name: '', values, subkeys: subs.map((s) => ({ name: s.name, values: [], subkeys: [] })) };
      } finally {
        await k.close();
      }
    }
    progress.done();
    const pattern = a.slash.get('f') as string | undefined;
    const match = pattern !== undefined ? matcher(pattern) : undefined;
    const out: { path: string; values: ReturnType<typeof valueJson>[]; subkeys?: string[] }[] = [];
    let text = '';
    let found = 0;
    const entries = recursive ? [...walkTree(tree, longPath(path))] : [{ path: longPath(path), key: tree }];
    for (const { path: p, key } of entries) {
      let values = key.values;
      if (name !== undefined) values = values.filter((v) => v.name.toUpperCase() === name.toUpperCase());
      if (match) values = values.filter((v) => match(v.name) || ([REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ].includes(v.type) && match(formatData(v.type, v.data))));
      const keyHit = match ? match(p.slice(p.lastIndexOf('\\') + 1)) && p !== longPath(path) : false;
      if ((match || name !== undefined) && values.length === 0 && !keyHit) continue;
      found += values.length + (keyHit ? 1 : 0);
      const subs = recursive ? undefined : key.subkeys.map((s) => `${p}\\${s.name}`);
      out.push({ path: p, values: values.map((v) => valueJson(v.name, v.type, v.data)), ...(subs && !match ? { subkeys: subs } : {}) });
      text += `\n${p}\n`;
      for (const v of values) text += valueLine(v.name, v.type, v.data) + '\n';
      if (subs && !match && subs.length) text += '\n' + subs.join('\n') + '\n';
    }
    if (json) printJson(io, match ? { keys: out, matches: found } : recursive ? { keys: out } : out[0]);
    else {
      io.stdout.write(text);
      if (match) print(io, `End of search: ${found} match(es) found.`);
    }
    return match && found === 0 ? 1 : 0;
  } finally {
    await client.close();
  }
}

async function add(a: RegArgs, io: CliIO): Promise<number> {
  const { host, path } = parseRemoteKey(a.positionals[0] ?? '');
  if (!path) throw new UsageError('reg add needs \\\\HOST\\KEY');
  const client = await connect(a, io, host);
  try {
    const name = a.slash.has('ve') ? '' : (a.slash.get('v') as string | undefined);
    const key = await client.createKey(path);
    try {
      if (name !== undefined || a.slash.has('d') || a.slash.has('t')) {
        const type = parseRegType((a.slash.get('t') as string | undefined) ?? 'REG_SZ');
        let data = (a.slash.get('d') as string | undefined) ?? '';
        const sep = a.slash.get('s');
        if (type === REG_MULTI_SZ && typeof sep === 'string') data = data.split(sep).join('\\0');
        await key.setRaw(name ?? '', type, parseValueArgs(type, [data]));
      }
    } finally {
      await key.close();
    }
    if (a.opts.has('json')) printJson(io, { ok: true, path: longPath(path), created: key.created });
    else print(io, 'The operation completed successfully.');
    return 0;
  } finally {
    await client.close();
  }
}

async function del(a: RegArgs, io: CliIO): Promise<number> {
  const { host, path } = parseRemoteKey(a.positionals[0] ?? '');
  if (!path) throw new UsageError('reg delete needs \\\\HOST\\KEY');
  if (!a.slash.has('f')) throw new UsageError('reg delete asks no questions: add /f to confirm');
  const client = await connect(a, io, host);
  try {
    const name = a.slash.has('ve') ? '' : (a.slash.get('v') as string | undefined);
    let deleted = 0;
    if (a.slash.has('va')) {
      const k = await client.openKey(path, { access: KEY_QUERY_VALUE | KEY_SET_VALUE });
      try {
        for (const v of await k.valueList()) {
          await k.deleteValue(v.name);
          deleted++;
        }
      } finally {
        await k.close();
      }
    } else if (name !== undefined) {
      await client.deleteValue(path, name);
      deleted = 1;
    } else {
      const progress = new Progress(io.stderr, 'delete');
      await client.deleteKey(path, { recursive: true, onKey: () => (deleted++, progress.tick()) });
      progress.done();
    }
    if (a.opts.has('json')) printJson(io, { ok: true, path: longPath(path), deleted });
    else print(io, 'The operation completed successfully.');
    return 0;
  } finally {
    await client.close();
  }
}

async function copy(a: RegArgs, io: CliIO): Promise<number> {
  const src = parseRemoteKey(a.positionals[0] ?? '');
  const dst = parseRemoteKey(a.positionals[1] ?? '');
  if (!src.path || !dst.path) throw new UsageError('reg copy needs \\\\HOST\\KEY1 \\\\HOST\\KEY2');
  const from = await connect(a, io, src.host, true);
  const to = dst.host.toLowerCase() === src.host.toLowerCase() ? from : await connect(a, io, dst.host, true);
  try {
    const progress = new Progress(io.stderr, 'copy');
    const tree = await readTree(from, src.path, { concurrency: concurrency(a), keysOnly: false });
    if (!a.slash.has('s')) tree.subkeys = [];
    await writeTree(to, dst.path, tree, concurrency(a), (_p, n) => progress.tick(n));
    progress.done();
    if (a.opts.has('json')) printJson(io, { ok: true, keys: progress.keys, values: progress.values });
    else print(io, 'The operation completed successfully.');
    return 0;
  } finally {
    await from.close();
    if (to !== from) await to.close();
  }
}

async function exportKey(a: RegArgs, io: CliIO): Promise<number> {
  const { host, path } = parseRemoteKey(a.positionals[0] ?? '');
  const file = a.positionals[1];
  if (!path || !file) throw new UsageError('reg export needs \\\\HOST\\KEY FILE.reg');
  const client = await connect(a, io, host, true);
  try {
    const progress = new Progress(io.stderr, 'export');
    const tree = await readTree(client, path, { concurrency: concurrency(a), onKey: (_p, n) => progress.tick(n) });
    progress.done();
    writeFileSync(file, treeToReg(tree, longPath(path)), a.slash.has('y') ? {} : { flag: 'wx' });
    if (a.opts.has('json')) printJson(io, { ok: true, file, keys: progress.keys, values: progress.values });
    else print(io, 'The operation completed successfully.');
    return 0;
  } finally {
    await client.close();
  }
}

async function importFile(a: RegArgs, io: CliIO): Promise<number> {
  const file = a.positionals[0];
  const { host } = parseRemoteKey(a.positionals[1] ?? '');
  if (!file) throw new UsageError('reg import needs FILE.reg \\\\HOST');
  const reg = parseReg(readFileSync(file));
  const client = await connect(a, io, host);
  try {
    const progress = new Progress(io.stderr, 'import');
    const r = await applyRegOps(client, reg.ops, () => progress.tick());
    progress.done();
    if (a.opts.has('json')) printJson(io, { ok: true, ...r });
    else print(io, 'The operation completed successfully.');
    return 0;
  } finally {
    await client.close();
  }
}

async function save(a: RegArgs, io: CliIO): Promise<number> {
  const { host, path } = parseRemoteKey(a.positionals[0] ?? '');
  const remote = a.positionals[1];
  if (!path || !remote) throw new UsageError('reg save needs \\\\HOST\\KEY REMOTE-FILE');
  const client = await connect(a, io, host);
  let fetched: number | undefined;
  try {
    const k = await client.openKey(path, { access: KEY_READ });
    try {
      await k.saveKey(remote);
    } finally {
      await k.close();
    }
  } finally {
    await client.close();
  }
  const fetch = a.opts.get('fetch') as string | undefined;
  if (fetch) {
    const i = fetch.indexOf('\\');
    if (i < 0) throw new UsageError('--fetch takes SHARE\\PATH');
    const creds = credentials(a, io);
    const smb = await Smb2Client.connect({ host, user: creds.username, domain: creds.domain ?? '', ...(creds.password ? { password: creds.password } : {}), ...(creds.ntHash ? { ntHash: creds.ntHash } : {}) });
    try {
      const bytes = await smb.readFile(fetch.slice(0, i), fetch.slice(i + 1));
      writeFileSync(a.opts.get('fetch-local') as string, bytes);
      fetched = bytes.length;
    } finally {
      await smb.close();
    }
  }
  if (a.opts.has('json')) printJson(io, { ok: true, remote, ...(fetched !== undefined ? { fetched } : {}) });
  else print(io, 'The operation completed successfully.');
  return 0;
}

async function compare(a: RegArgs, io: CliIO): Promise<number> {
  const k1 = parseRemoteKey(a.positionals[0] ?? '');
  const k2 = parseRemoteKey(a.positionals[1] ?? '');
  if (!k1.path || !k2.path) throw new UsageError('reg compare needs \\\\HOST\\KEY1 \\\\HOST\\KEY2');
  const c1 = await connect(a, io, k1.host, a.slash.has('s'));
  const c2 = k2.host.toLowerCase() === k1.host.toLowerCase() ? c1 : await connect(a, io, k2.host, a.slash.has('s'));
  try {
    const recursive = a.slash.has('s');
    const read = async (c: RegistryClient, p: string) => {
      if (recursive) return readTree(c, p, { concurrency: concurrency(a) });
      const k = await c.openKey(p);
      try {
        const info = await k.queryInfo();
        const [subs, values] = await Promise.all([k.subkeys(info), k.valueList(info)]);
        return { name: '', values, subkeys: subs.map((s) => ({ name: s.name, values: [], subkeys: [] })) } as RegTreeKey;
      } finally {
        await k.close();
      }
    };
    const [t1, t2] = await Promise.all([read(c1, k1.path), read(c2, k2.path)]);
    const diffs = compareTrees(t1, t2, recursive);
    if (a.opts.has('json')) printJson(io, { identical: diffs.length === 0, differences: diffs });
    else {
      const mark = { left: '<', right: '>', both: '!' } as const;
      for (const d of diffs) {
        const where = d.path ? `\\${d.path}` : '';
        if (d.kind === 'key') print(io, `${mark[d.side]} Key: ${longPath(d.side === 'right' ? k2.path : k1.path)}${where}`);
        else print(io, `${mark[d.side]} Value: ${longPath(d.side === 'right' ? k2.path : k1.path)}${where}  ${d.name || '(Default)'}`);
      }
      print(io, diffs.length === 0 ? 'Result Compared: Identical' : 'Result Compared: Different');
    }
    // reg.exe: 0 identical, 2 different
    return diffs.length === 0 ? 0 : 2;
  } finally {
    await c1.close();
    if (c2 !== c1) await c2.close();
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === '/?') {
    io.stdout.write(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const a = parse(argv);
  switch (a.op) {
    case 'query': return query(a, io);
    case 'add': return add(a, io);
    case 'delete': return del(a, io);
    case 'copy': return copy(a, io);
    case 'export': return exportKey(a, io);
    case 'import': return importFile(a, io);
    case 'save': return save(a, io);
    case 'compare': return compare(a, io);
    default: throw new UsageError(`unknown reg operation '${a.op}'\n${USAGE}`);
  }
}
