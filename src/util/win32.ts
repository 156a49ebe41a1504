// Win32 error codes (MS-ERREF §2.2): the one table of numbers, names and messages, and the error class
// that carries one. Methods of MS-RRP return these numbers on the wire (MS-RRP §2.2.6), so the store
// throws them and the server passes `err.status` through unchanged.

import { hex32 } from './codes.js';
import { HivewireError } from './errors.js';

// MS-ERREF §2.2 — only the codes this project returns or expects; add rows as needed.
const TABLE = {
  ERROR_SUCCESS: [0x00000000, 'The operation completed successfully.'],
  ERROR_FILE_NOT_FOUND: [0x00000002, 'The system cannot find the file specified.'],
  ERROR_PATH_NOT_FOUND: [0x00000003, 'The system cannot find the path specified.'],
  ERROR_ACCESS_DENIED: [0x00000005, 'Access is denied.'],
  ERROR_INVALID_HANDLE: [0x00000006, 'The handle is invalid.'],
  ERROR_OUTOFMEMORY: [0x0000000e, 'Not enough storage is available to complete this operation.'],
  ERROR_NOT_SAME_DEVICE: [0x00000011, 'The system cannot move the file to a different disk drive.'],
  ERROR_WRITE_PROTECT: [0x00000013, 'The media is write-protected.'],
  ERROR_NOT_READY: [0x00000015, 'The device is not ready.'],
  ERROR_INVALID_PARAMETER: [0x00000057, 'The parameter is incorrect.'],
  ERROR_CALL_NOT_IMPLEMENTED: [0x00000078, 'This function is not supported on this system.'],
  ERROR_INSUFFICIENT_BUFFER: [0x0000007a, 'The data area passed to a system call is too small.'],
  ERROR_BAD_PATHNAME: [0x000000a1, 'The specified path is invalid.'],
  ERROR_BUSY: [0x000000aa, 'The requested resource is in use.'],
  ERROR_ALREADY_EXISTS: [0x000000b7, 'Cannot create a file when that file already exists.'],
  ERROR_MORE_DATA: [0x000000ea, 'More data is available.'],
  WAIT_TIMEOUT: [0x00000102, 'The wait operation timed out.'],
  ERROR_NO_MORE_ITEMS: [0x00000103, 'No more data is available.'],
  ERROR_NOACCESS: [0x000003e6, 'Invalid access to memory location.'],
  ERROR_BADKEY: [0x000003f2, 'The configuration registry key is invalid.'],
  ERROR_CANTOPEN: [0x000003f3, 'The configuration registry key could not be opened.'],
  ERROR_CANTREAD: [0x000003f4, 'The configuration registry key could not be read.'],
  ERROR_CANTWRITE: [0x000003f5, 'The configuration registry key could not be written.'],
  ERROR_REGISTRY_CORRUPT: [0x000003f7, 'The registry is corrupted.'],
  ERROR_REGISTRY_IO_FAILED: [0x000003f8, 'An I/O operation initiated by the registry failed and cannot be recovered.'],
  ERROR_NOT_REGISTRY_FILE: [0x000003f9, 'The file is not in a registry file format.'],
  ERROR_KEY_DELETED: [0x000003fa, 'Illegal operation attempted on a registry key that has been marked for deletion.'],
  ERROR_KEY_HAS_CHILDREN: [0x000003fc, 'Cannot create a symbolic link in a registry key that already has subkeys or values.'],
  ERROR_CHILD_MUST_BE_VOLATILE: [0x000003fd, 'Cannot create a stable subkey under a volatile parent key.'],
  ERROR_PRIVILEGE_NOT_HELD: [0x00000522, 'A required privilege is not held by the client.'],
  ERROR_NO_SYSTEM_RESOURCES: [0x000005aa, 'Insufficient system resources exist to complete the requested service.'],
  ERROR_CANT_RESOLVE_FILENAME: [0x00000781, 'The name of the file cannot be resolved by the system.'],
} as const satisfies Record<string, readonly [number, string]>;

export type Win32ErrorName = keyof typeof TABLE;

/** The numeric code of a Win32 error name. */
export function win32Code(name: Win32ErrorName): number {
  return TABLE[name][0];
}

const BY_CODE = new Map<number, Win32ErrorName>(
  (Object.keys(TABLE) as Win32ErrorName[]).map((n) => [TABLE[n][0], n]),
);

/** 'ERROR_ACCESS_DENIED' for 5; 'WIN32_0x...' for a code not in the table. */
export function win32Name(code: number): string {
  return BY_CODE.get(code >>> 0) ?? `WIN32_${hex32(code)}`;
}

/** A Win32 status as a method result (MS-RRP §2.2.6): `status` is the number, `code` the name. */
export class Win32Error extends HivewireError {
  readonly status: number;
  constructor(nameOrCode: Win32ErrorName | number, detail?: string) {
    const code = typeof nameOrCode === 'number' ? nameOrCode >>> 0 : TABLE[nameOrCode][0];
    const name = win32Name(code);
    const known = BY_CODE.get(code);
    const text = known ? TABLE[known][1] : 'Win32 error';
    super(name, `${name} (${hex32(code)}): ${text}${detail ? ` — ${detail}` : ''}`);
    this.status = code;
  }
}

/** Shorthand used by the store: `throw win32('ERROR_FILE_NOT_FOUND', 'HKLM\\X')`. */
export function win32(name: Win32ErrorName, detail?: string): Win32Error {
  return new Win32Error(name, detail);
}
