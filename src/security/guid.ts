// GUIDs inside object ACEs: MS-DTYP §2.3.4.2 packet layout (Data1-3 little-endian, Data4 as bytes),
// shown in the lowercase 8-4-4-4-12 form SDDL uses (MS-DTYP §2.5.1.1 `guid`).

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuidString(s: string): boolean {
  return GUID_RE.test(s);
}

/** 16 bytes at `offset` → 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'. The caller checks the bounds. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// byte index for each output pair, '-' where -1
const ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

export function guidFromBytes(buf: Buffer, offset: number): string {
  let s = '';
  for (const i of ORDER) s += i < 0 ? '-' : HEX[buf[offset + i]!];
  return s;
}

/** Writes a GUID string (already validated with isGuidString) as 16 bytes at `offset`. */
// text positions of the 16 bytes in packet order (Data1..3 little-endian, Data4 as written)
const POS = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];
const nibble = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);

export function guidToBytes(guid: string, out: Buffer, offset: number): void {
  for (let i = 0; i < 16; i++) {
    const p = POS[i]!;
    out[offset + i] = (nibble(guid.charCodeAt(p)) << 4) | nibble(guid.charCodeAt(p + 1));
  }
}
