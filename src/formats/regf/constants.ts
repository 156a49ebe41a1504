// regf hive layout constants. Microsoft publishes no specification of the hive file; the field names
// follow the Windows kernel's CM structures as documented by the community ("Windows registry file
// format specification", libyal's regf notes), which every independent reader agrees on.

export const FORMAT = 'regf';

export const BASE_BLOCK_SIZE = 4096;
export const HBIN_HEADER_SIZE = 32;
export const HBIN_ALIGN = 4096;
export const CELL_ALIGN = 8;

/** Offset a cell index is relative to: the first hbin, right after the base block. */
export const DATA_START = BASE_BLOCK_SIZE;

/** Value data larger than this lives in a big-data (db) cell chain from version 1.4 on. */
export const BIG_DATA_THRESHOLD = 16344;
/** Bytes per big-data segment. */
export const BIG_DATA_SEGMENT = 16344;

export const NO_CELL = 0xffffffff;

// _CM_KEY_NODE.Flags
export const KEY_VOLATILE = 0x0001;
export const KEY_HIVE_EXIT = 0x0002;
export const KEY_HIVE_ENTRY = 0x0004;
export const KEY_NO_DELETE = 0x0008;
export const KEY_SYM_LINK = 0x0010;
export const KEY_COMP_NAME = 0x0020;

// _CM_KEY_VALUE.Flags
export const VALUE_COMP_NAME = 0x0001;

/** _CM_KEY_VALUE.DataLength bit: data (at most 4 bytes) sits in the DataOffset field itself. */
export const DATA_INLINE = 0x80000000;

// Fixed part sizes of each cell type (after the 4-byte cell size).
export const NK_FIXED = 76;
export const VK_FIXED = 20;
export const SK_FIXED = 20;
export const DB_FIXED = 8;

/** Entries per lf/lh/li leaf before a list is split under an ri index (Windows keeps leaves within
 * one 4 KiB block: (4096 - 32 - 4 - 4) / 8). */
export const MAX_LEAF_ENTRIES = 507;
