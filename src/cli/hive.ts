// `hivewire hive …`: regf hive files. Thin: the work is in formats/regf and formats/regtext.

import { promises as fs } from 'node:fs';
import { UsageError } from '../util/errors.js';
import { checkHive, Hive, hiveToRegChunks, recoverHive, writeHive } from '../formats/regf/index.js';
import { encodeAnsi, parseReg, regToTree, type RegExportOptions } from '../formats/regtext/index.js';
import { decodeValue, regTypeName, valueToJson } from '../formats/value.js';
import { flag, need, parseArgs, str } from './args.js';
import { print, printJson, type CliIO, type CommandRun } from './io.js';

const HELP = `usage: hivewire hive <subcommand>

  dump FILE [--json] [--logs]        every key (path, class, last write) and value (name, type, data)
  to-reg FILE [--root KEYPATH] [--prefix PATH] [-o OUT.reg] [--regedit4] [--samba] [--logs]
                                     .reg text of the hive, or of the subtree at KEYPATH; keys are
                                     written under PATH (default: the hive root key's name)
  from-reg FILE.reg -o OUT.hiv [--root KEYPATH]
                                     a hive from .reg text; KEYPATH (default: the file's first key)
                                     becomes the hive's root
  check FILE [--json] [--logs]       reads every cell, key, value and security cell; exit 1 on problems

dump, to-reg and check take --logs: apply FILE.LOG1 and FILE.LOG2 (transaction logs) to a dirty
hive first, in memory (the file is not changed).

FILE may be '-' for stdin (from-reg) or stdout (-o). --debug prints stacks on errors.`;

async function readInput(path: string, io: CliIO): Promise<Buffer> {
  if (path !== '-') return fs.readFile(path);
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

function filetimeToIso(ft: bigint): string {
  const ms = Number(ft / 10000n) - 11644473600000;
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : ft.toString();
}

function describe(type: number, data: Buffer): string {
  const v = decodeValue(type, data);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((s) => JSON.stringify(s)).join(', ') + ']';
  if (typeof v === 'number' || typeof v === 'bigint') return `${v} (0x${v.toString(16)})`;
  return v.length === 0 ? '(empty)' : v.length > 64 ? v.subarray(0, 64).toString('hex') + `… (${v.length} bytes)` : v.toString('hex');
}

/** The hive at `file`, read through the page cache; with `logs`, read whole and brought up to date
 * from FILE.LOG1/FILE.LOG2. */
async function openHive(file: string, logs: boolean, io: CliIO): Promise<Hive> {
  if (!logs) return Hive.open(file);
  const primary = await fs.readFile(file);
  const found: Buffer[] = [];
  for (const ext of ['.LOG1', '.LOG2', '.log1', '.log2']) {
    const data = await fs.readFile(file + ext).catch(() => undefined);
    if (data) found.push(data);
  }
  const r = recoverHive(primary, found);
  if (r.dirty) io.stderr.write(`${file}: dirty; applied ${r.applied} transaction log entr${r.applied === 1 ? 'y' : 'ies'} from ${found.length} log file(s)\n`);
  return Hive.fromBuffer(r.hive);
}

function startKey(hive: Hive, root: string | undefined) {
  if (root === undefined) return hive.root();
  const k = hive.lookup(root);
  if (!k) throw new UsageError(`no key '${root}' in the hive`);
  return k;
}

async function dump(file: string, json: boolean, logs: boolean, io: CliIO): Promise<number> {
  const hive = await openHive(file, logs, io);
  try {
    if (json) io.stdout.write('[\n');
    let first = true;
    for (const { key, path } of hive.walk()) {
      const values = hive.values(key);
      const cls = hive.className(key);
      const p = '\\' + path.join('\\');
      if (json) {
        const obj = {
          path: p,
          lastWrite: filetimeToIso(key.lastWrite),
          ...(cls !== undefined ? { className: cls } : {}),
          values: values.map((v) => ({ name: v.name, type: regTypeName(v.type), typeCode: v.type, data: valueToJson(decodeValue(v.type, v.data)) })),
        };
        io.stdout.write((first ? '' : ',\n') + JSON.stringify(obj));
        first = false;
      } else {
        io.stdout.write(`${p}${cls !== undefined ? `  class=${JSON.stringify(cls)}` : ''}  ${filetimeToIso(key.lastWrite)}\n`);
        for (const v of values) {
          const type = regTypeName(v.type) === 'REG_UNKNOWN' ? `0x${v.type.toString(16)}` : regTypeName(v.type);
          io.stdout.write(`  ${v.name === '' ? '(default)' : JSON.stringify(v.name)}  ${type}  ${describe(v.type, v.data)}\n`);
        }
      }
    }
    if (json) io.stdout.write('\n]\n');
    if (hive.dirty) io.stderr.write('warning: the hive was not closed cleanly (sequence numbers differ); --logs applies its transaction logs\n');
  } finally {
    hive.close();
  }
  return 0;
}

async function toReg(file: string, root: string | undefined, prefix: string | undefined, out: string | undefined, opts: RegExportOptions, logs: boolean, io: CliIO): Promise<number> {
  const hive = await openHive(file, logs, io);
  try {
    const from = startKey(hive, root);
    const base = (prefix ?? hive.root().name) + (root ? '\\' + root.split('\\').filter((p) => p !== '').join('\\') : '');
    const utf16 = opts.flavor !== 'samba' && (opts.version ?? 5) === 5;
    const fh = out && out !== '-' ? await fs.open(out, 'w') : undefined;
    const write = async (b: Buffer): Promise<void> => {
      if (fh) await fh.write(b);
      else io.stdout.write(b);
    };
    try {
      if (utf16) await write(Buffer.from([0xff, 0xfe]));
      let pending = '';
      for (const chunk of hiveToRegChunks(hive, base, from, opts)) {
        pending += chunk;
        if (pending.length > 1 << 16) {
          await write(encodeChunk(pending, opts));
          pending = '';
        }
      }
      await write(encodeChunk(pending, opts));
    } finally {
      await fh?.close();
    }
  } finally {
    hive.close();
  }
  return 0;
}

function encodeChunk(text: string, opts: RegExportOptions): Buffer {
  if (opts.flavor === 'samba') return Buffer.from(text, 'utf8');
  if ((opts.version ?? 5) === 4) return encodeAnsi(text);
  return Buffer.from(text, 'utf16le');
}

export const run: CommandRun = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    print(io, HELP);
    return sub ? 0 : 2;
  }
  switch (sub) {
    case 'dump': {
      const p = parseArgs(rest, { flags: ['json', 'logs'] });
      return dump(need(p, 0, 'FILE'), flag(p, 'json'), flag(p, 'logs'), io);
    }
    case 'to-reg': {
      const p = parseArgs(rest, { values: ['root', 'prefix', 'output'], flags: ['regedit4', 'samba', 'logs'], short: { o: 'output' } });
      const opts: RegExportOptions = { version: flag(p, 'regedit4') ? 4 : 5, flavor: flag(p, 'samba') ? 'samba' : 'regedit' };
      return toReg(need(p, 0, 'FILE'), str(p, 'root'), str(p, 'prefix'), str(p, 'output'), opts, flag(p, 'logs'), io);
    }
    case 'from-reg': {
      const p = parseArgs(rest, { values: ['root', 'output'], short: { o: 'output' } });
      const input = need(p, 0, 'FILE.reg');
      const out = str(p, 'output');
      if (!out) throw new UsageError('from-reg needs -o OUT.hiv');
      const root = str(p, 'root');
      const tree = regToTree(parseReg(await readInput(input, io)), root === undefined ? {} : { root });
      const hive = writeHive(tree);
      if (out === '-') io.stdout.write(hive);
      else await fs.writeFile(out, hive);
      return 0;
    }
    case 'check': {
      const p = parseArgs(rest, { flags: ['json', 'logs'] });
      const hive = await openHive(need(p, 0, 'FILE'), flag(p, 'logs'), io);
      let r;
      try {
        r = checkHive(hive);
      } finally {
        hive.close();
      }
      if (flag(p, 'json')) printJson(io, r);
      else {
        print(io, `${r.ok ? 'ok' : 'PROBLEMS'}: regf ${r.version}${r.dirty ? ' (dirty)' : ''}, ${r.hbins} hbins, ${r.keys} keys, ${r.values} values (${r.bigDataValues} big), ${r.securityCells} security cells, ${r.allocatedBytes} bytes in use, ${r.freeBytes} free`);
        for (const m of r.problems) print(io, `  ${m}`);
      }
      return r.ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}' (try hivewire hive --help)`);
  }
};
