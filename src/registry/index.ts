// The registry data store of MS-RRP §3.1.1.
//
// API
// ---
//   const store = await RegistryStore.open({ data: '/var/lib/hivewire' });   // embedded (default)
//   const store = await RegistryStore.open({ postgres: 'postgres://u@h/db' }); // shared by processes
//   const store = await RegistryStore.open();                                  // memory only
//
// (a) Path API for tools and the policy engine — trusted (no access checks), paths like
//     `HKLM\Software\X`, `HKEY_LOCAL_MACHINE\...`, `HKU\S-1-5-21-...\...`, `HKCU\...` (= HKU\S-1-5-18):
//   createKey(path, { volatile?, linkTarget?, className?, securityDescriptor?, view? }) → { created }
//   openKey(path, { openLink?, view? }) → { path, className, lastWrite, subKeys, values, volatile, link }
//   keyExists(path) → boolean
//   setValue(path, name, type, data: Buffer)            creates the key if missing
//   getValue(path, name) → { type, data } | undefined   data (here and in every read) is a view of
//                                                       the store's memory: copy it before changing it
//   deleteValue(path, name) → boolean                   false when absent
//   deleteKey(path, { recursive?, link? })              without recursive: ERROR_ACCESS_DENIED if it has subkeys
//   listSubkeys(path) → string[]                        enumeration order (upper-case name order)
//   listValues(path) → { name, type, data }[]           insertion order
//   getSecurity(path, secInfo?) / setSecurity(path, sd, secInfo?)   self-relative descriptors
//   transaction(async (tx) => { tx.setValue(...); ... })  all of it commits durably, or none of it
//   watch(path, { subtree?, filter? }) → Watcher         EventEmitter 'change' + async iterator
//   reflect(path)                                       copy a reflected key to the other view (option reflection: 'vista')
//   flush(), close()
//
// (b) Handle API for the RRP server — `const s = store.openSession(token)` per client (no token =
//     trusted); every method throws Win32Error with the code the RRP method returns (`err.status`):
//   s.openPredefined('HKEY_LOCAL_MACHINE' | 'HKEY_CURRENT_USER' | 'HKEY_CLASSES_ROOT' | 'HKEY_USERS' |
//                    'HKEY_CURRENT_CONFIG' | 'HKEY_PERFORMANCE_DATA' | ..._TEXT | ..._NLSTEXT, sam) → KeyHandle
//   s.openKey(h, subKey, { options: REG_OPTION_OPEN_LINK | REG_OPTION_BACKUP_RESTORE, sam })  §3.1.5.15
//   s.createKey(h, subKey, { className, options, sam, securityDescriptor }) → { handle, disposition }  §3.1.5.7
//   s.enumKey(h, i) → { name, className, lastWrite }      §3.1.5.10 (ERROR_NO_MORE_ITEMS at the end)
//   s.enumValue(h, i) → { name, type, data }              §3.1.5.11
//   s.enumKeyAt(h, i) / s.enumValueAt(h, i)               the same, undefined past the end (no throw)
//   s.queryInfoKey(h) → KeyInfo                           §3.1.5.16
//   s.queryValue(h, name), s.setValue(h, name, type, data), s.deleteValue(h, name)   §3.1.5.17/.22/.9
//   s.deleteKey(h, subKey, { sam?, ex? })                 §3.1.5.8 / §3.1.5.31 (ex: DeleteKeyEx errors)
//   s.getKeySecurity(h, secInfo), s.setKeySecurity(h, secInfo, sd)   §3.1.5.13 / §3.1.5.21
//   s.flushKey(h), s.closeKey(h), s.watch(h, opts), s.close() (rundown of all its handles)
//   s.closeKey(h) returns the promise of the UPDATECOPY copy (reflection 'vista', §3.1.5.6; never rejects)
//
// Storage: backend.ts is the interface; memory.ts, embedded.ts (journal + snapshot in a directory),
// postgres.ts. Security: security.ts is the one place the store meets src/security (windowsSecurity is
// the default model; permissiveSecurity grants everything).

export { RegistryStore, PathApi, filetimeFromMs, type StoreOptions, type KeyOptions, type KeySummary } from './store.js';
export { RegistrySession, KeyHandle, SYSTEM_SID, mapGeneric, type OpenOptions, type CreateOptions, type EnumKeyResult, type KeyInfo } from './session.js';
export { Watcher, type Notification, type WatchOptions } from './notify.js';
export { parseToolPath, toolName, objectName, type PredefinedKey } from './path.js';
export { windowsSecurity, permissiveSecurity, defaultSecurityModel, type SecurityModel, type Token } from './security.js';
export type { StorageBackend, KeyRecord, ValueRecord, ChangeEvent } from './backend.js';
export { SHARED_KEYS, redirect32, reflectionPeer, type Reflection } from './wow64.js';
export * from './constants.js';
export { Win32Error } from '../util/win32.js';
