// NTSTATUS values used by SMB2 (MS-ERREF §2.3.1) and the typed error that carries one.
// One table: the server answers with these numbers, the client turns them back into names.
import { nameOf } from '../util/codes.js';
import { HivewireError } from '../util/errors.js';

export const NtStatus = {
  STATUS_SUCCESS: 0x00000000,
  STATUS_PENDING: 0x00000103,
  STATUS_BUFFER_OVERFLOW: 0x80000005,
  STATUS_NO_MORE_FILES: 0x80000006,
  STATUS_UNSUCCESSFUL: 0xc0000001,
  STATUS_NOT_IMPLEMENTED: 0xc0000002,
  STATUS_INVALID_INFO_CLASS: 0xc0000003,
  STATUS_INFO_LENGTH_MISMATCH: 0xc0000004,
  STATUS_INVALID_HANDLE: 0xc0000008,
  STATUS_INVALID_PARAMETER: 0xc000000d,
  STATUS_NO_SUCH_FILE: 0xc000000f,
  STATUS_INVALID_DEVICE_REQUEST: 0xc0000010,
  STATUS_END_OF_FILE: 0xc0000011,
  STATUS_MORE_PROCESSING_REQUIRED: 0xc0000016,
  STATUS_NO_MEMORY: 0xc0000017,
  STATUS_ACCESS_DENIED: 0xc0000022,
  STATUS_BUFFER_TOO_SMALL: 0xc0000023,
  STATUS_OBJECT_NAME_INVALID: 0xc0000033,
  STATUS_OBJECT_NAME_NOT_FOUND: 0xc0000034,
  STATUS_OBJECT_NAME_COLLISION: 0xc0000035,
  STATUS_OBJECT_PATH_NOT_FOUND: 0xc000003a,
  STATUS_OBJECT_PATH_SYNTAX_BAD: 0xc000003b,
  STATUS_SHARING_VIOLATION: 0xc0000043,
  STATUS_DELETE_PENDING: 0xc0000056,
  STATUS_NO_SUCH_USER: 0xc0000064,
  STATUS_WRONG_PASSWORD: 0xc000006a,
  STATUS_LOGON_FAILURE: 0xc000006d,
  STATUS_ACCOUNT_RESTRICTION: 0xc000006e,
  STATUS_PASSWORD_EXPIRED: 0xc0000071,
  STATUS_ACCOUNT_DISABLED: 0xc0000072,
  STATUS_INSUFFICIENT_RESOURCES: 0xc000009a,
  STATUS_BAD_IMPERSONATION_LEVEL: 0xc00000a5,
  STATUS_PIPE_NOT_AVAILABLE: 0xc00000ac,
  STATUS_INVALID_PIPE_STATE: 0xc00000ad,
  STATUS_PIPE_BUSY: 0xc00000ae,
  STATUS_PIPE_DISCONNECTED: 0xc00000b0,
  STATUS_PIPE_CLOSING: 0xc00000b1,
  STATUS_IO_TIMEOUT: 0xc00000b5,
  STATUS_FILE_IS_A_DIRECTORY: 0xc00000ba,
  STATUS_NOT_SUPPORTED: 0xc00000bb,
  STATUS_INVALID_NETWORK_RESPONSE: 0xc00000c3,
  STATUS_NETWORK_NAME_DELETED: 0xc00000c9,
  STATUS_NETWORK_ACCESS_DENIED: 0xc00000ca,
  STATUS_BAD_NETWORK_NAME: 0xc00000cc,
  STATUS_REQUEST_NOT_ACCEPTED: 0xc00000d0,
  STATUS_PIPE_EMPTY: 0xc00000d9,
  STATUS_INTERNAL_ERROR: 0xc00000e5,
  STATUS_NOT_A_DIRECTORY: 0xc0000103,
  STATUS_CANCELLED: 0xc0000120,
  STATUS_FILE_CLOSED: 0xc0000128,
  STATUS_PIPE_BROKEN: 0xc000014b,
  STATUS_INVALID_DEVICE_STATE: 0xc0000184,
  STATUS_FS_DRIVER_REQUIRED: 0xc000019c,
  STATUS_CONNECTION_DISCONNECTED: 0xc000020c,
  STATUS_CONNECTION_RESET: 0xc000020d,
  STATUS_USER_SESSION_DELETED: 0xc0000203,
  STATUS_NOT_FOUND: 0xc0000225,
  STATUS_NETWORK_SESSION_EXPIRED: 0xc000035c,
  STATUS_INVALID_SIGNATURE: 0xc000a000,
  STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP: 0xc05d0000,
} as const;

export type NtStatusName = keyof typeof NtStatus;

/** The name of an NTSTATUS value, or its hex form when it is not in the table. */
export const ntStatusName: (status: number) => string = nameOf(NtStatus);

/** Severity bits 0b11 (MS-ERREF §2.3): an error, as opposed to success, information or warning. */
export function isNtError(status: number): boolean {
  return status >>> 30 === 3;
}

/** An SMB2 response carried a failing NTSTATUS (or the client decided one applies, e.g. a bad signature). */
export class NtStatusError extends HivewireError {
  /** The NTSTATUS number as an unsigned 32-bit value. */
  readonly status: number;
  /** Its name from the table, e.g. 'STATUS_LOGON_FAILURE', or the hex form. */
  readonly statusName: string;
  constructor(status: number, context?: string) {
    const name = ntStatusName(status);
    super('ERR_NTSTATUS', context ? `${context}: ${name}` : name);
    this.status = status >>> 0;
    this.statusName = name;
  }
}

/** An SMB2 connection is not usable (closed, timed out, or the peer broke the protocol). */
export class Smb2ConnectionError extends HivewireError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SMB2_CONNECTION', message, options);
  }
}
