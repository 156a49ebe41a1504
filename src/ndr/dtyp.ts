// MS-DTYP base types that every interface's IDL uses, as NDR descriptions.
import { byte, GUID, i32, i64, string, struct, u16, u32, u64, u8, unique, wchar, conformantVaryingArray } from './type.js';

export const BYTE = u8; // §2.2.6
export const UCHAR = u8; // §2.2.45
export const BOOLEAN = u8; // §2.2.4 (one octet, unlike BOOL)
export const BOOL = i32; // §2.2.3
export const WORD = u16; // §2.2.61
export const USHORT = u16; // §2.2.58
export const WCHAR = wchar; // §2.2.60
export const DWORD = u32; // §2.2.9
export const ULONG = u32; // §2.2.51
export const UINT = u32; // §2.2.49
export const LONG = i32; // §2.2.27
export const LONGLONG = i64; // §2.2.31
export const ULONGLONG = u64; // §2.2.54
export const DWORD64 = u64; // §2.2.14
export const error_status_t = u32; // §2.2.17
export const UUID = GUID; // §2.3.4
export { GUID, byte };

/** FILETIME (§2.3.3): two DWORDs, low then high. */
export const FILETIME = struct({ dwLowDateTime: u32, dwHighDateTime: u32 });

/** RPC_UNICODE_STRING (§2.3.10): Length/MaximumLength in bytes, no terminator counted in Length. */
export const RPC_UNICODE_STRING = struct({
  Length: u16,
  MaximumLength: u16,
  Buffer: unique(conformantVaryingArray(wchar, { size: 'MaximumLength / 2', length: 'Length / 2' })),
});

/** `[string] wchar_t *` as a unique pointer (LPWSTR in a struct). */
export const LPWSTR = unique(string(wchar));
