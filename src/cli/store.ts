// `hivewire store …`: read and write a registry store directory (or a PostgreSQL registry) from the
// shell. Thin: every rule is in src/registry; this file parses arguments and prints.

import { promises as fs } from 'node:fs';
import { UsageError } from '../util/errors.js';
import { RegistryStore, parseToolPath, type ValueRecord } from '../registry/index.js';
import { decodeValue, parseRegType, parseValueArgs, regTypeName, valueToJson } from '../formats/value.js';
import { encodeRegText, regTextChunks } from '../formats/regtext/index.js';
import { flag, need, parseArgs, str, type ParsedArgs } from './args.js';
import { print, printJson, type CliIO, type CommandRun } from './io.js';

const HELP = `usage: hivewire store <subcommand> --data DIR (or --postgres URL) ...

  set KEYPATH NAME TYPE DATA...        set a value (creates the key); TYPE REG_SZ, REG_DWORD, ...;
                                       DATA as reg.exe takes it: decimal/0x for DWORD/QWORD,
                                       items separated by \\0 for REG_MULTI_SZ, hex for binary
  get KEYPATH [NAME] [--json]          one value, or all values of the key
  delete KEYPATH [NAME] [--recursive]  a value, or a key (with its subkeys only with --recursive)
  list KEYPATH [--recursive] [--json]  subkeys (the whole subtree with --recursive)
  export KEYPATH [-o FILE] [--json] [--regedit4]
                                       the key and its subtree as .reg text (or JSON)

KEYPATH: HKLM\\Software\\X, HKEY_USERS\\S-1-5-21-...\\..., HKCU\\... (the SYSTEM user's hive).
Use '' as NAME for the default value.`;

const FILETIME_EPOCH_MS = 11_644_473_600_000n;
function filetimeToIso(ft: bigint): string {
  return new Date(Number(ft / 10_000n - FILETIME_EPOCH_MS)).toISOString();
}

async function openStore(p: ParsedArgs, io: CliIO): Promise<RegistryStore> {
  const data = str(p, 'data');
  const postgres = str(p, 'postgres');
  if (!data && !postgres) throw new UsageError('--data DIR (or --postgres URL) is required');
  return RegistryStore.open({ ...(postgres ? { postgres } : { data: data! }), log: (m) => io.stderr.write(`hivewire store: ${m}\n`) });
}

function valueJson(v: ValueRecord) {
  return { name: v.name, type: regTypeName(v.type), typeCode: v.type, data: valueToJson(decodeValue(v.type, v.data)) };
}

function valueText(v: ValueRecord): string {
  const d = decodeValue(v.type, v.data);
  let text: string;
  if (typeof d === 'string') text = d;
  else if (Array.isArray(d)) text = d.join('\\0');
  else if (typeof d === 'number' || typeof d === 'bigint') text = `0x${d.toString(16)} (${d})`;
  else text = d.toString('hex');
  return `${v.name === '' ? '(Default)' : v.name}    ${regTypeName(v.type)}    ${text}`;
}

/** Keys of the subtree at `path`, parents first, with their values. */
async function* walk(store: RegistryStore, path: string): AsyncGenerator<{ path: string; values: ValueRecord[]; lastWrite: bigint; subKeys: number }> {
  const { root, subkey } = parseToolPath(path);
  const stack = [subkey ? `${root}\\${subkey}` : root];
  while (stack.length) {
    const p = stack.pop()!;
    const info = await store.openKey(p);
    const values = await store.listValues(p);
    const subs = await store.listSubkeys(p);
    yield { path: p, values, lastWrite: info.lastWrite, subKeys: subs.length };
    for (let i = subs.length - 1; i >= 0; i--) stack.push(`${p}\\${subs[i]}`);
  }
}

export const run: CommandRun = async (args, io) => {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    print(io, HELP);
    return sub ? 0 : 2;
  }
  const p = parseArgs(rest, { values: ['data', 'postgres', 'output'], flags: ['json', 'recursive', 'regedit4'], short: { o: 'output' } });
  switch (sub) {
    case 'set': {
      const key = need(p, 0, 'KEYPATH');
      const name = need(p, 1, 'NAME');
      const type = parseRegType(need(p, 2, 'TYPE'));
      const data = parseValueArgs(type, p.positionals.slice(3));
      const store = await openStore(p, io);
      try {
        await store.setValue(key, name, type, data);
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'get': {
      const key = need(p, 0, 'KEYPATH');
      const name = p.positionals[1];
      const store = await openStore(p, io);
      try {
        if (name !== undefined) {
          const v = await store.getValue(key, name);
          if (!v) {
            io.stderr.write(`hivewire store: no value '${name}' in ${key}\n`);
            return 1;
          }
          const rec = { name, ...v };
          if (flag(p, 'json')) printJson(io, valueJson(rec));
          else print(io, valueText(rec));
        } else {
          const vals = await store.listValues(key);
          if (flag(p, 'json')) printJson(io, vals.map(valueJson));
          else for (const v of vals) print(io, valueText(v));
        }
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'delete': {
      const key = need(p, 0, 'KEYPATH');
      const name = p.positionals[1];
      const store = await openStore(p, io);
      try {
        if (name !== undefined) {
          if (!(await store.deleteValue(key, name))) {
            io.stderr.write(`hivewire store: no value '${name}' in ${key}\n`);
            return 1;
          }
        } else {
          await store.deleteKey(key, { recursive: flag(p, 'recursive') });
        }
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'list': {
      const key = need(p, 0, 'KEYPATH');
      const store = await openStore(p, io);
      try {
        if (flag(p, 'recursive')) {
          const rows = [];
          for await (const k of walk(store, key)) {
            if (k.path.split('\\').length === key.replace(/\\+$/, '').split('\\').length) continue;
            rows.push({ path: k.path, subKeys: k.subKeys, values: k.values.length, lastWrite: filetimeToIso(k.lastWrite) });
          }
          if (flag(p, 'json')) printJson(io, rows);
          else for (const r of rows) print(io, r.path);
        } else {
          const subs = await store.listSubkeys(key);
          if (flag(p, 'json')) {
            const rows = [];
            for (const s of subs) {
              const info = await store.openKey(`${key}\\${s}`);
              rows.push({ name: s, subKeys: info.subKeys, values: info.values, lastWrite: filetimeToIso(info.lastWrite) });
            }
            printJson(io, rows);
          } else for (const s of subs) print(io, s);
        }
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'export': {
      const key = need(p, 0, 'KEYPATH');
      const store = await openStore(p, io);
      try {
        const keys = [];
        for await (const k of walk(store, key)) keys.push(k);
        const out = str(p, 'output');
        if (flag(p, 'json')) {
          const json = keys.map((k) => ({ path: k.path, lastWrite: filetimeToIso(k.lastWrite), values: k.values.map(valueJson) }));
          const text = JSON.stringify(json, null, 2) + '\n';
          if (out && out !== '-') await fs.writeFile(out, text);
          else io.stdout.write(text);
        } else {
          const opts = { version: flag(p, 'regedit4') ? (4 as const) : (5 as const) };
          let text = '';
          for (const chunk of regTextChunks(keys, opts)) text += chunk;
          if (out && out !== '-') await fs.writeFile(out, encodeRegText(text, opts));
          else io.stdout.write(text);
        }
      } finally {
        await store.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}' (set, get, delete, list, export)`);
  }
};
