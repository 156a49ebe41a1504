// The Group Policy registry extension's apply step (MS-GPREG §3.2.5.1.2) on a registry store:
// instructions in file order, special value names, errors on one instruction ignored (<10>) but
// reported. The whole file is applied in one store transaction; a dry run is the same walk inside a
// transaction that is then abandoned, so the plan shows exactly what applying would do.
//
// Choices where the spec leaves room (gpreg-checklist.md §3, §5), kept here in one place:
// - An empty value name with no data only makes sure the key exists; with data it sets the default value.
// - Deleting directives never create the key they name; a missing key or value is not an error.
// - Special names need the type the spec gives them (REG_SZ; REG_DWORD for **SecureKey); with another
//   type the instruction is skipped and reported. **soft. takes any type.
// - **DeleteKeys deletes each listed subkey with everything below it.
// - **SecureKey 1 sets SECURE_KEY_SDDL (protected); any other number resets the key to what it inherits
//   from its parent.
// - Unknown **names are skipped and reported.
// - A key path naming a root (HKLM\…) has the root removed, with a note.

import { REG_DWORD, REG_SZ } from '../formats/value.js';
import { parseDirective, type PolInstruction } from '../formats/regpol/index.js';
import { normalizeKeyPath } from '../formats/regpol/toreg.js';
import type { PathApi, RegistryStore } from '../registry/index.js';
import { createChildDescriptor, makeToken, SecurityDescriptor, Sid } from '../security/index.js';
import { HivewireError, UsageError } from '../util/errors.js';
import { snapshotKey, type KeySnapshot, type ValueJson, valueJson } from './snapshot.js';

/** Administrators and SYSTEM full control, users read, for the key and its subkeys; not inherited. */
export const SECURE_KEY_SDDL = 'O:BAG:SYD:P(A;CI;KA;;;BA)(A;CI;KA;;;SY)(A;CI;KR;;;BU)';
const DACL_ONLY = 0x4;
const SYSTEM = makeToken('S-1-5-18', ['S-1-5-32-544']);

export type PolicyScope = { kind: 'machine' } | { kind: 'user'; sid: string };

/** 'machine' → HKLM; 'user:S-1-5-21-…' → HKU\<SID> (the user's HKCU, §3.2.1.1 "Database Scope"). */
export function parseScope(text: string): PolicyScope {
  if (text === 'machine') return { kind: 'machine' };
  const m = /^user:(S-1-[0-9-]+)$/i.exec(text);
  if (m) {
    Sid.parse(m[1]!); // throws on a malformed SID
    return { kind: 'user', sid: m[1]!.toUpperCase() };
  }
  throw new UsageError(`scope must be 'machine' or 'user:<SID>', got '${text}'`);
}

export function scopeRootPath(scope: PolicyScope): string {
  return scope.kind === 'machine' ? 'HKLM' : `HKU\\${scope.sid}`;
}

/** One change made (or, in a dry run, that would be made), in order, with what it replaced. */
export type PolicyChange =
  | { op: 'createKey'; index: number; key: string }
  | { op: 'setValue'; index: number; key: string; name: string; before?: ValueJson; after: ValueJson }
  | { op: 'deleteValue'; index: number; key: string; name: string; before: ValueJson }
  | { op: 'deleteKey'; index: number; key: string; before: KeySnapshot }
  | { op: 'setSecurity'; index: number; key: string; before: string; after: string };

export interface PolicyNote {
  index: number;
  key: string;
  valueName: string;
  /** 'skipped': not applied on purpose; 'error': the store refused it (ignored, as <10> says); 'note': applied, with a remark. */
  kind: 'skipped' | 'error' | 'note';
  message: string;
  code?: string;
}

export interface ApplyResult {
  scope: string;
  dryRun: boolean;
  instructions: number;
  changes: PolicyChange[];
  notes: PolicyNote[];
}

const ROOT_PREFIX = /^(HKLM|HKCU|HKU|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS)(\\|$)/i;

class DryRunDone extends Error {}

export async function applyPolicy(store: RegistryStore, entries: readonly PolInstruction[], options: { scope: PolicyScope; dryRun?: boolean }): Promise<ApplyResult> {
  const root = scopeRootPath(options.scope);
  const result: ApplyResult = { scope: root, dryRun: options.dryRun === true, instructions: entries.length, changes: [], notes: [] };
  const run = async (tx: PathApi) => {
    // A shared store may run the transaction again after a conflict: each run starts clean.
    result.changes.length = 0;
    result.notes.length = 0;
    for (let index = 0; index < entries.length; index++) {
      const e = entries[index]!;
      const note = (kind: PolicyNote['kind'], message: string, code?: string) =>
        result.notes.push({ index, key: e.key, valueName: e.valueName, kind, message, ...(code ? { code } : {}) });
      let rel = normalizeKeyPath(e.key);
      if (ROOT_PREFIX.test(rel)) {
        rel = rel.replace(ROOT_PREFIX, '');
        note('note', 'the key names a registry root; applied relative to the scope root');
      }
      if (rel === '') {
        note('skipped', 'empty key path');
        continue;
      }
      try {
        await applyOne(tx, `${root}\\${rel}`, e, index, result.changes, note);
      } catch (err) {
        note('error', err instanceof Error ? err.message : String(err), err instanceof HivewireError ? err.code : undefined);
      }
    }
  };
  if (options.dryRun) {
    try {
      await store.transaction(async (tx) => {
        await run(tx);
        throw new DryRunDone();
      });
    } catch (err) {
      if (!(err instanceof DryRunDone)) throw err;
    }
  } else {
    await store.transaction(run);
  }
  return result;
}

// Creates the key and missing parents; records the topmost key it made, so rollback removes them all.
async function ensureKey(tx: PathApi, key: string, index: number, changes: PolicyChange[]): Promise<void> {
  if (await tx.keyExists(key)) return;
  const parts = key.split('\\');
  let top = parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    top += '\\' + parts[i];
    if (!(await tx.keyExists(top))) break;
  }
  await tx.createKey(key);
  changes.push({ op: 'createKey', index, key: top });
}

async function setValue(tx: PathApi, key: string, name: string, type: number, data: Buffer, index: number, changes: PolicyChange[]): Promise<void> {
  await ensureKey(tx, key, index, changes);
  const before = await tx.getValue(key, name);
  await tx.setValue(key, name, type, data);
  changes.push({ op: 'setValue', index, key, name, ...(before ? { before: valueJson(before) } : {}), after: valueJson({ type, data }) });
}

async function deleteValue(tx: PathApi, key: string, name: string, index: number, changes: PolicyChange[]): Promise<void> {
  const before = await tx.getValue(key, name);
  if (!before) return;
  await tx.deleteValue(key, name);
  changes.push({ op: 'deleteValue', index, key, name, before: valueJson(before) });
}

async function applyOne(
  tx: PathApi,
  key: string,
  e: PolInstruction,
  index: number,
  changes: PolicyChange[],
  note: (kind: PolicyNote['kind'], message: string) => void,
): Promise<void> {
  const d = parseDirective(e.valueName, e.type, e.data);
  if (!d) {
    if (e.valueName === '' && e.data.length === 0) await ensureKey(tx, key, index, changes);
    else await setValue(tx, key, e.valueName, e.type, e.data, index, changes);
    return;
  }
  if (d.kind === 'unknown') {
    note('skipped', `unknown special value name ${e.valueName}`);
    return;
  }
  if (d.kind === 'soft') {
    await ensureKey(tx, key, index, changes);
    if (await tx.getValue(key, d.name)) return; // never overwrites (§3.2.5.1.2)
    await setValue(tx, key, d.name, e.type, e.data, index, changes);
    return;
  }
  const wantType = d.kind === 'secureKey' ? REG_DWORD : REG_SZ;
  if (e.type !== wantType) {
    note('skipped', `${e.valueName} needs type ${wantType === REG_SZ ? 'REG_SZ' : 'REG_DWORD'}`);
    return;
  }
  const exists = await tx.keyExists(key);
  switch (d.kind) {
    case 'deleteValue':
      if (exists) await deleteValue(tx, key, d.name, index, changes);
      return;
    case 'deleteValues':
      if (exists) for (const n of d.names) await deleteValue(tx, key, n, index, changes);
      return;
    case 'deleteAllValues':
      if (exists) for (const v of await tx.listValues(key)) await deleteValue(tx, key, v.name, index, changes);
      return;
    case 'deleteKeys':
      if (!exists) return;
      for (const n of d.names) {
        const sub = `${key}\\${normalizeKeyPath(n)}`;
        if (normalizeKeyPath(n) === '' || !(await tx.keyExists(sub))) continue;
        const before = await snapshotKey(tx, sub);
        await tx.deleteKey(sub, { recursive: true });
        changes.push({ op: 'deleteKey', index, key: sub, before });
      }
      return;
    case 'secureKey': {
      await ensureKey(tx, key, index, changes);
      const current = SecurityDescriptor.fromBinary(await tx.getSecurity(key));
      let next: SecurityDescriptor;
      if (d.secure) next = SecurityDescriptor.fromSddl(SECURE_KEY_SDDL);
      else {
        const parent = key.slice(0, key.lastIndexOf('\\'));
        const parentSd = SecurityDescriptor.fromBinary(await tx.getSecurity(parent));
        next = createChildDescriptor(parentSd, undefined, SYSTEM, true);
      }
      const merged = current.merge(next, DACL_ONLY); // the DACL and its protected bit; owner kept
      await tx.setSecurity(key, merged.toBinary(), DACL_ONLY);
      changes.push({ op: 'setSecurity', index, key, before: current.toSddl(), after: merged.toSddl() });
      return;
    }
  }
}
