// Hand-assembled registry.pol bytes for fixtures: each piece written out as the format describes it
// (MS-GPREG §2.2.1), independent of our serializer, so that tests of the reader do not lean on it.

export const HEADER = Buffer.from('5052656701000000', 'hex'); // 'PReg' + version 1

export const u16 = (c: string): Buffer => Buffer.from(c, 'utf16le');
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
};
export const NUL = Buffer.from([0, 0]);

/** '[' key NUL ';' name NUL ';' type ';' size ';' data ']' with every field under the caller's control. */
export function instruction(key: string, name: string, type: number, data: Buffer, size = data.length): Buffer {
  return Buffer.concat([u16('['), u16(key), NUL, u16(';'), u16(name), NUL, u16(';'), u32(type), u16(';'), u32(size), u16(';'), data, u16(']')]);
}

export function file(...instructions: Buffer[]): Buffer {
  return Buffer.concat([HEADER, ...instructions]);
}
