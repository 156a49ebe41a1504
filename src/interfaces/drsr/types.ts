// MS-DRSR §7 (Appendix A): NDR descriptions of the drsuapi structures and methods a replicating client
// uses. Names follow the IDL; pointer_default is unique, so plain embedded pointers are unique().
import {
  conformantArray, contextHandle, enum16, fixedArray, GUID, i64, lazy, operation, range, ref, string, struct,
  switchIs, u32, u64, u8, union, unique, wchar, char, type Infer, type NdrType,
} from '../../ndr/index.js';
import { BOOL, DWORD, FILETIME, ULONG } from '../../ndr/dtyp.js';

export const DRSUAPI_SYNTAX = { uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', version: 4, minor: 0 }; // §2.1
export const NTDSAPI_CLIENT_GUID = 'e24d201a-4fd6-11d1-a3da-0000f875ae0d'; // §5.138

export const DRS_HANDLE = contextHandle(); // §5.40
export const DSTIME = i64; // §5.51
export const USN = i64; // §5.208
export const ATTRTYP = u32; // §5.14
export const NT4SID = struct({ Data: fixedArray(u8, 28) }); // §5.134 (28 bytes)
const LPWSTR = unique(string(wchar));

export const DSNAME = struct({ // §5.50
  structLen: u32,
  SidLen: u32,
  Guid: GUID,
  Sid: NT4SID,
  NameLen: u32,
  StringName: conformantArray(wchar, { size: 'NameLen + 1', range: [0, 10485761] }),
});
export type DSNAME_t = Infer<typeof DSNAME>;

export const USN_VECTOR = struct({ usnHighObjUpdate: USN, usnReserved: USN, usnHighPropUpdate: USN }); // §5.210
export const UPTODATE_CURSOR_V1 = struct({ uuidDsa: GUID, usnHighPropUpdate: USN }); // §5.202
export const UPTODATE_VECTOR_V1_EXT = struct({ // §5.204
  dwVersion: DWORD,
  dwReserved1: DWORD,
  cNumCursors: range(DWORD, 0, 1048576),
  dwReserved2: DWORD,
  rgCursors: conformantArray(UPTODATE_CURSOR_V1, { size: 'cNumCursors' }),
});
export const UPTODATE_CURSOR_V2 = struct({ uuidDsa: GUID, usnHighPropUpdate: USN, timeLastSyncSuccess: DSTIME }); // §5.203
export const UPTODATE_VECTOR_V2_EXT = struct({ // §5.205
  dwVersion: DWORD,
  dwReserved1: DWORD,
  cNumCursors: range(DWORD, 0, 1048576),
  dwReserved2: DWORD,
  rgCursors: conformantArray(UPTODATE_CURSOR_V2, { size: 'cNumCursors' }),
});
export const OID_t = struct({ length: range(u32, 0, 10000), elements: unique(conformantArray(u8, { size: 'length' })) }); // §5.143
export const PrefixTableEntry = struct({ ndx: u32, prefix: OID_t }); // §5.154
export const SCHEMA_PREFIX_TABLE = struct({ // §5.180
  PrefixCount: range(DWORD, 0, 1048576),
  pPrefixEntry: unique(conformantArray(PrefixTableEntry, { size: 'PrefixCount' })),
});
export type SCHEMA_PREFIX_TABLE_t = Infer<typeof SCHEMA_PREFIX_TABLE>;
export const PARTIAL_ATTR_VECTOR_V1_EXT = struct({ // §5.146
  dwVersion: DWORD,
  dwReserved1: DWORD,
  cAttrs: range(DWORD, 1, 1048576),
  rgPartialAttr: conformantArray(ATTRTYP, { size: 'cAttrs' }),
});
export const ATTRVAL = struct({ valLen: range(ULONG, 0, 26214400), pVal: unique(conformantArray(u8, { size: 'valLen' })) }); // §5.16
export const ATTRVALBLOCK = struct({ valCount: range(ULONG, 0, 10485760), pAVal: unique(conformantArray(ATTRVAL, { size: 'valCount' })) }); // §5.17
export const ATTR = struct({ attrTyp: ATTRTYP, AttrVal: ATTRVALBLOCK }); // §5.9
export const ATTRBLOCK = struct({ attrCount: range(ULONG, 0, 1048576), pAttr: unique(conformantArray(ATTR, { size: 'attrCount' })) }); // §5.10
export const ENTINF = struct({ pName: unique(DSNAME), ulFlags: u32, AttrBlock: ATTRBLOCK }); // §5.53
export const PROPERTY_META_DATA_EXT = struct({ dwVersion: DWORD, timeChanged: DSTIME, uuidDsaOriginating: GUID, usnOriginating: USN }); // §5.155
export const PROPERTY_META_DATA_EXT_VECTOR = struct({ // §5.156
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
export const REPLENTINFLIST: NdrType<REPLENTINFLIST_t> = struct({ // §5.162
  pNextEntInf: unique(lazy(() => REPLENTINFLIST)),
  Entinf: ENTINF,
  fIsNCPrefix: BOOL,
  pParentGuid: unique(GUID),
  pMetaDataExt: unique(PROPERTY_META_DATA_EXT_VECTOR),
});
export const VALUE_META_DATA_EXT_V1 = struct({ timeCreated: DSTIME, MetaData: PROPERTY_META_DATA_EXT }); // §5.215
export const VALUE_META_DATA_EXT_V3 = struct({ // §5.216
  timeCreated: DSTIME,
  MetaData: PROPERTY_META_DATA_EXT,
  unused1: DWORD,
  unused2: DWORD,
  unused3: DWORD,
  timeExpired: DSTIME,
});
export const REPLVALINF_V1 = struct({ // §5.167
  pObject: unique(DSNAME), attrTyp: ATTRTYP, Aval: ATTRVAL, fIsPresent: BOOL, MetaData: VALUE_META_DATA_EXT_V1,
});
export const REPLVALINF_V3 = struct({ // §5.168
  pObject: unique(DSNAME), attrTyp: ATTRTYP, Aval: ATTRVAL, fIsPresent: BOOL, MetaData: VALUE_META_DATA_EXT_V3,
});

// ---- IDL_DRSBind / IDL_DRSUnbind (§4.1.3, §4.1.25) ----------------------------------------------
export const DRS_EXTENSIONS = struct({ cb: range(DWORD, 1, 10000), rgb: conformantArray(u8, { size: 'cb' }) }); // §5.38
export const IDL_DRSBind = operation(0, { // §4.1.3
  in: { puuidClientDsa: unique(GUID), pextClient: unique(DRS_EXTENSIONS) },
  out: { ppextServer: ref(unique(DRS_EXTENSIONS)), phDrs: ref(DRS_HANDLE) },
  returns: ULONG,
});
export const IDL_DRSUnbind = operation(1, { // §4.1.25
  in: { phDrs: ref(DRS_HANDLE) },
  out: { phDrs: ref(DRS_HANDLE) },
  returns: ULONG,
});

// ---- IDL_DRSReplicaSync (§4.1.23) ---------------------------------------------------------------
export const DRS_MSG_REPSYNC_V1 = struct({ pNC: ref(DSNAME), uuidDsaSrc: GUID, pszDsaSrc: unique(string(char)), ulOptions: ULONG }); // §4.1.23.1.2
export const DRS_MSG_REPSYNC = union({ switchType: DWORD, arms: { V1: [1, DRS_MSG_REPSYNC_V1] } }); // §4.1.23.1.1
export const IDL_DRSReplicaSync = operation(2, { // §4.1.23
  in: { hDrs: ref(DRS_HANDLE), dwVersion: DWORD, pmsgSync: ref(switchIs(DRS_MSG_REPSYNC, 'dwVersion')) },
  out: {},
  returns: ULONG,
});

// ---- IDL_DRSGetNCChanges (§4.1.10) --------------------------------------------------------------
export const DRS_MSG_GETCHGREQ_V8 = struct({ // §4.1.10.2.6
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
export const DRS_MSG_GETCHGREQ_V10 = struct({ // §4.1.10.2.7
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
  ulMoreFlags: ULONG,
});
export type DRS_MSG_GETCHGREQ_V10_t = Infer<typeof DRS_MSG_GETCHGREQ_V10>;
export const DRS_MSG_GETCHGREQ = union({ switchType: DWORD, arms: { V8: [8, DRS_MSG_GETCHGREQ_V8], V10: [10, DRS_MSG_GETCHGREQ_V10] } }); // §4.1.10.2.1

export const DRS_MSG_GETCHGREPLY_V1 = struct({ // §4.1.10.2.10
  uuidDsaObjSrc: GUID,
  uuidInvocIdSrc: GUID,
  pNC: unique(DSNAME),
  usnvecFrom: USN_VECTOR,
  usnvecTo: USN_VECTOR,
  pUpToDateVecSrcV1: unique(UPTODATE_VECTOR_V1_EXT),
  PrefixTableSrc: SCHEMA_PREFIX_TABLE,
  ulExtendedRet: ULONG,
  cNumObjects: ULONG,
  cNumBytes: ULONG,
  pObjects: unique(REPLENTINFLIST),
  fMoreData: BOOL,
});
function replyBody<V extends NdrType<any>>(valinf: V) {
  return struct({
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
    rgValues: unique(conformantArray(valinf, { size: 'cNumValues' })),
    dwDRSError: DWORD,
  });
}
export const DRS_MSG_GETCHGREPLY_V6 = replyBody(REPLVALINF_V1); // §4.1.10.2.12
export const DRS_MSG_GETCHGREPLY_V9 = replyBody(REPLVALINF_V3); // §4.1.10.2.14
export type DRS_MSG_GETCHGREPLY_V6_t = Infer<typeof DRS_MSG_GETCHGREPLY_V6>;
export type DRS_MSG_GETCHGREPLY_V9_t = Infer<typeof DRS_MSG_GETCHGREPLY_V9>;
export const DRS_COMP_ALG_TYPE = enum16(); // §4.1.10.2.18
export const DRS_COMPRESSED_BLOB = struct({ // §4.1.10.2.19
  cbUncompressedSize: DWORD,
  cbCompressedSize: DWORD,
  pbCompressedData: unique(conformantArray(u8, { size: 'cbCompressedSize' })),
});
export const DRS_MSG_GETCHGREPLY_V7 = struct({ dwCompressedVersion: DWORD, CompressionAlg: DRS_COMP_ALG_TYPE, CompressedAny: DRS_COMPRESSED_BLOB }); // §4.1.10.2.13
export const DRS_MSG_GETCHGREPLY = union({ // §4.1.10.2.9
  switchType: DWORD,
  arms: { V1: [1, DRS_MSG_GETCHGREPLY_V1], V6: [6, DRS_MSG_GETCHGREPLY_V6], V7: [7, DRS_MSG_GETCHGREPLY_V7], V9: [9, DRS_MSG_GETCHGREPLY_V9] },
});
export const IDL_DRSGetNCChanges = operation(3, { // §4.1.10
  in: { hDrs: ref(DRS_HANDLE), dwInVersion: DWORD, pmsgIn: ref(switchIs(DRS_MSG_GETCHGREQ, 'dwInVersion')) },
  out: { pdwOutVersion: ref(DWORD), pmsgOut: ref(switchIs(DRS_MSG_GETCHGREPLY, '*pdwOutVersion')) },
  returns: ULONG,
});

// ---- IDL_DRSCrackNames (§4.1.4) -----------------------------------------------------------------
export const DRS_MSG_CRACKREQ_V1 = struct({ // §4.1.4.1.2
  CodePage: ULONG,
  LocaleId: ULONG,
  dwFlags: DWORD,
  formatOffered: DWORD,
  formatDesired: DWORD,
  cNames: range(DWORD, 1, 10000),
  rpNames: unique(conformantArray(unique(string(wchar)), { size: 'cNames' })),
});
export const DRS_MSG_CRACKREQ = union({ switchType: DWORD, arms: { V1: [1, DRS_MSG_CRACKREQ_V1] } }); // §4.1.4.1.1
export const DS_NAME_RESULT_ITEMW = struct({ status: DWORD, pDomain: LPWSTR, pName: LPWSTR }); // §4.1.4.1.7
export const DS_NAME_RESULTW = struct({ cItems: DWORD, rItems: unique(conformantArray(DS_NAME_RESULT_ITEMW, { size: 'cItems' })) }); // §4.1.4.1.6
export const DRS_MSG_CRACKREPLY_V1 = struct({ pResult: unique(DS_NAME_RESULTW) }); // §4.1.4.1.5
export const DRS_MSG_CRACKREPLY = union({ switchType: DWORD, arms: { V1: [1, DRS_MSG_CRACKREPLY_V1] } }); // §4.1.4.1.4
export const IDL_DRSCrackNames = operation(12, { // §4.1.4
  in: { hDrs: ref(DRS_HANDLE), dwInVersion: DWORD, pmsgIn: ref(switchIs(DRS_MSG_CRACKREQ, 'dwInVersion')) },
  out: { pdwOutVersion: ref(DWORD), pmsgOut: ref(switchIs(DRS_MSG_CRACKREPLY, '*pdwOutVersion')) },
  returns: ULONG,
});

// ---- IDL_DRSDomainControllerInfo (§4.1.5) -------------------------------------------------------
export const DRS_MSG_DCINFOREQ_V1 = struct({ Domain: LPWSTR, InfoLevel: DWORD }); // §4.1.5.1.2
export const DRS_MSG_DCINFOREQ = union({ switchType: DWORD, arms: { V1: [1, DRS_MSG_DCINFOREQ_V1] } }); // §4.1.5.1.1
export const DS_DOMAIN_CONTROLLER_INFO_1W = struct({ // §4.1.5.1.8
  NetbiosName: LPWSTR, DnsHostName: LPWSTR, SiteName: LPWSTR, ComputerObjectName: LPWSTR, ServerObjectName: LPWSTR,
  fIsPdc: BOOL, fDsEnabled: BOOL,
});
export const DS_DOMAIN_CONTROLLER_INFO_2W = struct({ // §4.1.5.1.9
  NetbiosName: LPWSTR, DnsHostName: LPWSTR, SiteName: LPWSTR, SiteObjectName: LPWSTR, ComputerObjectName: LPWSTR,
  ServerObjectName: LPWSTR, NtdsDsaObjectName: LPWSTR,
  fIsPdc: BOOL, fDsEnabled: BOOL, fIsGc: BOOL,
  SiteObjectGuid: GUID, ComputerObjectGuid: GUID, ServerObjectGuid: GUID, NtdsDsaObjectGuid: GUID,
});
export const DS_DOMAIN_CONTROLLER_INFO_3W = struct({ // §4.1.5.1.10
  NetbiosName: LPWSTR, DnsHostName: LPWSTR, SiteName: LPWSTR, SiteObjectName: LPWSTR, ComputerObjectName: LPWSTR,
  ServerObjectName: LPWSTR, NtdsDsaObjectName: LPWSTR,
  fIsPdc: BOOL, fDsEnabled: BOOL, fIsGc: BOOL, fIsRodc: BOOL,
  SiteObjectGuid: GUID, ComputerObjectGuid: GUID, ServerObjectGuid: GUID, NtdsDsaObjectGuid: GUID,
});
export const DS_DOMAIN_CONTROLLER_INFO_FFFFFFFFW = struct({ // §4.1.5.1.11
  IPAddress: DWORD, NotificationCount: DWORD, secTimeConnected: DWORD, Flags: DWORD, TotalRequests: DWORD, Reserved1: DWORD,
  UserName: LPWSTR,
});
const dcinfoReply = <T extends NdrType<any>>(item: T) =>
  struct({ cItems: range(DWORD, 0, 10000), rItems: unique(conformantArray(item, { size: 'cItems' })) });
export const DRS_MSG_DCINFOREPLY_V1 = dcinfoReply(DS_DOMAIN_CONTROLLER_INFO_1W); // §4.1.5.1.4
export const DRS_MSG_DCINFOREPLY_V2 = dcinfoReply(DS_DOMAIN_CONTROLLER_INFO_2W); // §4.1.5.1.5
export const DRS_MSG_DCINFOREPLY_V3 = dcinfoReply(DS_DOMAIN_CONTROLLER_INFO_3W); // §4.1.5.1.6
export const DRS_MSG_DCINFOREPLY_VFFFFFFFF = dcinfoReply(DS_DOMAIN_CONTROLLER_INFO_FFFFFFFFW); // §4.1.5.1.7
export const DRS_MSG_DCINFOREPLY = union({ // §4.1.5.1.3
  switchType: DWORD,
  arms: {
    V1: [1, DRS_MSG_DCINFOREPLY_V1],
    V2: [2, DRS_MSG_DCINFOREPLY_V2],
    V3: [3, DRS_MSG_DCINFOREPLY_V3],
    VFFFFFFFF: [0xffffffff, DRS_MSG_DCINFOREPLY_VFFFFFFFF],
  },
});
export const IDL_DRSDomainControllerInfo = operation(16, { // §4.1.5
  in: { hDrs: ref(DRS_HANDLE), dwInVersion: DWORD, pmsgIn: ref(switchIs(DRS_MSG_DCINFOREQ, 'dwInVersion')) },
  out: { pdwOutVersion: ref(DWORD), pmsgOut: ref(switchIs(DRS_MSG_DCINFOREPLY, '*pdwOutVersion')) },
  returns: ULONG,
});

// ---- IDL_DRSGetReplInfo (§4.1.13) ---------------------------------------------------------------
export const DRS_MSG_GETREPLINFO_REQ_V1 = struct({ InfoType: DWORD, pszObjectDN: LPWSTR, uuidSourceDsaObjGuid: GUID }); // §4.1.13.1.3
export const DRS_MSG_GETREPLINFO_REQ_V2 = struct({ // §4.1.13.1.4
  InfoType: DWORD, pszObjectDN: LPWSTR, uuidSourceDsaObjGuid: GUID, ulFlags: DWORD,
  pszAttributeName: LPWSTR, pszValueDN: LPWSTR, dwEnumerationContext: DWORD,
});
export const DRS_MSG_GETREPLINFO_REQ = union({ switchType: DWORD, arms: { V1: [1, DRS_MSG_GETREPLINFO_REQ_V1], V2: [2, DRS_MSG_GETREPLINFO_REQ_V2] } }); // §4.1.13.1.1
export const DS_REPL_NEIGHBORW = struct({ // §5.71
  pszNamingContext: LPWSTR, pszSourceDsaDN: LPWSTR, pszSourceDsaAddress: LPWSTR, pszAsyncIntersiteTransportDN: LPWSTR,
  dwReplicaFlags: DWORD, dwReserved: DWORD,
  uuidNamingContextObjGuid: GUID, uuidSourceDsaObjGuid: GUID, uuidSourceDsaInvocationID: GUID, uuidAsyncIntersiteTransportObjGuid: GUID,
  usnLastObjChangeSynced: USN, usnAttributeFilter: USN,
  ftimeLastSyncSuccess: FILETIME, ftimeLastSyncAttempt: FILETIME,
  dwLastSyncResult: DWORD, cNumConsecutiveSyncFailures: DWORD,
});
export const DS_REPL_NEIGHBORSW = struct({ cNumNeighbors: range(DWORD, 0, 1048576), dwReserved: DWORD, rgNeighbor: conformantArray(DS_REPL_NEIGHBORW, { size: 'cNumNeighbors' }) }); // §5.72
export const DS_REPL_CURSOR = struct({ uuidSourceDsaInvocationID: GUID, usnAttributeFilter: USN }); // §5.59
export const DS_REPL_CURSORS = struct({ cNumCursors: range(DWORD, 0, 1048576), dwReserved: DWORD, rgCursor: conformantArray(DS_REPL_CURSOR, { size: 'cNumCursors' }) }); // §5.62
export const DS_REPL_ATTR_META_DATA = struct({ // §5.54
  pszAttributeName: LPWSTR, dwVersion: DWORD, ftimeLastOriginatingChange: FILETIME,
  uuidLastOriginatingDsaInvocationID: GUID, usnOriginatingChange: USN, usnLocalChange: USN,
});
export const DS_REPL_OBJ_META_DATA = struct({ cNumEntries: range(DWORD, 0, 1048576), dwReserved: DWORD, rgMetaData: conformantArray(DS_REPL_ATTR_META_DATA, { size: 'cNumEntries' }) }); // §5.75
export const DRS_MSG_GETREPLINFO_REPLY = union({ // §4.1.13.1.2 (the info types we ask for)
  switchType: DWORD,
  arms: {
    pNeighbors: [0, unique(DS_REPL_NEIGHBORSW)],
    pCursors: [1, unique(DS_REPL_CURSORS)],
    pObjMetaData: [2, unique(DS_REPL_OBJ_META_DATA)],
    pRepsTo: [6, unique(DS_REPL_NEIGHBORSW)],
  },
});
export const IDL_DRSGetReplInfo = operation(19, { // §4.1.13
  in: { hDrs: ref(DRS_HANDLE), dwInVersion: DWORD, pmsgIn: ref(switchIs(DRS_MSG_GETREPLINFO_REQ, 'dwInVersion')) },
  out: { pdwOutVersion: ref(DWORD), pmsgOut: ref(switchIs(DRS_MSG_GETREPLINFO_REPLY, '*pdwOutVersion')) },
  returns: ULONG,
});
