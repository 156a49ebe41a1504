// The performance keys (MS-RRP §3.1.1.7, §3.1.5.4, §3.1.5.28, §3.1.5.29): not stored keys but views
// that answer QueryInfoKey, QueryValue and EnumValue only. We have no counters, so the answer is the
// smallest valid one: HKEY_PERFORMANCE_DATA "Global" is a PERF_DATA_BLOCK (winperf.h) with no object
// types; the text keys list the one "System" object's name and help text.

import { REG_BINARY, REG_MULTI_SZ, encodeValue } from '../formats/value.js';
import type { ValueRecord } from './backend.js';

export type PerfKind = 'HKEY_PERFORMANCE_DATA' | 'HKEY_PERFORMANCE_TEXT' | 'HKEY_PERFORMANCE_NLSTEXT';

// winperf.h PERF_DATA_BLOCK (88 bytes): Signature "PERF" (WCHAR[4]) 0, LittleEndian 8, Version 12,
// Revision 16, TotalByteLength 20, HeaderLength 24, NumObjectTypes 28, DefaultObject 32, SYSTEMTIME 36,
// (pad) 52, PerfTime 56, PerfFreq 64, PerfTime100nSec 72, SystemNameLength 80, SystemNameOffset 84;
// the system name follows the header.
export function perfDataBlock(systemName: string, now: Date, perfTime100ns: bigint): Buffer {
  const name = Buffer.from(systemName + '\0', 'utf16le');
  const header = 88;
  const total = (header + name.length + 7) & ~7;
  const b = Buffer.alloc(total);
  b.write('PERF', 0, 'utf16le');
  b.writeUInt32LE(1, 8); // LittleEndian
  b.writeUInt32LE(1, 12); // PERF_DATA_VERSION
  b.writeUInt32LE(1, 16); // PERF_DATA_REVISION
  b.writeUInt32LE(total, 20);
  b.writeUInt32LE(header, 24);
  b.writeUInt32LE(0, 28); // NumObjectTypes: no counters served
  b.writeInt32LE(-1, 32); // DefaultObject: none
  const st = [now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDay(), now.getUTCDate(), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()];
  st.forEach((v, i) => b.writeUInt16LE(v, 36 + 2 * i));
  b.writeBigInt64LE(perfTime100ns, 56); // PerfTime, in PerfFreq units
  b.writeBigInt64LE(10_000_000n, 64); // PerfFreq: 100 ns ticks
  b.writeBigInt64LE(perfTime100ns, 72); // PerfTime100nSec
  b.writeUInt32LE(name.length, 80); // SystemNameLength in bytes
  b.writeUInt32LE(header, 84); // SystemNameOffset
  name.copy(b, header);
  return b;
}

/** The values a performance key shows (EnumValue order). */
export function perfValues(kind: PerfKind, systemName: string, now = new Date()): ValueRecord[] {
  if (kind === 'HKEY_PERFORMANCE_DATA') {
    const t = BigInt(now.getTime()) * 10_000n + 116_444_736_000_000_000n;
    return [{ name: 'Global', type: REG_BINARY, data: perfDataBlock(systemName, now, t) }];
  }
  // Counter/Help: REG_MULTI_SZ of index, text pairs (index 1 and 2 are the base entries Windows lists).
  return [
    { name: 'Counter', type: REG_MULTI_SZ, data: encodeValue(REG_MULTI_SZ, ['1', '1847', '2', 'System']) },
    { name: 'Help', type: REG_MULTI_SZ, data: encodeValue(REG_MULTI_SZ, ['3', 'The System performance object (no counters are served).']) },
  ];
}
