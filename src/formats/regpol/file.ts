// Authoring registry.pol files the way PolicyFileEditor (Set-/Remove-PolicyFileEntry) does on
// Windows: set replaces the setting in place (names compare case-insensitively) or appends it;
// the file is rewritten whole (MS-GPREG §3.1.5.4) through a temporary file and a rename.

import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UsageError } from '../../util/errors.js';
import { REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ, regTypeName } from '../value.js';
import { settingId } from './diff.js';
import type { PolInstruction } from './entry.js';
import { parsePol } from './parser.js';
import { serializePol } from './serializer.js';
import { normalizeKeyPath } from './toreg.js';

/** Types MS-GPREG §2.2.1 allows in an instruction (REG_NONE only for a key-only entry). */
export const POL_TYPES: ReadonlySet<number> = new Set([REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_MULTI_SZ, REG_QWORD]);
export const POL_MAX_DATA = 65535;
export const POL_MAX_VALUE_NAME = 259;

const ROOT_PREFIX = /^(HKLM|HKCU|HKU|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS)(\\|$)/i;

/** Checks one new instruction against the rules a writer must keep (ABNF of §2.2.1). */
export function checkNewInstruction(e: PolInstruction): void {
  if (ROOT_PREFIX.test(e.key)) throw new UsageError(`key '${e.key}' names a root: registry.pol keys are relative to HKLM or HKCU (drop the root)`);
  if (normalizeKeyPath(e.key) === '') throw new UsageError('the key must not be empty');
  if (e.valueName.length > POL_MAX_VALUE_NAME) throw new UsageError(`value name longer than ${POL_MAX_VALUE_NAME} characters`);
  const soft = e.valueName.toLowerCase().startsWith('**soft.');
  const keyOnly = e.valueName === '' && e.type === REG_NONE && e.data.length === 0;
  if (!soft && !keyOnly && !POL_TYPES.has(e.type)) {
    throw new UsageError(`type ${regTypeName(e.type)} (${e.type}) is not allowed in registry.pol (REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_MULTI_SZ, REG_QWORD)`);
  }
  if (e.data.length > POL_MAX_DATA) throw new UsageError(`data of ${e.data.length} bytes: registry.pol allows at most ${POL_MAX_DATA}`);
}

export class PolicyFile {
  constructor(public entries: PolInstruction[] = []) {}

  /** Reads a file; a missing file is an empty policy when `createIfMissing`. */
  static async load(path: string, options: { createIfMissing?: boolean } = {}): Promise<PolicyFile> {
    let buf: Buffer;
    try {
      buf = await fs.readFile(path);
    } catch (err) {
      if (options.createIfMissing && (err as NodeJS.ErrnoException).code === 'ENOENT') return new PolicyFile();
      throw err;
    }
    return new PolicyFile(parsePol(buf).entries);
  }

  /** Sets a value: replaces the first instruction for the same (key, value name) and drops later
   * duplicates, or appends. Keys are stored normalised (no leading/trailing/double backslashes). */
  set(key: string, valueName: string, type: number, data: Buffer): 'added' | 'replaced' {
    const entry = { key: normalizeKeyPath(key), valueName, type, data };
    checkNewInstruction({ ...entry, key });
    const id = settingId(entry.key, valueName);
    const at = this.entries.findIndex((e) => settingId(e.key, e.valueName) === id);
    if (at < 0) {
      this.entries.push(entry);
      return 'added';
    }
    this.entries[at] = entry;
    this.entries = this.entries.filter((e, i) => i <= at || settingId(e.key, e.valueName) !== id);
    return 'replaced';
  }

  /** Removes the instructions for one value, or without a value name for the key and every key below
   * it. Returns how many instructions were removed. */
  delete(key: string, valueName?: string): number {
    const k = normalizeKeyPath(key).toUpperCase();
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => {
      const ek = normalizeKeyPath(e.key).toUpperCase();
      if (valueName !== undefined) return !(ek === k && e.valueName.toUpperCase() === valueName.toUpperCase());
      return !(ek === k || ek.startsWith(k + '\\'));
    });
    return before - this.entries.length;
  }

  toBuffer(): Buffer {
    return serializePol(this.entries);
  }

  /** Writes the whole file atomically (temporary file in the same folder, fsync, rename). */
  async save(path: string): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(this.toBuffer());
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.rename(tmp, path);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }
}
