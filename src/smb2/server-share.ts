// A read-only disk share of the SMB2 server: existing regular files of one directory can be opened
// (CREATE with FILE_OPEN, MS-SMB2 §3.3.5.9), read at any offset (READ, §3.3.5.12), asked their size
// (QUERY_INFO FileStandardInformation) and closed. Anything that would write, create, delete or list
// is STATUS_ACCESS_DENIED. `hivewire serve` uses it to let clients fetch the hive files that
// BaseRegSaveKey wrote into its --files directory.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { AuthIdentity } from '../auth/types.js';
import * as C from './constants.js';
import { NtStatus as S } from './status.js';

export interface ReadOnlyShare {
  /** Share name as clients give it in TREE_CONNECT (compared case-insensitively). */
  name: string;
  /** The local path of a client's file name; throws for a name that would leave the share. */
  resolve(name: string): string;
  /** Whether this SMB session may connect to the share. */
  allow(identity: AuthIdentity): boolean;
}

export interface ShareFile {
  fd: number;
  size: number;
}

// Access rights (MS-SMB2 §2.2.13.1.1) that would change the file or its metadata
const WRITE_RIGHTS =
  0x00000002 | // FILE_WRITE_DATA
  0x00000004 | // FILE_APPEND_DATA
  0x00000010 | // FILE_WRITE_EA
  0x00000040 | // FILE_DELETE_CHILD
  0x00000100 | // FILE_WRITE_ATTRIBUTES
  0x00010000 | // DELETE
  0x00040000 | // WRITE_DAC
  0x00080000 | // WRITE_OWNER
  0x01000000 | // ACCESS_SYSTEM_SECURITY
  0x10000000 | // GENERIC_ALL
  0x40000000; // GENERIC_WRITE

const FILE_DELETE_ON_CLOSE = 0x00001000;

/** Opens a file of the share for reading, or returns the NTSTATUS to answer. */
export function openShareFile(share: ReadOnlyShare, name: string, desiredAccess: number, disposition: number, createOptions: number): ShareFile | number {
  if (disposition !== C.FILE_OPEN) return S.STATUS_ACCESS_DENIED;
  if (desiredAccess & WRITE_RIGHTS || createOptions & FILE_DELETE_ON_CLOSE) return S.STATUS_ACCESS_DENIED;
  if (createOptions & C.FILE_DIRECTORY_FILE || name === '') return S.STATUS_ACCESS_DENIED; // no listing
  let path: string;
  try {
    path = share.resolve(name);
  } catch {
    return S.STATUS_ACCESS_DENIED;
  }
  let fd: number;
  try {
    // O_NOFOLLOW: a symbolic link planted in the directory is not followed out of it
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return S.STATUS_OBJECT_NAME_NOT_FOUND;
    return S.STATUS_ACCESS_DENIED;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    return st.isDirectory() ? S.STATUS_FILE_IS_A_DIRECTORY : S.STATUS_ACCESS_DENIED;
  }
  return { fd, size: st.size };
}

/** Up to `length` bytes at `offset`; STATUS_END_OF_FILE at or past the end (§3.3.5.12). */
export function readShareFile(f: ShareFile, offset: bigint, length: number): Buffer | number {
  if (offset >= BigInt(f.size)) return S.STATUS_END_OF_FILE;
  if (length === 0) return Buffer.alloc(0);
  const at = Number(offset);
  const buf = Buffer.allocUnsafe(Math.min(length, f.size - at));
  const n = readSync(f.fd, buf, 0, buf.length, at);
  if (n === 0) return S.STATUS_END_OF_FILE;
  return buf.subarray(0, n);
}

export function closeShareFile(f: ShareFile): void {
  try {
    closeSync(f.fd);
  } catch {
    // already closed
  }
}
