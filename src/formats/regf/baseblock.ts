// regf base block: the first 4 KiB of a hive (_HBASE_BLOCK).

import { FormatError } from '../../util/errors.js';
import { BASE_BLOCK_SIZE, FORMAT } from './constants.js';

export interface BaseBlock {
  primarySequence: number;
  secondarySequence: number;
  /** FILETIME */
  lastWritten: bigint;
  major: number;
  minor: number;
  /** 0: primary file; 1, 2, 6: transaction log variants. */
  fileType: number;
  fileFormat: number;
  rootCellOffset: number;
  /** Bytes of hbins that follow the base block. */
  hiveBinsDataSize: number;
  clusteringFactor: number;
  /** Up to 31 UTF-16 units, often the tail of the path the hive was saved to. */
  fileName: string;
  checksum: number;
}

/** XOR of the first 127 dwords, with 0 and -1 avoided as Windows avoids them. */
export function baseBlockChecksum(b: Buffer): number {
  let x = 0;
  for (let i = 0; i < 508; i += 4) x ^= b.readUInt32LE(i);
  x >>>= 0;
  if (x === 0xffffffff) return 0xfffffffe;
  if (x === 0) return 1;
  return x;
}

export interface ParseBaseBlockOptions {
  /** Accept a base block whose checksum does not match (the data may still read fine). */
  ignoreChecksum?: boolean;
}

export function parseBaseBlock(b: Buffer, fileSize: number, opts: ParseBaseBlockOptions = {}): BaseBlock {
  if (b.length < BASE_BLOCK_SIZE) throw new FormatError(FORMAT, b.length, 'a 4096-byte base block', `file is ${b.length} bytes`);
  if (b.toString('latin1', 0, 4) !== 'regf') throw new FormatError(FORMAT, 0, "signature 'regf'", JSON.stringify(b.toString('latin1', 0, 4)));
  const bb: BaseBlock = {
    primarySequence: b.readUInt32LE(4),
    secondarySequence: b.readUInt32LE(8),
    lastWritten: b.readBigUInt64LE(12),
    major: b.readUInt32LE(20),
    minor: b.readUInt32LE(24),
    fileType: b.readUInt32LE(28),
    fileFormat: b.readUInt32LE(32),
    rootCellOffset: b.readUInt32LE(36),
    hiveBinsDataSize: b.readUInt32LE(40),
    clusteringFactor: b.readUInt32LE(44),
    fileName: b.toString('utf16le', 48, 112).replace(/\0.*$/s, ''),
    checksum: b.readUInt32LE(508),
  };
  if (bb.major !== 1) throw new FormatError(FORMAT, 20, 'major version 1', String(bb.major));
  if (bb.minor < 2 || bb.minor > 6) throw new FormatError(FORMAT, 24, 'minor version 2 to 6', String(bb.minor));
  if (bb.fileType !== 0) throw new FormatError(FORMAT, 28, 'file type 0 (a primary hive, not a log)', String(bb.fileType));
  if (!opts.ignoreChecksum) {
    const sum = baseBlockChecksum(b);
    if (sum !== bb.checksum) throw new FormatError(FORMAT, 508, `checksum 0x${sum.toString(16)}`, `0x${bb.checksum.toString(16)}`);
  }
  if (bb.hiveBinsDataSize % 4096 !== 0 || bb.hiveBinsDataSize === 0) {
    throw new FormatError(FORMAT, 40, 'hive bins data size, a non-zero multiple of 4096', String(bb.hiveBinsDataSize));
  }
  if (BASE_BLOCK_SIZE + bb.hiveBinsDataSize > fileSize) {
    throw new FormatError(FORMAT, fileSize, `${BASE_BLOCK_SIZE + bb.hiveBinsDataSize} bytes (hive bins data size)`, `file is truncated at ${fileSize} bytes`);
  }
  if (bb.rootCellOffset >= bb.hiveBinsDataSize) {
    throw new FormatError(FORMAT, 36, 'a root cell offset inside the hive bins', `0x${bb.rootCellOffset.toString(16)}`);
  }
  return bb;
}

export interface BaseBlockInit {
  sequence: number;
  lastWritten: bigint;
  minor: number;
  rootCellOffset: number;
  hiveBinsDataSize: number;
  fileName: string;
}

export function serializeBaseBlock(init: BaseBlockInit): Buffer {
  const b = Buffer.alloc(BASE_BLOCK_SIZE);
  b.write('regf', 0, 'latin1');
  b.writeUInt32LE(init.sequence, 4);
  b.writeUInt32LE(init.sequence, 8);
  b.writeBigUInt64LE(init.lastWritten, 12);
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(init.minor, 24);
  b.writeUInt32LE(0, 28);
  b.writeUInt32LE(1, 32);
  b.writeUInt32LE(init.rootCellOffset, 36);
  b.writeUInt32LE(init.hiveBinsDataSize, 40);
  b.writeUInt32LE(1, 44);
  b.write(init.fileName.slice(0, 31), 48, 'utf16le');
  b.writeUInt32LE(baseBlockChecksum(b), 508);
  return b;
}
