// Status-code tables (NTSTATUS, DCE/RPC faults, Win32 errors) share these two needs: a number
// printed the way the specs print it, and the name of a number from a name → number table.

/** 0x0000abcd: a 32-bit status as MS-ERREF writes it. */
export function hex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** The reverse of a name → number table: a lookup of the name of a status, or its hex form. */
export function nameOf<N extends string>(table: Readonly<Record<N, number>>): (status: number) => string {
  const names = new Map<number, string>();
  for (const [name, value] of Object.entries(table) as [N, number][]) names.set(value >>> 0, name);
  return (status) => names.get(status >>> 0) ?? hex32(status);
}
