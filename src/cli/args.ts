// A small argv parser: positionals, --flag, --opt value / --opt=value, -o value. Unknown options are
// an error, so that a typo never silently changes what a command does.

import { UsageError } from '../util/errors.js';

export interface OptionSpec {
  /** Options that take a value, long names without dashes, e.g. ['output', 'scope']. */
  values?: string[];
  /** Boolean options, e.g. ['json', 'force']. */
  flags?: string[];
  /** Short aliases, e.g. { o: 'output' }. */
  short?: Record<string, string>;
  /** Options that may be given more than once (collected into an array). */
  repeat?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | string[] | boolean | undefined>;
}

export function parseArgs(argv: string[], spec: OptionSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const flags = new Set([...(spec.flags ?? []), 'debug']);
  const repeat = new Set(spec.repeat ?? []);
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(a)) {
      name = spec.short?.[a.slice(1)];
      if (!name) throw new UsageError(`unknown option ${a}`);
    } else {
      positionals.push(a);
      continue;
    }
    if (flags.has(name)) {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      options[name] = true;
    } else if (values.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`option --${name} needs a value`);
      if (repeat.has(name)) options[name] = [...((options[name] as string[] | undefined) ?? []), v];
      else options[name] = v;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, options };
}

export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: ParsedArgs, name: string): boolean {
  return p.options[name] === true;
}

export function need(p: ParsedArgs, index: number, what: string): string {
  const v = p.positionals[index];
  if (v === undefined) throw new UsageError(`missing ${what}`);
  return v;
}
