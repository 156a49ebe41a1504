// `hivewire pol …`: registry.pol files (MS-GPREG). Thin: every piece of logic is in formats/regpol.

import { promises as fs } from 'node:fs';
import { UsageError } from '../util/errors.js';
import { encodeRegFile } from '../formats/regtext/writer.js';
import {
  describeDirective,
  diffPol,
  parseDirective,
  parsePol,
  PolicyFile,
  polFromJson,
  polToJson,
  polToReg,
  serializePol,
  validatePol,
  type PolChange,
  type PolEntry,
  type PolInstruction,
} from '../formats/regpol/index.js';
import { parseArgs, flag, need, str } from './args.js';
import type { ApplyResult, PolicyChange } from '../policy/index.js';
import type { RegistryStore } from '../registry/index.js';
import { print, printJson, type CliIO, type CommandRun } from './io.js';
import { parseRegType, parseValueArgs, regTypeName, valueToJson, decodeValue } from '../formats/value.js';

const HELP = `usage: hivewire pol <subcommand>

  show FILE [--json]                  the settings: key, value, type, data (directives as what they do)
  from-json JSON -o FILE              build a file from 'show --json' output (uses "raw" when present)
  diff A B [--json] [--exit-code]     settings added, removed and changed (names case-insensitive)
  set FILE KEY VALUE TYPE DATA...     add or replace one setting (creates FILE when missing)
  delete FILE KEY [VALUE]             remove one setting, or a key and everything below it
  validate FILE [--json] [--strict]   exit 0 when valid; lists every problem (warnings fail with --strict)
  to-reg FILE --scope machine|user [-o OUT.reg] [--regedit4]
                                      the equivalent .reg text (HKLM or HKCU roots)
  apply FILE (--data DIR | --postgres URL) --scope machine|user:SID [--dry-run] [--json] [--record OUT.json]
                                      apply to a registry store (MS-GPREG §3.2.5.1.2); --record keeps what
                                      changed, for rollback
  rollback RECORD.json (--data DIR | --postgres URL)
                                      undo an applied file from its record

JSON and FILE may be '-' for stdin/stdout. --debug prints stacks on errors.`;

async function readInput(path: string, io: CliIO): Promise<Buffer> {
  if (path !== '-') return fs.readFile(path);
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

async function writeOutput(path: string, data: Buffer | string, io: CliIO): Promise<void> {
  if (path === '-') io.stdout.write(data);
  else await fs.writeFile(path, data);
}

async function load(path: string, io: CliIO): Promise<PolEntry[]> {
  return parsePol(await readInput(path, io)).entries;
}

// Registry paths are full of backslashes: quote without JSON's escaping, showing only control characters.
function quote(s: string): string {
  return '"' + s.replace(/[\x00-\x1f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) + '"';
}

// Data column of `show`: what the value is, or what the directive does.
function describeData(e: PolInstruction): string {
  const d = parseDirective(e.valueName, e.type, e.data);
  if (d && d.kind !== 'unknown' && d.kind !== 'soft') return `[${describeDirective(d)}]`;
  const v = decodeValue(e.type, e.data);
  let text: string;
  if (typeof v === 'string') text = quote(v);
  else if (Array.isArray(v)) text = '[' + v.map(quote).join(', ') + ']';
  else if (typeof v === 'number') text = `${v} (0x${v.toString(16)})`;
  else if (typeof v === 'bigint') text = `${v} (0x${v.toString(16)})`;
  else text = v.length === 0 ? '(empty)' : v.toString('hex');
  if (d?.kind === 'soft') text = `${text} [${describeDirective(d)}]`;
  return text;
}

function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.min(60, Math.max(...all.map((r) => r[i]!.length))));
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function show(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { flags: ['json'] });
  const entries = await load(need(p, 0, 'FILE'), io);
  if (flag(p, 'json')) {
    printJson(io, polToJson(entries));
    return 0;
  }
  if (entries.length === 0) {
    print(io, '(no settings)');
    return 0;
  }
  const rows = entries.map((e) => [e.key, e.valueName === '' ? '(default)' : e.valueName, e.typeName === 'REG_UNKNOWN' ? `0x${e.type.toString(16)}` : e.typeName, describeData(e)]);
  print(io, table(rows, ['KEY', 'VALUE', 'TYPE', 'DATA']));
  return 0;
}

async function fromJson(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { values: ['output'], short: { o: 'output' } });
  const input = need(p, 0, 'JSON file');
  const out = str(p, 'output');
  if (!out) throw new UsageError('from-json needs -o FILE');
  let json: unknown;
  try {
    json = JSON.parse((await readInput(input, io)).toString('utf8'));
  } catch (err) {
    throw new UsageError(`${input}: not valid JSON: ${(err as Error).message}`);
  }
  await writeOutput(out, serializePol(polFromJson(json)), io);
  return 0;
}

function changeJson(c: PolChange): object {
  const side = (e?: PolInstruction) => (e ? { type: regTypeName(e.type), typeCode: e.type, data: valueToJson(decodeValue(e.type, e.data)), raw: e.data.toString('hex') } : undefined);
  return { change: c.change, key: c.key, valueName: c.valueName, before: side(c.before), after: side(c.after) };
}

async function diff(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { flags: ['json', 'exit-code'] });
  const a = await load(need(p, 0, 'file A'), io);
  const b = await load(need(p, 1, 'file B'), io);
  const changes = diffPol(a, b);
  if (flag(p, 'json')) printJson(io, { changes: changes.map(changeJson) });
  else if (changes.length === 0) print(io, 'no differences');
  else {
    const mark = { added: '+', removed: '-', changed: '~' } as const;
    for (const c of changes) {
      const name = `${c.key} : ${c.valueName === '' ? '(default)' : c.valueName}`;
      if (c.change === 'changed') print(io, `${mark[c.change]} ${name}  ${regTypeName(c.before!.type)} ${describeData(c.before!)} -> ${regTypeName(c.after!.type)} ${describeData(c.after!)}`);
      else {
        const e = (c.after ?? c.before)!;
        print(io, `${mark[c.change]} ${name}  ${regTypeName(e.type)} ${describeData(e)}`);
      }
    }
  }
  return flag(p, 'exit-code') && changes.length > 0 ? 1 : 0;
}

async function set(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, {});
  const [file, key, valueName, type] = [need(p, 0, 'FILE'), need(p, 1, 'KEY'), need(p, 2, 'VALUE'), need(p, 3, 'TYPE')];
  const code = parseRegType(type);
  const data = parseValueArgs(code, p.positionals.slice(4));
  const pol = await PolicyFile.load(file, { createIfMissing: true });
  const what = pol.set(key, valueName, code, data);
  await pol.save(file);
  io.stderr.write(`${what} ${key} : ${valueName}\n`);
  return 0;
}

async function del(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, {});
  const file = need(p, 0, 'FILE');
  const key = need(p, 1, 'KEY');
  const valueName = p.positionals[2];
  const pol = await PolicyFile.load(file);
  const n = pol.delete(key, valueName);
  if (n > 0) await pol.save(file);
  io.stderr.write(`removed ${n} instruction${n === 1 ? '' : 's'}\n`);
  return 0;
}

async function validate(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { flags: ['json', 'strict'] });
  const file = need(p, 0, 'FILE');
  const result = validatePol(await readInput(file, io));
  const failed = !result.valid || (flag(p, 'strict') && result.problems.length > 0);
  if (flag(p, 'json')) printJson(io, { file, ...result, valid: !failed });
  else {
    for (const pr of result.problems) print(io, `${file}: offset ${pr.offset}: ${pr.severity}: ${pr.message}`);
    const errors = result.problems.filter((x) => x.severity === 'error').length;
    print(io, `${file}: ${result.entries} entries, ${errors} error${errors === 1 ? '' : 's'}, ${result.problems.length - errors} warning${result.problems.length - errors === 1 ? '' : 's'}: ${failed ? 'INVALID' : 'valid'}`);
  }
  return failed ? 1 : 0;
}

async function toReg(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { values: ['scope', 'output'], flags: ['regedit4'], short: { o: 'output' } });
  const scope = str(p, 'scope');
  if (scope !== 'machine' && scope !== 'user') throw new UsageError('to-reg needs --scope machine or --scope user');
  const version = flag(p, 'regedit4') ? 4 : 5;
  const text = polToReg(await load(need(p, 0, 'FILE'), io), scope, version);
  const out = str(p, 'output');
  // a file gets regedit's encoding (UTF-16LE with BOM for version 5); a terminal or pipe gets UTF-8
  if (out && out !== '-') await fs.writeFile(out, encodeRegFile(text, version));
  else io.stdout.write(text);
  return 0;
}

async function openStore(p: ReturnType<typeof parseArgs>): Promise<RegistryStore> {
  const data = str(p, 'data');
  const postgres = str(p, 'postgres');
  if (!data === !postgres) throw new UsageError('give the registry store as --data DIR or --postgres URL');
  // loaded here so that the file-only subcommands start without the store
  const { RegistryStore } = await import('../registry/index.js');
  return RegistryStore.open(data ? { data } : { postgres: postgres! });
}

function describeChange(c: PolicyChange): string {
  const val = (v: { type: number; data: string }) => `${regTypeName(v.type)} ${describeData({ key: '', valueName: '', type: v.type, data: Buffer.from(v.data, 'hex') })}`;
  switch (c.op) {
    case 'createKey':
      return `+ ${c.key}`;
    case 'setValue':
      return `~ ${c.key} : ${c.name || '(default)'} = ${val(c.after)}${c.before ? ` (was ${val(c.before)})` : ''}`;
    case 'deleteValue':
      return `- ${c.key} : ${c.name || '(default)'} (was ${val(c.before)})`;
    case 'deleteKey':
      return `- ${c.key} (key and subkeys)`;
    case 'setSecurity':
      return `~ ${c.key} security ${c.after} (was ${c.before})`;
  }
}

async function apply(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { values: ['data', 'postgres', 'scope', 'record'], flags: ['dry-run', 'json'] });
  const entries = await load(need(p, 0, 'FILE'), io);
  const { applyPolicy, parseScope } = await import('../policy/index.js');
  const scope = parseScope(str(p, 'scope') ?? '');
  const store = await openStore(p);
  try {
    const result = await applyPolicy(store, entries, { scope, dryRun: flag(p, 'dry-run') });
    const record = str(p, 'record');
    if (record && !result.dryRun) await fs.writeFile(record, JSON.stringify(result, null, 1) + '\n');
    if (flag(p, 'json')) printJson(io, result);
    else {
      for (const c of result.changes) print(io, describeChange(c));
      for (const n of result.notes) print(io, `! instruction ${n.index} (${n.key} : ${n.valueName}): ${n.kind}: ${n.message}`);
      print(io, `${result.dryRun ? 'would apply' : 'applied'} ${result.instructions} instructions to ${result.scope}: ${result.changes.length} changes, ${result.notes.filter((n) => n.kind !== 'note').length} not applied`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function rollback(args: string[], io: CliIO): Promise<number> {
  const p = parseArgs(args, { values: ['data', 'postgres'], flags: ['json'] });
  const recordPath = need(p, 0, 'RECORD.json');
  let record: ApplyResult;
  try {
    record = JSON.parse(await fs.readFile(recordPath, 'utf8'));
  } catch (err) {
    throw new UsageError(`${recordPath}: not a record written by 'pol apply --record': ${(err as Error).message}`);
  }
  if (!Array.isArray(record?.changes)) throw new UsageError(`${recordPath}: no "changes" list`);
  const { rollbackPolicy } = await import('../policy/index.js');
  const store = await openStore(p);
  try {
    const r = await rollbackPolicy(store, record);
    if (flag(p, 'json')) printJson(io, r);
    else print(io, `reverted ${r.reverted} changes`);
    return 0;
  } finally {
    await store.close();
  }
}

const SUB: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  show,
  'from-json': fromJson,
  diff,
  set,
  delete: del,
  validate,
  'to-reg': toReg,
  apply,
  rollback,
};

export const run: CommandRun = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    print(io, HELP);
    return sub ? 0 : 2;
  }
  const f = SUB[sub];
  if (!f) throw new UsageError(`unknown subcommand 'pol ${sub}' (try: ${Object.keys(SUB).join(', ')})`);
  return f(rest.filter((a) => a !== '--debug'), io);
};
