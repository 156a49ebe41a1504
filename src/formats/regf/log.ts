// Transaction logs (.LOG1/.LOG2): bring a dirty hive up to date. New format (Windows 8.1 and later,
// file type 6): "HvLE" log entries of dirty pages, each guarded by two Marvin32 hashes, applied in
// sequence order from the primary's sequence number on. Old format (file type 1): a "DIRT" bitmap of
// dirty 512-byte pages followed by those pages. Layouts as described in the community regf
// specification (Maxim Suhanov, "Windows registry file format specification").

import { FormatError } from '../../util/errors.js';
import { baseBlockChecksum } from './baseblock.js';
import { BASE_BLOCK_SIZE, FORMAT } from './constants.js';
import { marvin32 } from './marvin32.js';

const LOG_SEED = 0x82ef4d887a4e55c5n;
const SECTOR = 512;

export interface LogEntry {
  sequence: number;
  hiveBinsDataSize: number;
  pages: { offset: number; data: Buffer }[];
}

export interface RecoveredHive {
  /** The hive with the logs applied (the input itself when nothing applied). */
  hive: Buffer;
  /** Log entries (new format) or logs (old format) applied. */
  applied: number;
  dirty: boolean;
}

/** Valid log entries of a new-format log, in file order; reading stops at the first bad one. */
export function readLogEntries(log: Buffer): LogEntry[] {
  const out: LogEntry[] = [];
  for (let pos = SECTOR; pos + 40 <= log.length; ) {
    if (log.toString('latin1', pos, pos + 4) !== 'HvLE') break;
    const size = log.readUInt32LE(pos + 4);
    if (size < 40 || size % SECTOR !== 0 || pos + size > log.length) break;
    const count = log.readUInt32LE(pos + 20);
    const hiveBinsDataSize = log.readUInt32LE(pos + 16);
    if (hiveBinsDataSize % 4096 !== 0 || count * 8 > size - 40) break;
    if (marvin32(log.subarray(pos, pos + 32), LOG_SEED) !== log.readBigUInt64LE(pos + 32)) break;
    if (marvin32(log.subarray(pos + 40, pos + size), LOG_SEED) !== log.readBigUInt64LE(pos + 24)) break;
    const pages: LogEntry['pages'] = [];
    let data = pos + 40 + count * 8;
    let ok = true;
    for (let i = 0; i < count; i++) {
      const offset = log.readUInt32LE(pos + 40 + i * 8);
      const len = log.readUInt32LE(pos + 44 + i * 8);
      if (data + len > pos + size || offset + len > hiveBinsDataSize) {
        ok = false;
        break;
      }
      pages.push({ offset, data: log.subarray(data, data + len) });
      data += len;
    }
    if (!ok) break;
    out.push({ sequence: log.readUInt32LE(pos + 12), hiveBinsDataSize, pages });
    pos += size;
  }
  return out;
}

function logBase(log: Buffer): { fileType: number; seq1: number; seq2: number; lastWritten: bigint } | undefined {
  if (log.length < SECTOR || log.toString('latin1', 0, 4) !== 'regf') return undefined;
  return { fileType: log.readUInt32LE(28), seq1: log.readUInt32LE(4), seq2: log.readUInt32LE(8), lastWritten: log.readBigUInt64LE(12) };
}

/**
 * Applies the transaction logs (LOG1 first, then LOG2) to a dirty primary hive. A clean hive comes
 * back as it is. Bad log data stops the recovery at the last good entry; it is not an error.
 */
export function recoverHive(primary: Buffer, logs: Buffer[]): RecoveredHive {
  if (primary.length < BASE_BLOCK_SIZE || primary.toString('latin1', 0, 4) !== 'regf') {
    throw new FormatError(FORMAT, 0, "a primary hive (signature 'regf', 4096-byte base block)");
  }
  const base = Buffer.from(primary.subarray(0, BASE_BLOCK_SIZE));
  const checksumOk = baseBlockChecksum(base) === base.readUInt32LE(508);
  const dirty = !checksumOk || base.readUInt32LE(4) !== base.readUInt32LE(8);
  if (!dirty) return { hive: primary, applied: 0, dirty };

  const valid = logs.map((l) => ({ log: l, head: logBase(l) })).filter((x) => x.head && baseBlockChecksum(x.log) === x.log.readUInt32LE(508));
  if (!checksumOk) {
    // the primary's base block is lost: its first sector comes back from a log
    const donor = valid[0];
    if (!donor) return { hive: primary, applied: 0, dirty };
    donor.log.copy(base, 0, 0, SECTOR);
    base.writeUInt32LE(0, 28);
  }
  let size = base.readUInt32LE(40);
  let data = Buffer.from(primary.subarray(BASE_BLOCK_SIZE, BASE_BLOCK_SIZE + size));
  // a hive only grows by hbins the logs carry: a larger declared size is bogus, not an allocation
  const limit = primary.length + logs.reduce((n, l) => n + l.length, 0);
  const grow = (n: number): void => {
    if (data.length >= n) return;
    const next = Buffer.alloc(n);
    data.copy(next);
    data = next;
  };
  let applied = 0;

  // new format: every entry from the primary sequence number on, in order, LOG1's then LOG2's
  const entries = valid.filter((x) => x.head!.fileType === 6).flatMap((x) => readLogEntries(x.log));
  let expected = base.readUInt32LE(4);
  for (const e of entries.filter((x) => x.sequence >= expected).sort((a, b) => a.sequence - b.sequence)) {
    if (e.sequence < expected) continue;
    if (e.hiveBinsDataSize > limit) break;
    grow(e.hiveBinsDataSize);
    for (const p of e.pages) p.data.copy(data, p.offset);
    size = e.hiveBinsDataSize;
    base.writeUInt32LE(e.sequence, 4);
    base.writeUInt32LE(e.sequence, 8);
    base.writeUInt32LE(size, 40);
    expected = e.sequence + 1;
    applied++;
  }

  // old format: a log written for this very state of the primary (same last-written time)
  if (applied === 0) {
    const old = valid.find((x) => (x.head!.fileType === 1 || x.head!.fileType === 2) && x.head!.seq1 === x.head!.seq2 && x.head!.lastWritten === base.readBigUInt64LE(12));
    if (old && old.log.toString('latin1', SECTOR, SECTOR + 4) === 'DIRT') {
      const logSize = old.log.readUInt32LE(40);
      const bits = logSize / SECTOR;
      const vectorEnd = SECTOR + 4 + Math.ceil(bits / 8);
      if (logSize % 4096 === 0 && logSize <= limit && vectorEnd <= old.log.length) {
        grow(logSize);
        let page = Math.ceil(vectorEnd / SECTOR) * SECTOR;
        for (let bit = 0; bit < bits && page + SECTOR <= old.log.length; bit++) {
          if (((old.log[SECTOR + 4 + (bit >> 3)]! >> (bit & 7)) & 1) === 0) continue;
          old.log.copy(data, bit * SECTOR, page, page + SECTOR);
          page += SECTOR;
        }
        old.log.copy(base, 0, 0, SECTOR);
        base.writeUInt32LE(0, 28);
        size = logSize;
        applied = 1;
      }
    }
  }
  if (applied === 0) return { hive: primary, applied, dirty };
  base.writeUInt32LE(base.readUInt32LE(4), 8);
  base.writeUInt32LE(size, 40);
  base.writeUInt32LE(baseBlockChecksum(base), 508);
  return { hive: Buffer.concat([base, data.subarray(0, size)]), applied, dirty };
}
