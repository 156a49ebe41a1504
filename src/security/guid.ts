// GUIDs inside object ACEs: MS-DTYP §2.3.4.2 packet layout (Data1-3 little-endian, Data4 as bytes),
// shown in the lowercase 8-4-4-4-12 form SDDL uses (MS-DTYP §2.5.1.1 `guid`).

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuidString(s: string): boolean {
  return GUID_RE.test(s);
}

/** 16 bytes at `offset` → 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. The caller checks the bounds. */
export function guidFromBytes(buf: Buffer, offset: number): string {
  const h = (start: number, end: number) => buf.subarray(offset + start, offset + end).toString('hex');
  const le = (start: number, len: number) => Buffer.from(buf.subarray(offset + start, offset + start + len)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${h(8, 10)}-${h(10, 16)}`;
}

/** Writes a GUID string (already validated with isGuidString) as 16 bytes at `offset`. */
export function guidToBytes(guid: string, out: Buffer, offset: number): void {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  out[offset + 0] = b[3]!; out[offset + 1] = b[2]!; out[offset + 2] = b[1]!; out[offset + 3] = b[0]!;
  out[offset + 4] = b[5]!; out[offset + 5] = b[4]!;
  out[offset + 6] = b[7]!; out[offset + 7] = b[6]!;
  b.copy(out, offset + 8, 8, 16);
}
