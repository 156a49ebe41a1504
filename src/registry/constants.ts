// Numbers of the registry data model: REGSAM bits (MS-RRP §2.2.3, MS-DTYP §2.4.3), create/open options
// and dispositions (MS-RRP §3.1.5.7, §3.1.5.15), key types (§3.1.1.2), notify filters (winnt.h), and the
// size limits Windows applies (learn.microsoft.com "Registry element size limits").

// REGSAM and access-mask bits (MS-RRP §2.2.3, MS-DTYP §2.4.3) and SECURITY_INFORMATION (§2.4.7): one
// definition, in src/security.
export {
  KEY_QUERY_VALUE,
  KEY_SET_VALUE,
  KEY_CREATE_SUB_KEY,
  KEY_ENUMERATE_SUB_KEYS,
  KEY_NOTIFY,
  KEY_CREATE_LINK,
  KEY_WOW64_64KEY,
  KEY_WOW64_32KEY,
  DELETE,
  READ_CONTROL,
  WRITE_DAC,
  WRITE_OWNER,
  SYNCHRONIZE,
  ACCESS_SYSTEM_SECURITY,
  MAXIMUM_ALLOWED,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_WRITE,
  GENERIC_READ,
  KEY_READ,
  KEY_WRITE,
  KEY_EXECUTE,
  KEY_ALL_ACCESS,
  OWNER_SECURITY_INFORMATION,
  GROUP_SECURITY_INFORMATION,
  DACL_SECURITY_INFORMATION,
  SACL_SECURITY_INFORMATION,
} from '../security/index.js';
import { KEY_WOW64_32KEY, KEY_WOW64_64KEY } from '../security/index.js';
export const KEY_WOW64_RES = KEY_WOW64_32KEY | KEY_WOW64_64KEY;
/** Bits a REGSAM may carry (rrp-checklist §2.3): anything else ⇒ ERROR_INVALID_PARAMETER. */
export const REGSAM_VALID = 0xf31f033f;

// MS-RRP §3.1.5.7 dwOptions (key type in the low bits, §3.1.1.2 KEYTYPE)
export const REG_OPTION_NON_VOLATILE = 0x0;
export const REG_OPTION_VOLATILE = 0x1;
export const REG_OPTION_CREATE_LINK = 0x2;
export const REG_OPTION_BACKUP_RESTORE = 0x4;
export const REG_OPTION_OPEN_LINK = 0x8;
export const REG_OPTION_DONT_VIRTUALIZE = 0x10;
export const REG_CREATE_OPTIONS_VALID = 0x1f;
export const REG_OPEN_OPTIONS_VALID = REG_OPTION_BACKUP_RESTORE | REG_OPTION_OPEN_LINK;

// MS-RRP §3.1.5.7 lpdwDisposition
export const REG_CREATED_NEW_KEY = 1;
export const REG_OPENED_EXISTING_KEY = 2;

// winnt.h REG_NOTIFY_CHANGE_* (RegNotifyChangeKeyValue dwNotifyFilter)
export const REG_NOTIFY_CHANGE_NAME = 0x1;
export const REG_NOTIFY_CHANGE_ATTRIBUTES = 0x2;
export const REG_NOTIFY_CHANGE_LAST_SET = 0x4;
export const REG_NOTIFY_CHANGE_SECURITY = 0x8;

// Registry element size limits (Windows; MS-RRP states none — rrp-checklist §2.10)
export const MAX_KEY_NAME = 255;
export const MAX_VALUE_NAME = 16383;
export const MAX_DEPTH = 512;
/** Largest value data: the wire range of lpData in BaseRegQueryValue/EnumValue (§3.1.5.11, §3.1.5.17). */
export const MAX_VALUE_DATA = 0x4000000;
/** Symbolic link chains are followed at most this deep (MS-RRP <11>). */
export const MAX_LINK_DEPTH = 64;
/** The value holding a link's target (MS-RRP §3.1.1.11). */
export const SYMLINK_VALUE = 'SymbolicLinkValue';

// Key flags kept by the storage backends
export const KEYF_VOLATILE = 0x1;
export const KEYF_LINK = 0x2;
