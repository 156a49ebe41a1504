// Replication state of one NC (checklist part 4.5), persisted atomically (write, fsync, rename) after
// every page: the cookie (invocation id + USN vector), the up-to-dateness vector of the last finished
// cycle, the UTD sent during the running cycle (it must not change within a cycle, §4.1.10.4.1), and the
// parent-GUID tree from which DNs are recomputed after renames (descendants are not re-sent, §4.1.10.6.8).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { NULL_GUID } from '../../ndr/index.js';
import { DrsError } from './errors.js';

export interface Cursor {
  uuidDsa: string;
  usn: string;
}

export interface ReplicationState {
  version: 1;
  nc: string;
  invocationId: string;
  /** USN_VECTOR as decimal strings: an opaque cookie kept as sent (§5.210). */
  usnvec: [string, string, string];
  utd: Cursor[];
  /** Set while a cycle is under way: the UTD it started with, and whether it switched to DRS_GET_ANC or DRS_GET_TGT
   * (kept so that a resumed cycle asks exactly as the interrupted one did). */
  cycle: { utd: Cursor[]; getAncestors?: boolean; getTargets?: boolean } | null;
  /** objectGUID -> [parent objectGUID or '' for the NC root, RDN ('CN=x'), deleted, fingerprint of the
   * attribute stamps last delivered (a DC may send an object again, §4.1.10.5.7: we deliver it once)]. */
  tree: Record<string, [string, string, boolean?, string?]>;
  /** Free room for callers (e.g. the CLI's output-file length). */
  extra: Record<string, unknown>;
}

export function emptyState(nc: string): ReplicationState {
  return { version: 1, nc, invocationId: NULL_GUID, usnvec: ['0', '0', '0'], utd: [], cycle: null, tree: {}, extra: {} };
}

export function loadState(file: string, nc: string): ReplicationState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(nc);
    throw err;
  }
  let s: ReplicationState;
  try {
    s = JSON.parse(text) as ReplicationState;
  } catch (err) {
    throw new DrsError('client', 0x57, `state file ${file} is not JSON`, { cause: err });
  }
  if (s?.version !== 1 || !Array.isArray(s.usnvec) || !Array.isArray(s.utd) || typeof s.tree !== 'object') {
    throw new DrsError('client', 0x57, `state file ${file} is not a hivewire DRSR state`);
  }
  if (s.nc.toLowerCase() !== nc.toLowerCase()) throw new DrsError('client', 0x57, `state file ${file} is for ${s.nc}, not ${nc}`);
  return s;
}

/** Writes `s` so that a crash leaves either the old or the new file, never a torn one. */
export function saveState(file: string, s: ReplicationState): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(s));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
