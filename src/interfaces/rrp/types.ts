// MS-RRP (winreg) stubs: the NDR descriptions of the IDL of MS-RRP §6, one per type and opnum, shared
// by the server (server.ts) and the client. Opnums 24, 25 and 30 carry MS-RSP's shutdown methods on
// the same interface (MS-RSP §6.3); 14 and 28 have no method at all.
import { error_status_t, DWORD, BOOLEAN, WCHAR, FILETIME, RPC_UNICODE_STRING } from '../../ndr/dtyp.js';
import { byte, char, conformantArray, conformantVaryingArray, contextHandle, operation, range, ref, struct, u8, unique } from '../../ndr/index.js';
import type { Infer } from '../../ndr/index.js';

export const RRP_UUID = '338cd001-2244-31f1-aaaa-900038001003';
export const RRP_SYNTAX = { uuid: RRP_UUID, version: 1, minor: 0 };
export const RRP_PIPE = 'winreg';

export const RPC_HKEY = contextHandle(); // §2.2.1
export const PREGISTRY_SERVER_NAME = unique(WCHAR); // §2.2.2: a pointer to one WCHAR, not a string
export const REGSAM = DWORD; // §2.2.3
export const RRP_UNICODE_STRING = RPC_UNICODE_STRING; // §2.2.4
export const SECURITY_INFORMATION = DWORD; // §2.2.9
export type RRP_UNICODE_STRING = Infer<typeof RRP_UNICODE_STRING>;

// §2.2.5. The IDL types ve_valueptr as LPDWORD, but what travels is the data's offset in lpvalueBuf
// as a plain DWORD: Samba's and impacket's stubs (the peers we interoperate with) both marshal it so.
export const RVALENT = struct({
  ve_valuename: unique(RPC_UNICODE_STRING),
  ve_valuelen: DWORD,
  ve_valueptr: DWORD,
  ve_type: DWORD,
});
export type RVALENT = Infer<typeof RVALENT>;

export const RPC_SECURITY_DESCRIPTOR = struct({ // §2.2.8
  lpSecurityDescriptor: unique(conformantVaryingArray(byte, { size: 'cbInSecurityDescriptor', length: 'cbOutSecurityDescriptor' })),
  cbInSecurityDescriptor: DWORD,
  cbOutSecurityDescriptor: DWORD,
});
export type RPC_SECURITY_DESCRIPTOR = Infer<typeof RPC_SECURITY_DESCRIPTOR>;

export const RPC_SECURITY_ATTRIBUTES = struct({ // §2.2.7
  nLength: DWORD,
  RpcSecurityDescriptor: RPC_SECURITY_DESCRIPTOR,
  bInheritHandle: BOOLEAN,
});
export type RPC_SECURITY_ATTRIBUTES = Infer<typeof RPC_SECURITY_ATTRIBUTES>;

/** [range(0, 0x4000000)] on lpData of BaseRegQueryValue and BaseRegEnumValue. */
export const MAX_VALUE_BUFFER = 0x4000000;
const lpDataBuffer = unique(conformantVaryingArray(byte, { size: 'lpcbData ? *lpcbData : 0', length: 'lpcbLen ? *lpcbLen : 0', range: [0, MAX_VALUE_BUFFER] }));

const openPredefined = (opnum: number) =>
  operation(opnum, {
    in: { ServerName: PREGISTRY_SERVER_NAME, samDesired: REGSAM },
    out: { phKey: RPC_HKEY },
    returns: error_status_t,
  });

export const OpenClassesRoot = openPredefined(0); // §3.1.5.1
export const OpenCurrentUser = openPredefined(1); // §3.1.5.2
export const OpenLocalMachine = openPredefined(2); // §3.1.5.3
export const OpenPerformanceData = openPredefined(3); // §3.1.5.4
export const OpenUsers = openPredefined(4); // §3.1.5.5

export const BaseRegCloseKey = operation(5, { // §3.1.5.6
  in: { hKey: RPC_HKEY },
  out: { hKey: RPC_HKEY },
  returns: error_status_t,
});

export const BaseRegCreateKey = operation(6, { // §3.1.5.7
  in: {
    hKey: RPC_HKEY,
    lpSubKey: RRP_UNICODE_STRING,
    lpClass: RRP_UNICODE_STRING,
    dwOptions: DWORD,
    samDesired: REGSAM,
    lpSecurityAttributes: unique(RPC_SECURITY_ATTRIBUTES),
    lpdwDisposition: unique(DWORD),
  },
  out: { phkResult: RPC_HKEY, lpdwDisposition: unique(DWORD) },
  returns: error_status_t,
});

export const BaseRegDeleteKey = operation(7, { // §3.1.5.8
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING },
  out: {},
  returns: error_status_t,
});

export const BaseRegDeleteValue = operation(8, { // §3.1.5.9
  in: { hKey: RPC_HKEY, lpValueName: RRP_UNICODE_STRING },
  out: {},
  returns: error_status_t,
});

export const BaseRegEnumKey = operation(9, { // §3.1.5.10
  in: {
    hKey: RPC_HKEY,
    dwIndex: DWORD,
    lpNameIn: RRP_UNICODE_STRING,
    lpClassIn: unique(RRP_UNICODE_STRING),
    lpftLastWriteTime: unique(FILETIME),
  },
  out: {
    lpNameOut: RRP_UNICODE_STRING,
    lplpClassOut: ref(unique(RPC_UNICODE_STRING)),
    lpftLastWriteTime: unique(FILETIME),
  },
  returns: error_status_t,
});

export const BaseRegEnumValue = operation(10, { // §3.1.5.11
  in: {
    hKey: RPC_HKEY,
    dwIndex: DWORD,
    lpValueNameIn: RRP_UNICODE_STRING,
    lpType: unique(DWORD),
    lpData: lpDataBuffer,
    lpcbData: unique(DWORD),
    lpcbLen: unique(DWORD),
  },
  out: {
    lpValueNameOut: RPC_UNICODE_STRING,
    lpType: unique(DWORD),
    lpData: lpDataBuffer,
    lpcbData: unique(DWORD),
    lpcbLen: unique(DWORD),
  },
  returns: error_status_t,
});

export const BaseRegFlushKey = operation(11, { // §3.1.5.12
  in: { hKey: RPC_HKEY },
  out: {},
  returns: error_status_t,
});

export const BaseRegGetKeySecurity = operation(12, { // §3.1.5.13
  in: { hKey: RPC_HKEY, SecurityInformation: SECURITY_INFORMATION, pRpcSecurityDescriptorIn: RPC_SECURITY_DESCRIPTOR },
  out: { pRpcSecurityDescriptorOut: RPC_SECURITY_DESCRIPTOR },
  returns: error_status_t,
});

export const BaseRegLoadKey = operation(13, { // §3.1.5.14
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING, lpFile: RRP_UNICODE_STRING },
  out: {},
  returns: error_status_t,
});

export const Opnum14NotImplemented = 14; // §3.1.5 (no method)

export const BaseRegOpenKey = operation(15, { // §3.1.5.15
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING, dwOptions: DWORD, samDesired: REGSAM },
  out: { phkResult: RPC_HKEY },
  returns: error_status_t,
});

export const BaseRegQueryInfoKey = operation(16, { // §3.1.5.16
  in: { hKey: RPC_HKEY, lpClassIn: RRP_UNICODE_STRING },
  out: {
    lpClassOut: RPC_UNICODE_STRING,
    lpcSubKeys: DWORD,
    lpcbMaxSubKeyLen: DWORD,
    lpcbMaxClassLen: DWORD,
    lpcValues: DWORD,
    lpcbMaxValueNameLen: DWORD,
    lpcbMaxValueLen: DWORD,
    lpcbSecurityDescriptor: DWORD,
    lpftLastWriteTime: FILETIME,
  },
  returns: error_status_t,
});

export const BaseRegQueryValue = operation(17, { // §3.1.5.17
  in: {
    hKey: RPC_HKEY,
    lpValueName: RRP_UNICODE_STRING,
    lpType: unique(DWORD),
    lpData: lpDataBuffer,
    lpcbData: unique(DWORD),
    lpcbLen: unique(DWORD),
  },
  out: {
    lpType: unique(DWORD),
    lpData: lpDataBuffer,
    lpcbData: unique(DWORD),
    lpcbLen: unique(DWORD),
  },
  returns: error_status_t,
});

export const BaseRegReplaceKey = operation(18, { // §3.1.5.18
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING, lpNewFile: RRP_UNICODE_STRING, lpOldFile: RRP_UNICODE_STRING },
  out: {},
  returns: error_status_t,
});

export const BaseRegRestoreKey = operation(19, { // §3.1.5.19
  in: { hKey: RPC_HKEY, lpFile: RRP_UNICODE_STRING, Flags: DWORD },
  out: {},
  returns: error_status_t,
});

export const BaseRegSaveKey = operation(20, { // §3.1.5.20
  in: { hKey: RPC_HKEY, lpFile: RRP_UNICODE_STRING, pSecurityAttributes: unique(RPC_SECURITY_ATTRIBUTES) },
  out: {},
  returns: error_status_t,
});

export const BaseRegSetKeySecurity = operation(21, { // §3.1.5.21
  in: { hKey: RPC_HKEY, SecurityInformation: SECURITY_INFORMATION, pRpcSecurityDescriptor: RPC_SECURITY_DESCRIPTOR },
  out: {},
  returns: error_status_t,
});

export const BaseRegSetValue = operation(22, { // §3.1.5.22
  in: {
    hKey: RPC_HKEY,
    lpValueName: RRP_UNICODE_STRING,
    dwType: DWORD,
    lpData: conformantArray(byte, { size: 'cbData' }),
    cbData: DWORD,
  },
  out: {},
  returns: error_status_t,
});

export const BaseRegUnLoadKey = operation(23, { // §3.1.5.23
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING },
  out: {},
  returns: error_status_t,
});

// MS-RSP §3.1.4.1: PREG_UNICODE_STRING is a unique RPC_UNICODE_STRING
export const BaseInitiateSystemShutdown = operation(24, {
  in: {
    ServerName: PREGISTRY_SERVER_NAME,
    lpMessage: unique(RPC_UNICODE_STRING),
    dwTimeout: DWORD,
    bForceAppsClosed: u8,
    bRebootAfterShutdown: u8,
  },
  out: {},
  returns: error_status_t,
});

export const BaseAbortSystemShutdown = operation(25, { // MS-RSP §3.1.4.2
  in: { ServerName: PREGISTRY_SERVER_NAME },
  out: {},
  returns: error_status_t,
});

export const BaseRegGetVersion = operation(26, { // §3.1.5.24
  in: { hKey: RPC_HKEY },
  out: { lpdwVersion: DWORD },
  returns: error_status_t,
});

export const OpenCurrentConfig = openPredefined(27); // §3.1.5.25

export const Opnum28NotImplemented = 28; // §3.1.5 (no method)

const val_list = conformantVaryingArray(RVALENT, { size: 'num_vals', length: 'num_vals' });
const lpvalueBuf = unique(conformantVaryingArray(char, { size: '*ldwTotsize', length: '*ldwTotsize' }));

export const BaseRegQueryMultipleValues = operation(29, { // §3.1.5.26
  in: { hKey: RPC_HKEY, val_listIn: val_list, num_vals: DWORD, lpvalueBuf, ldwTotsize: DWORD },
  out: { val_listOut: val_list, lpvalueBuf, ldwTotsize: DWORD },
  returns: error_status_t,
});

export const BaseInitiateSystemShutdownEx = operation(30, { // MS-RSP §3.1.4.3
  in: {
    ServerName: PREGISTRY_SERVER_NAME,
    lpMessage: unique(RPC_UNICODE_STRING),
    dwTimeout: DWORD,
    bForceAppsClosed: u8,
    bRebootAfterShutdown: u8,
    dwReason: DWORD,
  },
  out: {},
  returns: error_status_t,
});

export const BaseRegSaveKeyEx = operation(31, { // §3.1.5.27
  in: { hKey: RPC_HKEY, lpFile: RRP_UNICODE_STRING, pSecurityAttributes: unique(RPC_SECURITY_ATTRIBUTES), Flags: DWORD },
  out: {},
  returns: error_status_t,
});

export const OpenPerformanceText = openPredefined(32); // §3.1.5.28
export const OpenPerformanceNlsText = openPredefined(33); // §3.1.5.29

export const BaseRegQueryMultipleValues2 = operation(34, { // §3.1.5.30
  in: { hKey: RPC_HKEY, val_listIn: val_list, num_vals: DWORD, lpvalueBuf, ldwTotsize: DWORD },
  out: { val_listOut: val_list, lpvalueBuf, ldwRequiredSize: DWORD },
  returns: error_status_t,
});

export const BaseRegDeleteKeyEx = operation(35, { // §3.1.5.31
  in: { hKey: RPC_HKEY, lpSubKey: RRP_UNICODE_STRING, AccessMask: REGSAM, Reserved: DWORD },
  out: {},
  returns: error_status_t,
});
