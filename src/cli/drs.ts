// `hivewire drs`: AD replication (MS-DRSR) from a domain controller. Thin over src/interfaces/drsr.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { DrsClient, DS_NAME_FORMAT } from '../interfaces/drsr/client.js';
import { linksToLdif, objectToLdif } from '../interfaces/drsr/ldif.js';
import { dnFromTree, loadSchema, replicate, replicateObject, type Page } from '../interfaces/drsr/replicate.js';
import { Schema } from '../interfaces/drsr/decode/schema.js';
import { loadState, saveState, emptyState } from '../interfaces/drsr/state.js';
import { UsageError } from '../util/errors.js';
import { parseArgs } from './args.js';
import { print, printJson, type CliIO, type CommandRun } from './io.js';

const HELP = `usage: hivewire drs <subcommand> --dc HOST -U DOMAIN\\user%password [options]

  replicate --nc DN [--state FILE] [--output FILE] [--secrets] [--format jsonl|ldif] [--attrs LIST]
            [--page-objects N] [--page-bytes N] [--no-schema]
      streams the NC's objects and link values (full, or incremental with --state). With --state and
      --output the output file is cut back to the last committed page on restart: nothing lost or
      duplicated. ldif: change records (add, modify/replace, moddn, delete; link values as add/delete
      of the value). --attrs a,b,c: only those attributes and link attributes of each object.
  replicate --object DN|GUID [--secrets] [--format jsonl|ldif] [--attrs LIST]
      one object through EXOP_REPL_OBJ (no state).
  hashes [--nc DN]          account hashes as user:rid:lmhash:nthash:::
  dcinfo [--level 1|2|3|0xFFFFFFFF] [--domain NAME] [--json]
  cracknames NAME... [--from FMT] [--to FMT] [--json]   formats: ${Object.keys(DS_NAME_FORMAT).join(', ')}
  showrepl [--nc DN] [--json]   neighbours and up-to-dateness cursors

  -U, --user DOMAIN\\USER%PASSWORD (or USER@DOMAIN%PASSWORD);  --ntlm: raw NTLM instead of SPNEGO`;

function credentials(u: string): { user: string; domain: string; password: string } {
  const pct = u.indexOf('%');
  if (pct < 0) throw new UsageError('-U needs DOMAIN\\user%password');
  const who = u.slice(0, pct);
  const password = u.slice(pct + 1);
  const m = /^(?:([^\\/]+)[\\/])?([^@]+)(?:@(.+))?$/.exec(who);
  if (!m) throw new UsageError(`cannot read user '${who}'`);
  return { user: m[2]!, domain: m[1] ?? m[3] ?? '', password };
}

function format(name: string | undefined, dflt: number): number {
  if (name === undefined) return dflt;
  const v = (DS_NAME_FORMAT as Record<string, number>)[name.toUpperCase()];
  if (v !== undefined) return v;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(name)) return Number(name) >>> 0;
  throw new UsageError(`unknown name format '${name}'`);
}

const bigJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

async function connect(p: ReturnType<typeof parseArgs>, io: CliIO): Promise<DrsClient> {
  const dc = p.options.dc as string | undefined;
  if (!dc) throw new UsageError('--dc HOST is required');
  const u = (p.options.user as string | undefined) ?? io.env.HIVEWIRE_DRS_USER;
  if (!u) throw new UsageError('-U DOMAIN\\user%password is required');
  return DrsClient.connect({ host: dc, ...credentials(u), auth: p.options.ntlm ? 'ntlm' : 'spnego' });
}

async function defaultNc(c: DrsClient, domain: string): Promise<string> {
  return c.crackName(`${domain}\\`, DS_NAME_FORMAT.NT4_ACCOUNT, DS_NAME_FORMAT.FQDN_1779);
}

export const run: CommandRun = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') {
    print(io, HELP);
    return sub ? 0 : 2;
  }
  const p = parseArgs(rest, {
    values: ['dc', 'user', 'nc', 'state', 'output', 'format', 'attrs', 'level', 'domain', 'from', 'to', 'page-objects', 'page-bytes', 'object'],
    flags: ['secrets', 'json', 'ntlm', 'no-schema', 'help'],
    short: { U: 'user' },
  });
  if (p.options.help) {
    print(io, HELP);
    return 0;
  }
  const c = await connect(p, io);
  try {
    const domain = credentials((p.options.user as string | undefined) ?? io.env.HIVEWIRE_DRS_USER ?? '%').domain;
    switch (sub) {
      case 'dcinfo': {
        const level = p.options.level ? Number(p.options.level) >>> 0 : 2;
        if (![1, 2, 3, 0xffffffff].includes(level)) throw new UsageError('--level is 1, 2, 3 or 0xFFFFFFFF');
        const dom = (p.options.domain as string | undefined) ?? domain;
        const r = await c.domainControllerInfo(dom, level as 1 | 2 | 3 | 0xffffffff);
        const items = (r as { [k: string]: { rItems: unknown[] | null } | number })[Object.keys(r).find((k) => k !== 'tag')!] as { rItems: unknown[] | null };
        if (p.options.json) printJson(io, items.rItems ?? []);
        else for (const it of items.rItems ?? []) for (const [k, v] of Object.entries(it as object)) print(io, `${k}: ${v}`);
        return 0;
      }
      case 'cracknames': {
        if (!p.positionals.length) throw new UsageError('cracknames needs at least one NAME');
        const res = await c.crackNames(p.positionals, format(p.options.from as string | undefined, DS_NAME_FORMAT.UNKNOWN), format(p.options.to as string | undefined, DS_NAME_FORMAT.FQDN_1779));
        if (p.options.json) printJson(io, res);
        else for (const r of res) print(io, `${r.name}\t${r.ok ? r.result : `error ${r.status}`}${r.domain ? `\t${r.domain}` : ''}`);
        return res.every((r) => r.ok) ? 0 : 1;
      }
      case 'showrepl': {
        const nc = (p.options.nc as string | undefined) ?? (await defaultNc(c, domain));
        const neighbours = await c.getReplInfo(0, nc);
        const cursors = await c.getReplInfo(1, nc);
        const out = { nc, neighbours: 'pNeighbors' in neighbours ? neighbours.pNeighbors?.rgNeighbor ?? [] : [], cursors: 'pCursors' in cursors ? cursors.pCursors?.rgCursor ?? [] : [] };
        if (p.options.json) io.stdout.write(JSON.stringify(out, bigJson, 2) + '\n');
        else {
          print(io, `${nc}\nneighbours: ${out.neighbours.length}`);
          for (const n of out.neighbours) print(io, `  from ${n.pszSourceDsaDN} last result ${n.dwLastSyncResult}`);
          print(io, 'cursors:');
          for (const cu of out.cursors) print(io, `  ${cu.uuidSourceDsaInvocationID} USN ${cu.usnAttributeFilter}`);
        }
        return 0;
      }
      case 'hashes': {
        const nc = (p.options.nc as string | undefined) ?? (await defaultNc(c, domain));
        const empty = 'aad3b435b51404eeaad3b435b51404ee';
        const emptyNt = '31d6cfe0d16ae931b73c59d7e0c089c0';
        await replicate(c, {
          nc,
          secrets: true,
          onPage: (page) => {
            for (const o of page.objects) {
              const sam = o.attributes.sAMAccountName?.[0];
              // user, machine and trust accounts (SAM_USER_OBJECT, SAM_MACHINE_ACCOUNT, SAM_TRUST_ACCOUNT)
              const type = o.attributes.sAMAccountType?.[0];
              if (typeof sam !== 'string' || !o.sid || ![0x30000000, 0x30000001, 0x30000002].includes(type as number)) continue;
              const rid = o.sid.split('-').pop();
              const lm = (o.attributes.dBCSPwd?.[0] as string | undefined) ?? empty;
              const nt = (o.attributes.unicodePwd?.[0] as string | undefined) ?? emptyNt;
              io.stdout.write(`${sam}:${rid}:${lm}:${nt}:::\n`);
            }
          },
        });
        return 0;
      }
      case 'replicate':
        return await replicateCmd(c, p, io, domain);
      default:
        throw new UsageError(`unknown drs subcommand '${sub}'`);
    }
  } finally {
    await c.close();
  }
};

const GUID_RE = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** The NTDS Settings objectGUID of the DC we talk to (DCInfo level 2), for EXOP requests. */
async function serverDsaGuid(c: DrsClient, domain: string, host: string): Promise<string> {
  const r = await c.domainControllerInfo(domain, 2);
  const items = r.tag === 2 ? (r.V2.rItems ?? []) : [];
  const h = host.toLowerCase();
  const mine = items.find((i) => i.DnsHostName?.toLowerCase() === h || i.NetbiosName?.toLowerCase() === h || i.DnsHostName?.toLowerCase().startsWith(`${h}.`)) ?? items[0];
  if (!mine) throw new UsageError(`no domain controller of '${domain}' in DCInfo`);
  return mine.NtdsDsaObjectGuid;
}

async function replicateCmd(c: DrsClient, p: ReturnType<typeof parseArgs>, io: CliIO, domain: string): Promise<number> {
  const fmt = (p.options.format as string | undefined) ?? 'jsonl';
  if (fmt !== 'jsonl' && fmt !== 'ldif') throw new UsageError('--format is jsonl or ldif');
  const attrs = p.options.attrs ? new Set((p.options.attrs as string).split(',').map((s) => s.trim().toLowerCase())) : undefined;
  const object = p.options.object as string | undefined;
  if (object !== undefined) {
    const g = GUID_RE.exec(object);
    const r = await replicateObject(c, { object: g ? { guid: g[1]!.toLowerCase() } : { dn: object }, dsaGuid: await serverDsaGuid(c, domain, p.options.dc as string), secrets: p.options.secrets === true });
    const links = attrs ? r.links.filter((l) => attrs.has(l.attribute.toLowerCase())) : r.links;
    for (const o of r.objects) {
      if (fmt === 'ldif') io.stdout.write(objectToLdif(o, undefined, attrs));
      else io.stdout.write(JSON.stringify(attrs ? { ...o, attributes: Object.fromEntries(Object.entries(o.attributes).filter(([k]) => attrs.has(k.toLowerCase()))) } : o, bigJson) + '\n');
    }
    if (fmt === 'ldif') io.stdout.write(linksToLdif(links));
    else for (const l of links) io.stdout.write(JSON.stringify(l) + '\n');
    return 0;
  }
  const nc = (p.options.nc as string | undefined) ?? (await defaultNc(c, domain));
  const stateFile = p.options.state as string | undefined;
  const outFile = p.options.output as string | undefined;
  const state = stateFile ? loadState(stateFile, nc) : emptyState(nc);
  let fd: number | undefined;
  if (outFile) {
    fd = openSync(outFile, existsSync(outFile) ? 'r+' : 'w');
    // exactly-once: drop what a killed run wrote after its last committed page
    const committed = Number(state.extra.outputBytes ?? 0);
    if (fstatSync(fd).size !== committed) ftruncateSync(fd, committed);
  }
  let outPos = Number(state.extra.outputBytes ?? 0);
  const write = (s: string) => {
    if (fd === undefined) io.stdout.write(s);
    else outPos += writeSync(fd, s, outPos);
  };
  let schema = Schema.bootstrap();
  if (!p.options['no-schema']) {
    const schemaNc = await c.crackName(`${domain}\\`, DS_NAME_FORMAT.NT4_ACCOUNT, DS_NAME_FORMAT.FQDN_1779).then((d) => `CN=Schema,CN=Configuration,${d}`).catch(() => undefined);
    if (schemaNc) schema = await loadSchema(c, schemaNc, schema).catch(() => Schema.bootstrap());
  }
  const tty = io.stderr.isTTY === true;
  let objects = 0;
  let bytes = 0;
  const t0 = Date.now();
  let total = 0;
  await replicate(c, {
    nc,
    state,
    schema,
    secrets: p.options.secrets === true,
    ...(p.options['page-objects'] ? { maxObjects: Number(p.options['page-objects']) } : {}),
    ...(p.options['page-bytes'] ? { maxBytes: Number(p.options['page-bytes']) } : {}),
    onPage: (page: Page, next) => {
      const links = attrs ? page.links.filter((l) => attrs.has(l.attribute.toLowerCase())) : page.links;
      if (fmt === 'ldif') {
        // `state` is still the state before this page: what the consumer had (add vs modify, old DN)
        for (const o of page.objects) write(objectToLdif(o, state.tree[o.guid] ? { dn: dnFromTree(state.tree, o.guid, nc) ?? o.dn } : undefined, attrs));
        write(linksToLdif(links));
      } else {
        for (const o of page.objects) {
          const rec = attrs ? { ...o, attributes: Object.fromEntries(Object.entries(o.attributes).filter(([k]) => attrs.has(k.toLowerCase()))) } : o;
          write(JSON.stringify(rec, bigJson) + '\n');
        }
        for (const l of links) write(JSON.stringify(l) + '\n');
      }
      if (fd !== undefined) fsyncSync(fd);
      if (stateFile) {
        next.extra = { ...next.extra, outputBytes: fd !== undefined ? outPos : 0 };
        saveState(stateFile, next);
      }
      objects += page.objects.length;
      bytes += page.bytes;
      total = Math.max(total, page.ncSizeObjects);
      if (tty) {
        const rate = Math.round(objects / Math.max(0.001, (Date.now() - t0) / 1000));
        io.stderr.write(`\r${objects}${total ? `/${total}` : ''} objects, ${page.number} pages, ${(bytes / 1048576).toFixed(1)} MiB, ${rate}/s   `);
      }
    },
  });
  if (tty) io.stderr.write('\n');
  if (fd !== undefined) closeSync(fd);
  return 0;
}
