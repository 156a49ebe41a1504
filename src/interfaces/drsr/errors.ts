// Typed errors of the DRSR client: one class, one status table. `where` says which of the failure
// surfaces of the checklist (part 9) reported the status: a method's return value, a GetNCChanges
// reply's dwDRSError, an extended operation's ulExtendedRet, a CrackNames item, or our own checks.
import { HivewireError } from '../../util/errors.js';

export type DrsErrorSource = 'return' | 'dwDRSError' | 'ulExtendedRet' | 'crackNames' | 'client';

// Win32 and SEC_E codes a DRSR peer returns (MS-ERREF §2.2, §2.3; MS-DRSR §4.1.10.5, §4.1.10.6.1).
export const DRS_STATUS: Record<number, string> = {
  0x2: 'ERROR_FILE_NOT_FOUND',
  0x5: 'ERROR_ACCESS_DENIED',
  0x6: 'ERROR_INVALID_HANDLE',
  0x32: 'ERROR_NOT_SUPPORTED',
  0x57: 'ERROR_INVALID_PARAMETER',
  0x7c: 'ERROR_INVALID_LEVEL',
  0x51a: 'ERROR_REVISION_MISMATCH',
  0x208d: 'ERROR_DS_OBJ_NOT_FOUND',
  0x20e2: 'ERROR_DS_DRA_SCHEMA_MISMATCH',
  0x20e4: 'ERROR_DS_CANT_FIND_EXPECTED_NC',
  0x20f5: 'ERROR_DS_DRA_INVALID_PARAMETER',
  0x20f7: 'ERROR_DS_DRA_BAD_DN',
  0x2104: 'ERROR_DS_DRA_NO_REPLICA',
  0x2105: 'ERROR_DS_DRA_ACCESS_DENIED',
  0x2108: 'ERROR_DS_DRA_SOURCE_DISABLED',
  0x2109: 'ERROR_DS_DRA_SINK_DISABLED',
  0x210c: 'ERROR_DS_DRA_MISSING_PARENT',
  0x2110: 'ERROR_DS_DRA_INCOMPATIBLE_PARTIAL_SET',
  0x2111: 'ERROR_DS_DRA_SOURCE_IS_PARTIAL_REPLICA',
  0x2161: 'ERROR_DS_DRA_OBJ_NC_MISMATCH',
  0x2191: 'ERROR_DS_DIFFERENT_REPL_EPOCHS',
  0x2192: 'ERROR_DS_DRS_EXTENSIONS_CHANGED',
  0x21bf: 'ERROR_DS_DRA_RECYCLED_TARGET',
  0x80090331: 'SEC_E_ALGORITHM_MISMATCH',
};

// EXOP_ERR codes (§4.1.10.2.21); success is 1.
export const EXOP_ERR: Record<number, string> = {
  1: 'EXOP_ERR_SUCCESS', 2: 'EXOP_ERR_UNKNOWN_OP', 3: 'EXOP_ERR_FSMO_NOT_OWNER', 4: 'EXOP_ERR_UPDATE_ERR',
  5: 'EXOP_ERR_EXCEPTION', 6: 'EXOP_ERR_UNKNOWN_CALLER', 7: 'EXOP_ERR_RID_ALLOC', 8: 'EXOP_ERR_FSMO_OWNER_DELETED',
  9: 'EXOP_ERR_FSMO_PENDING_OP', 10: 'EXOP_ERR_MISMATCH', 11: 'EXOP_ERR_COULDNT_CONTACT', 12: 'EXOP_ERR_FSMO_REFUSING_ROLES',
  13: 'EXOP_ERR_DIR_ERROR', 14: 'EXOP_ERR_FSMO_MISSING_SETTINGS', 15: 'EXOP_ERR_ACCESS_DENIED', 16: 'EXOP_ERR_PARAM_ERR',
};

// DS_NAME_ERROR (§4.1.4.1.8).
export const DS_NAME_ERROR: Record<number, string> = {
  0: 'DS_NAME_NO_ERROR', 1: 'DS_NAME_ERROR_RESOLVING', 2: 'DS_NAME_ERROR_NOT_FOUND', 3: 'DS_NAME_ERROR_NOT_UNIQUE',
  4: 'DS_NAME_ERROR_NO_MAPPING', 5: 'DS_NAME_ERROR_DOMAIN_ONLY', 7: 'DS_NAME_ERROR_TRUST_REFERRAL',
};

export function drsStatusName(status: number, source: DrsErrorSource = 'return'): string {
  const table = source === 'ulExtendedRet' ? EXOP_ERR : source === 'crackNames' ? DS_NAME_ERROR : DRS_STATUS;
  return table[status >>> 0] ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

/** A DRSR failure: `status` as the peer sent it, `statusName` from the tables above. */
export class DrsError extends HivewireError {
  readonly status: number;
  readonly statusName: string;
  readonly source: DrsErrorSource;
  constructor(source: DrsErrorSource, status: number, what: string, options?: { cause?: unknown }) {
    const name = drsStatusName(status, source);
    const code = source === 'client' ? 'ERR_DRS_CLIENT' : source === 'crackNames' ? 'ERR_DRS_NAME' : source === 'ulExtendedRet' ? 'ERR_DRS_EXOP' : 'ERR_DRS_STATUS';
    super(code, `${what}: ${name}`, options);
    this.status = status >>> 0;
    this.statusName = name;
    this.source = source;
  }
}

/** Secret decryption failed (bad CRC32, short blob): never return wrong data silently. */
export class DrsSecretError extends HivewireError {
  constructor(message: string) {
    super('ERR_DRS_SECRET', message);
  }
}
