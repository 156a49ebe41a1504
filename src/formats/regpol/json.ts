// The JSON form of a registry.pol file (`hivewire pol show --json` / `pol from-json`):
// {"version":1,"entries":[{"key","valueName","type","typeCode","data","raw"}]}. `raw` is the exact
// data bytes, so show --json then from-json gives back the identical file.

import { UsageError } from '../../util/errors.js';
import { encodeValue, parseRegType, regTypeName, valueFromJson, valueToJson, hexToBytes } from '../value.js';
import { PolEntry, type PolInstruction } from './entry.js';
import { POL_VERSION } from './parser.js';

export interface PolJsonEntry {
  key: string;
  valueName: string;
  /** REG_* name ('REG_UNKNOWN' for codes outside the defined range). */
  type: string;
  typeCode: number;
  /** Decoded value: string, string[], number, QWORD as a decimal string, bytes as lowercase hex. */
  data: string | string[] | number;
  /** The exact data bytes, lowercase hex. */
  raw: string;
}

export interface PolJson {
  version: number;
  entries: PolJsonEntry[];
}

export function entryToJson(e: PolInstruction): PolJsonEntry {
  const entry = e instanceof PolEntry ? e : new PolEntry(e.key, e.valueName, e.type, e.data);
  return {
    key: entry.key,
    valueName: entry.valueName,
    type: regTypeName(entry.type),
    typeCode: entry.type,
    data: valueToJson(entry.value),
    raw: entry.data.toString('hex'),
  };
}

export function polToJson(entries: Iterable<PolInstruction>): PolJson {
  return { version: POL_VERSION, entries: Array.from(entries, entryToJson) };
}

/** Reads the JSON form back into instructions: `raw` when present, else `data` encoded by type. */
export function polFromJson(json: unknown): PolInstruction[] {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as PolJson).entries)) {
    throw new UsageError('registry.pol JSON must be an object with an "entries" array');
  }
  const { version } = json as PolJson;
  if (version !== undefined && version !== POL_VERSION) throw new UsageError(`registry.pol JSON: unsupported version ${String(version)}`);
  return (json as PolJson).entries.map((j, i) => {
    const where = `entries[${i}]`;
    if (typeof j !== 'object' || j === null) throw new UsageError(`${where}: not an object`);
    if (typeof j.key !== 'string' || j.key === '') throw new UsageError(`${where}: "key" must be a non-empty string`);
    const valueName = j.valueName ?? '';
    if (typeof valueName !== 'string') throw new UsageError(`${where}: "valueName" must be a string`);
    let type: number;
    if (j.typeCode !== undefined) type = parseRegType(j.typeCode);
    else if (j.type !== undefined) type = parseRegType(j.type);
    else throw new UsageError(`${where}: needs "type" or "typeCode"`);
    let data: Buffer;
    try {
      if (typeof j.raw === 'string') data = hexToBytes(j.raw);
      else if (j.data !== undefined) data = encodeValue(type, valueFromJson(type, j.data));
      else data = Buffer.alloc(0);
    } catch (err) {
      throw new UsageError(`${where}: ${(err as Error).message}`);
    }
    return { key: j.key, valueName, type, data };
  });
}
