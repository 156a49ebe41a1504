// `check`: reads every hbin, cell, key, value and security cell of a hive and reports what is wrong,
// instead of stopping at the first problem a plain read would throw.

import { FormatError } from '../../util/errors.js';
import { DATA_START, HBIN_HEADER_SIZE, NO_CELL } from './constants.js';
import type { Hive } from './reader.js';

export interface HiveCheck {
  ok: boolean;
  /** Sequence numbers differ: not cleanly closed; its .LOG1/.LOG2 may hold newer data. */
  dirty: boolean;
  version: string;
  hbins: number;
  allocatedBytes: number;
  freeBytes: number;
  keys: number;
  values: number;
  bigDataValues: number;
  securityCells: number;
  problems: string[];
}

export function checkHive(hive: Hive): HiveCheck {
  const read = (pos: number, len: number): Buffer => hive.raw(pos, len);
  const h = hive.header;
  const r: HiveCheck = {
    ok: true,
    dirty: hive.dirty,
    version: `${h.major}.${h.minor}`,
    hbins: 0,
    allocatedBytes: 0,
    freeBytes: 0,
    keys: 0,
    values: 0,
    bigDataValues: 0,
    securityCells: 0,
    problems: [],
  };
  const problem = (msg: string): void => {
    r.ok = false;
    if (r.problems.length < 100) r.problems.push(msg);
  };
  if (hive.dirty) problem(`sequence numbers differ (${h.primarySequence} != ${h.secondarySequence}): the hive was not closed cleanly`);

  // hbins and the cells that tile them
  for (let pos = 0; pos < h.hiveBinsDataSize; ) {
    const head = read(DATA_START + pos, HBIN_HEADER_SIZE);
    const size = head.readUInt32LE(8);
    if (head.toString('latin1', 0, 4) !== 'hbin') {
      problem(new FormatError('regf', DATA_START + pos, "an hbin (signature 'hbin')", JSON.stringify(head.toString('latin1', 0, 4))).message);
      break;
    }
    if (head.readUInt32LE(4) !== pos) problem(new FormatError('regf', DATA_START + pos + 4, `hbin offset ${pos}`, String(head.readUInt32LE(4))).message);
    if (size === 0 || size % 4096 !== 0 || pos + size > h.hiveBinsDataSize) {
      problem(new FormatError('regf', DATA_START + pos + 8, 'an hbin size, a multiple of 4096 within the hive', String(size)).message);
      break;
    }
    r.hbins++;
    for (let c = pos + HBIN_HEADER_SIZE; c < pos + size; ) {
      const cs = read(DATA_START + c, 4).readInt32LE(0);
      const len = Math.abs(cs);
      if (len < 8 || len % 8 !== 0 || c + len > pos + size) {
        problem(new FormatError('regf', DATA_START + c, 'a cell size, a multiple of 8 within its hbin', String(cs)).message);
        break;
      }
      if (cs < 0) r.allocatedBytes += len;
      else r.freeBytes += len;
      c += len;
    }
    pos += size;
  }

  // the key tree, every value's data, and the security cells the keys use
  const skUses = new Map<number, number>();
  try {
    for (const { key } of hive.walk()) {
      r.keys++;
      for (const v of hive.values(key)) {
        r.values++;
        if (v.bigData) r.bigDataValues++;
      }
      hive.className(key);
      if (key.securityOffset === NO_CELL) problem(`key at cell 0x${key.offset.toString(16)} has no security cell`);
      else {
        hive.security(key.securityOffset);
        skUses.set(key.securityOffset, (skUses.get(key.securityOffset) ?? 0) + 1);
      }
    }
    r.securityCells = skUses.size;
    for (const [off, uses] of skUses) {
      const sk = hive.security(off);
      if (sk.referenceCount < uses) problem(`security cell 0x${off.toString(16)} counts ${sk.referenceCount} references, ${uses} keys use it`);
    }
    // the sk list must be one cycle through every security cell in use
    const first = [...skUses.keys()][0];
    if (first !== undefined) {
      const inList = new Set<number>();
      let at = first;
      for (let steps = 0; ; steps++) {
        if (steps > h.hiveBinsDataSize / 24) {
          problem('the security cell list does not close');
          break;
        }
        inList.add(at);
        const sk = hive.security(at);
        if (hive.security(sk.flink).blink !== at) problem(`security cell 0x${sk.flink.toString(16)} does not link back to 0x${at.toString(16)}`);
        at = sk.flink;
        if (at === first) break;
        if (inList.has(at)) {
          problem('the security cell list loops without returning to its start');
          break;
        }
      }
      for (const off of skUses.keys()) if (!inList.has(off)) problem(`security cell 0x${off.toString(16)} is not in the security cell list`);
    }
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    problem(err.message);
  }
  return r;
}
