// The times, sizes and attributes that CREATE (§2.2.14) and CLOSE (§2.2.16) responses both carry at
// body offset 8: 52 bytes laid out as FILE_NETWORK_OPEN_INFORMATION (MS-FSCC §2.4.29) without its
// trailing reserved field.

export interface FileTimes {
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  changeTime: bigint;
  allocationSize: bigint;
  endOfFile: bigint;
  fileAttributes: number;
}

export function writeFileTimes(body: Buffer, at: number, r: FileTimes): void {
  body.writeBigUInt64LE(r.creationTime, at);
  body.writeBigUInt64LE(r.lastAccessTime, at + 8);
  body.writeBigUInt64LE(r.lastWriteTime, at + 16);
  body.writeBigUInt64LE(r.changeTime, at + 24);
  body.writeBigUInt64LE(r.allocationSize, at + 32);
  body.writeBigUInt64LE(r.endOfFile, at + 40);
  body.writeUInt32LE(r.fileAttributes >>> 0, at + 48);
}

/** Reads the block at msg[at]; the caller has checked the fixed part of the body is present. */
export function readFileTimes(msg: Buffer, at: number): FileTimes {
  return {
    creationTime: msg.readBigUInt64LE(at),
    lastAccessTime: msg.readBigUInt64LE(at + 8),
    lastWriteTime: msg.readBigUInt64LE(at + 16),
    changeTime: msg.readBigUInt64LE(at + 24),
    allocationSize: msg.readBigUInt64LE(at + 32),
    endOfFile: msg.readBigUInt64LE(at + 40),
    fileAttributes: msg.readUInt32LE(at + 48),
  };
}
