// Descriptions of real IDL types used by the NDR tests (MS-RRP §6, MS-RPCE §2.2.1.2 + C706 App. O,
// MS-DRSR §7). They read like the IDL; the interface folders own their own copies.
import {
  conformantArray, conformantVaryingArray, contextHandle, fixedArray, full, GUID, i64, lazy, operation, range, ref,
  string, struct, switchIs, u16, u32, u64, u8, union, unique, varyingString, wchar, char, type Infer, type NdrType,
} from '../../src/ndr/index.js';
import { BOOL, DWORD, error_status_t, FILETIME, RPC_UNICODE_STRING, ULONG } from '../../src/ndr/dtyp.js';

// ---- MS-RRP §6 -------------------------------------------------------------------------------
export const RPC_HKEY = contextHandle(); // §2.2.1
export const RRP_UNICODE_STRING = RPC_UNICODE_STRING; // §2.2.4
export const LPDWORD = unique(u32);
export const REGSAM = u32; // §2.2.3

export const OpenLocalMachine = operation(2, { // §3.1.5.3
  in: { ServerName: unique(wchar), samDesired: REGSAM },
  out: { phKey: ref(RPC_HKEY) },
  returns: error_status_t,
});

export const BaseRegOpenKey = operation(15, { // §3.1.5.15
  in: { hKey: RPC_HKEY, lpSubKey: ref(RRP_UNICODE_STRING), dwOptions: DWORD, samDesired: REGSAM },
  out: { phkResult: ref(RPC_HKEY) },
  returns: error_status_t,
});

const lpData = unique(conformantVaryingArray(u8, {
  size: 'lpcbData ? *lpcbData : 0', length: 'lpcbLen ? *lpcbLen : 0', range: [0, 0x4000000],
}));
export const BaseRegQueryValue = operation(17, { // §3.1.5.17
  in: { hKey: RPC_HKEY, lpValueName: ref(RRP_UNICODE_STRING), lpType: LPDWORD, lpData, lpcbData: LPDWORD, lpcbLen: LPDWORD },
  out: { lpType: LPDWORD, lpData, lpcbData: LPDWORD, lpcbLen: LPDWORD },
  returns: error_status_t,
});

export const BaseRegEnumKey = operation(9, { // §3.1.5.10
  in: { hKey: RPC_HKEY, dwIndex: DWORD, lpNameIn: ref(RRP_UNICODE_STRING), lpClassIn: unique(RRP_UNICODE_STRING), lpftLastWriteTime: unique(FILETIME) },
  out: { lpNameOut: ref(RRP_UNICODE_STRING), lplpClassOut: ref(unique(RPC_UNICODE_STRING)), lpftLastWriteTime: unique(FILETIME) },
  returns: error_status_t,
});

// ---- Endpoint mapper: C706 App. O with MS-RPCE §2.2.1.2 ----------------------------------------
export const twr_t = struct({ // §2.2.1.2.2
  tower_length: range(u32, 0, 2000),
  tower_octet_string: conformantArray(u8, { size: 'tower_length' }),
});
export const ept_lookup_handle_t = contextHandle(); // §2.2.1.2.11
export const ept_entry_t = struct({
  object: GUID,
  tower: full(twr_t),
  annotation: varyingString(char, 64),
});
export const RPC_IF_ID = struct({ Uuid: GUID, VersMajor: u16, VersMinor: u16 });

export const ept_lookup = operation(2, { // §2.2.1.2.4
  in: { inquiry_type: u32, object: full(GUID), Ifid: full(RPC_IF_ID), vers_option: u32, entry_handle: ref(ept_lookup_handle_t), max_ents: range(u32, 0, 500) },
  out: {
    entry_handle: ref(ept_lookup_handle_t),
    num_ents: ref(u32),
    entries: conformantVaryingArray(ept_entry_t, { size: 'max_ents', length: '*num_ents' }),
    status: ref(u32),
  },
});

export const ept_map = operation(3, { // §2.2.1.2.5
  in: { obj: full(GUID), map_tower: full(twr_t), entry_handle: ref(ept_lookup_handle_t), max_towers: range(u32, 0, 500) },
  out: {
    entry_handle: ref(ept_lookup_handle_t),
    num_towers: ref(u32),
    ITowers: conformantVaryingArray(full(twr_t), { size: 'max_towers', length: '*num_towers' }),
    status: ref(u32),
  },
});

// ---- MS-DRSR §7 -------------------------------------------------------------------------------
export const DRS_HANDLE = contextHandle();
export const DSTIME = i64;
export const USN = i64;
export const ATTRTYP = u32;
export const NT4SID = struct({ Data: fixedArray(char, 28) });
export const DSNAME = struct({ // §5.50
  structLen: u32,
  SidLen: u32,
  Guid: GUID,
  Sid: NT4SID,
  NameLen: u32,
  StringName: conformantArray(wchar, { size: 'NameLen + 1', range: [0, 10485761] }),
});
export const USN_VECTOR = struct({ usnHighObjUpdate: USN, usnReserved: USN, usnHighPropUpdate: USN });
export const UPTODATE_CURSOR_V1 = struct({ uuidDsa: GUID, usnHighPropUpdate: USN });
export const UPTODATE_VECTOR_V1_EXT = struct({
  dwVersion: DWORD, dwReserved1: DWORD, cNumCursors: range(DWORD, 0, 1048576), dwReserved2: DWORD,
  rgCursors: conformantArray(UPTODATE_CURSOR_V1, { size: 'cNumCursors' }),
});
export const UPTODATE_CURSOR_V2 = struct({ uuidDsa: GUID, usnHighPropUpdate: USN, timeLastSyncSuccess: DSTIME });
export const UPTODATE_VECTOR_V2_EXT = struct({
  dwVersion: DWORD, dwReserved1: DWORD, cNumCursors: range(DWORD, 0, 1048576), dwReserved2: DWORD,
  rgCursors: conformantArray(UPTODATE_CURSOR_V2, { size: 'cNumCursors' }),
});
export const OID_t = struct({ length: range(u32, 0, 10000), elements: unique(conformantArray(u8, { size: 'length' })) });
export const PrefixTableEntry = struct({ ndx: u32, prefix: OID_t });
export const SCHEMA_PREFIX_TABLE = struct({ // §5.180
  PrefixCount: range(DWORD, 0, 1048576),
  pPrefixEntry: unique(conformantArray(PrefixTableEntry, { size: 'PrefixCount' })),
});
export const PARTIAL_ATTR_VECTOR_V1_EXT = struct({
  dwVersion: DWORD, dwReserved1: DWORD, cAttrs: range(DWORD, 1, 1048576),
  rgPartialAttr: conformantArray(ATTRTYP, { size: 'cAttrs' }),
});
export const ATTRVAL = struct({ valLen: range(ULONG, 0, 26214400), pVal: unique(conformantArray(u8, { size: 'valLen' })) });
export const ATTRVALBLOCK = struct({ valCount: range(ULONG, 0, 10485760), pAVal: unique(conformantArray(ATTRVAL, { size: 'valCount' })) });
export const ATTR = struct({ attrTyp: ATTRTYP, AttrVal: ATTRVALBLOCK });
export const ATTRBLOCK = struct({ attrCount: range(ULONG, 0, 1048576), pAttr: unique(conformantArray(ATTR, { size: 'attrCount' })) });
export const ENTINF = struct({ pName: unique(DSNAME), ulFlags: u32, AttrBlock: ATTRBLOCK });
export const PROPERTY_META_DATA_EXT = struct({ dwVersion: DWORD, timeChanged: DSTIME, uuidDsaOriginating: GUID, usnOriginating: USN });
export const PROPERTY_META_DATA_EXT_VECTOR = struct({
  cNumProps: range(DWORD, 0, 1048576),
  rgMetaData: conformantArray(PROPERTY_META_DATA_EXT, { size: 'cNumProps' }),
});
export interface REPLENTINFLIST_t {
  pNextEntInf: REPLENTINFLIST_t | null;
  Entinf: Infer<typeof ENTINF>;
  fIsNCPrefix: number;
  pParentGuid: string | null;
  pMetaDataExt: Infer<typeof PROPERTY_META_DATA_EXT_VECTOR> | null;
}
export const REPLENTINFLIST: NdrType<REPLENTINFLIST_t> = struct({ // §5.167
  pNextEntInf: unique(lazy(() => REPLENTINFLIST)),
  Entinf: ENTINF,
  fIsNCPrefix: BOOL,
  pParentGuid: unique(GUID),
  pMetaDataExt: unique(PROPERTY_META_DATA_EXT_VECTOR),
});
export const VALUE_META_DATA_EXT_V1 = struct({ timeCreated: DSTIME, MetaData: PROPERTY_META_DATA_EXT });
export const REPLVALINF_V1 = struct({ // §5.168
  pObject: unique(DSNAME), attrTyp: ATTRTYP, Aval: ATTRVAL, fIsPresent: BOOL, MetaData: VALUE_META_DATA_EXT_V1,
});
export const DRS_MSG_GETCHGREQ_V8 = struct({ // §4.1.10.2.8
  uuidDsaObjDest: GUID,
  uuidInvocIdSrc: GUID,
  pNC: ref(DSNAME),
  usnvecFrom: USN_VECTOR,
  pUpToDateVecDest: unique(UPTODATE_VECTOR_V1_EXT),
  ulFlags: ULONG,
  cMaxObjects: ULONG,
  cMaxBytes: ULONG,
  ulExtendedOp: ULONG,
  liFsmoInfo: u64,
  pPartialAttrSet: unique(PARTIAL_ATTR_VECTOR_V1_EXT),
  pPartialAttrSetEx: unique(PARTIAL_ATTR_VECTOR_V1_EXT),
  PrefixTableDest: SCHEMA_PREFIX_TABLE,
});
export const DRS_MSG_GETCHGREPLY_V6 = struct({ // §4.1.10.2.11
  uuidDsaObjSrc: GUID,
  uuidInvocIdSrc: GUID,
  pNC: unique(DSNAME),
  usnvecFrom: USN_VECTOR,
  usnvecTo: USN_VECTOR,
  pUpToDateVecSrc: unique(UPTODATE_VECTOR_V2_EXT),
  PrefixTableSrc: SCHEMA_PREFIX_TABLE,
  ulExtendedRet: ULONG,
  cNumObjects: ULONG,
  cNumBytes: ULONG,
  pObjects: unique(REPLENTINFLIST),
  fMoreData: BOOL,
  cNumNcSizeObjects: ULONG,
  cNumNcSizeValues: ULONG,
  cNumValues: range(DWORD, 0, 1048576),
  rgValues: unique(conformantArray(REPLVALINF_V1, { size: 'cNumValues' })),
  dwDRSError: DWORD,
});
export const DRS_MSG_GETCHGREQ = union({ switchType: DWORD, arms: { V8: [8, DRS_MSG_GETCHGREQ_V8] } }); // §4.1.10.2.1 (V8 only here)
export const DRS_MSG_GETCHGREPLY = union({ switchType: DWORD, arms: { V6: [6, DRS_MSG_GETCHGREPLY_V6] } }); // §4.1.10.2.2 (V6 only here)

export const IDL_DRSGetNCChanges = operation(3, { // §4.1.10
  in: { hDrs: DRS_HANDLE, dwInVersion: DWORD, pmsgIn: ref(switchIs(DRS_MSG_GETCHGREQ, 'dwInVersion')) },
  out: { pdwOutVersion: ref(DWORD), pmsgOut: ref(switchIs(DRS_MSG_GETCHGREPLY, '*pdwOutVersion')) },
  returns: ULONG,
});

export const DRS_EXTENSIONS = struct({ cb: range(DWORD, 1, 10000), rgb: conformantArray(u8, { size: 'cb' }) });
export const IDL_DRSBind = operation(0, { // §4.1.3
  in: { puuidClientDsa: unique(GUID), pextClient: unique(DRS_EXTENSIONS) },
  out: { ppextServer: ref(unique(DRS_EXTENSIONS)), phDrs: ref(DRS_HANDLE) },
  returns: ULONG,
});

// a [string] wchar_t* parameter, as in many DRSR/RRP calls
export const LPWSTR_PARAM = unique(string(wchar));
export { u16, u32 };
