// Mutation fuzzing of the hive reader and the .reg parser: every outcome must be a result or a typed
// HivewireError (FormatError for bad input), never another exception, and every case must be quick.
// Shared by the CI sample (fuzz.test.ts) and bench/formats-fuzz.ts (the full count).

import { baseBlockChecksum, checkHive, Hive, marvin32, recoverHive, writeHive } from '../../../src/formats/regf/index.js';
import { newLog, setBase } from './logfiles.js';
import { parseReg, regToTree, treeToReg } from '../../../src/formats/regtext/index.js';
import { HivewireError } from '../../../src/util/errors.js';
import { sampleTree } from './trees.js';
import { Rng } from '../../harness/rng.js';

export interface FuzzReport {
  cases: number;
  accepted: number;
  typedErrors: number;
  /** Cases that threw something else: the input (hex, shortened) and the error. */
  failures: { kind: 'hive' | 'reg' | 'log'; input: string; error: string }[];
  slowestMs: number;
}

const INTERESTING = [0, 1, 4, 8, 0x20, 0x7f, 0x80, 0xff, 0xffff, 0x3fd8, 0x3fd9, 0x7fffffff, 0x80000000, 0x80000004, 0xfffffff8, 0xffffffff];

export function seedHives(): Buffer[] {
  const small = sampleTree({ big: true });
  const many = sampleTree({ many: 520 });
  return [writeHive(small, { now: 1n }), writeHive(many, { now: 1n }), writeHive(sampleTree({ ascii: true }), { now: 1n, minor: 3 })];
}

export function seedRegs(): Buffer[] {
  const t = sampleTree({ many: 5 }).subkeys[0]!;
  return [treeToReg(t, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Lab'), treeToReg(t, 'HKLM\\Lab', { flavor: 'samba' }), treeToReg(t, 'HKEY_CURRENT_USER\\Lab', { version: 4 })];
}

function mutateHive(seed: Buffer, rng: Rng): Buffer {
  let b = Buffer.from(seed);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const op = rng.int(6);
    // mostly inside the hbins: the base block is checked by its checksum anyway
    const at = rng.float() < 0.9 ? 4096 + rng.int(b.length - 4096) : rng.int(Math.min(b.length, 512));
    if (op === 0) b[at] = rng.int(256);
    else if (op === 1 && at + 4 <= b.length) b.writeUInt32LE(rng.pick(INTERESTING) >>> 0, at & ~3);
    else if (op === 2 && at + 4 <= b.length) b.writeUInt32LE(rng.int(b.length) & ~7, at & ~3);
    else if (op === 3) b = b.subarray(0, at);
    else if (op === 4 && at + 2 <= b.length) b.writeUInt16LE(rng.pick(INTERESTING) & 0xffff, at & ~1);
    else if (op === 5) {
      const from = rng.int(b.length);
      const len = rng.int(256);
      b.copy(b, at, from, Math.min(b.length, from + len));
    }
  }
  if (b.length >= 512 && rng.float() < 0.9) b.writeUInt32LE(baseBlockChecksum(b), 508);
  return b;
}

function mutateLog(seed: Buffer, rng: Rng): Buffer {
  const b = Buffer.from(seed);
  for (let i = 1 + rng.int(3); i > 0; i--) {
    // the entry header and page references matter most; the hashes then catch the rest
    const at = rng.float() < 0.7 ? 512 + rng.int(64) : rng.int(b.length);
    if (rng.float() < 0.5 && at + 4 <= b.length) b.writeUInt32LE(rng.pick(INTERESTING) >>> 0, at & ~3);
    else b[at] = rng.int(256);
  }
  // half the time re-sign the first entry, so that what its hashes guard gets exercised too
  if (rng.float() < 0.5 && b.length >= 552) {
    const size = b.readUInt32LE(516);
    if (size >= 40 && 512 + size <= b.length) {
      b.writeBigUInt64LE(marvin32(b.subarray(552, 512 + size), 0x82ef4d887a4e55c5n), 536);
      b.writeBigUInt64LE(marvin32(b.subarray(512, 544), 0x82ef4d887a4e55c5n), 544);
    }
  }
  return rng.float() < 0.2 ? b.subarray(0, rng.int(b.length)) : b;
}

const TOKENS = ['"', '\\', '[', ']', '[-', '=', ',', ':', '-', '@', ';', '\r\n', '\n', 'hex(', 'hex:', 'dword:', ')', '00,', 'ff', '\\\r\n', ' ', '\0', 'é', 'Ω', 'REGEDIT4', 'hex(7):', '"=-'];

function mutateReg(seed: Buffer, rng: Rng): Buffer {
  if (rng.float() < 0.3) {
    // raw bytes: encodings, BOMs, truncation
    const b = Buffer.from(seed);
    for (let i = rng.int(4); i >= 0; i--) b[rng.int(b.length)] = rng.int(256);
    return rng.float() < 0.3 ? b.subarray(0, rng.int(b.length)) : b;
  }
  const enc = seed[0] === 0xff ? 'utf16le' : 'latin1';
  let text = enc === 'utf16le' ? seed.toString('utf16le', 2) : seed.toString('latin1');
  for (let i = 1 + rng.int(5); i > 0; i--) {
    const at = rng.int(text.length + 1);
    const op = rng.int(3);
    if (op === 0) text = text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
    else if (op === 1) text = text.slice(0, at) + text.slice(at + 1 + rng.int(8));
    else text = text.slice(0, at) + rng.pick(TOKENS) + text.slice(at + 1);
  }
  return enc === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'latin1');
}

function short(b: Buffer): string {
  return b.length > 64 ? b.subarray(0, 64).toString('hex') + `…(${b.length} bytes)` : b.toString('hex');
}

/** A dirty primary and a log whose one entry brings it to another hive. */
export function seedLog(): { primary: Buffer; log: Buffer } {
  const a = writeHive(sampleTree(), { now: 1n });
  const b = writeHive(sampleTree({ many: 30 }), { now: 1n }).subarray(4096);
  const primary = setBase(a, (x) => x.writeUInt32LE(2, 4));
  return { primary, log: newLog(primary, [{ sequence: 2, size: b.length, pages: [{ offset: 0, data: b }] }]) };
}

export function fuzz(cases: number, seed = 12345): FuzzReport {
  const rng = new Rng(seed);
  const hives = seedHives();
  const regs = seedRegs();
  const logSeed = seedLog();
  const report: FuzzReport = { cases: 0, accepted: 0, typedErrors: 0, failures: [], slowestMs: 0 };
  for (let i = 0; i < cases; i++) {
    const kind = i % 2 === 0 ? 'hive' : i % 10 === 1 ? 'log' : 'reg';
    const isHive = kind === 'hive';
    const input = isHive ? mutateHive(rng.pick(hives), rng) : kind === 'log' ? mutateLog(logSeed.log, rng) : mutateReg(rng.pick(regs), rng);
    const t0 = performance.now();
    try {
      if (kind === 'log') {
        const r = recoverHive(logSeed.primary, [input]);
        if (r.applied > 0) Hive.fromBuffer(r.hive).toTree();
      } else if (isHive) {
        const h = Hive.fromBuffer(input, { ignoreChecksum: rng.float() < 0.5 });
        h.toTree();
        checkHive(h);
      } else {
        const tree = regToTree(parseReg(input));
        treeToReg(tree, 'HKLM\\X');
        writeHive(tree);
      }
      report.accepted++;
    } catch (err) {
      if (err instanceof HivewireError) report.typedErrors++;
      else if (report.failures.length < 20) report.failures.push({ kind, input: short(input), error: String((err as Error)?.stack ?? err) });
      else report.failures.length++;
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - t0);
    report.cases++;
  }
  return report;
}
