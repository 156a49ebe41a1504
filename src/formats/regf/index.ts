export { baseBlockChecksum, parseBaseBlock, serializeBaseBlock, type BaseBlock } from './baseblock.js';
export { Hive, readHive, MAX_KEY_DEPTH, type HiveKey, type HiveValue, type HiveSecurity, type WalkEntry, type OpenHiveOptions } from './reader.js';
export { writeHive, filetimeNow, type WriteHiveOptions } from './writer.js';
export { checkHive, type HiveCheck } from './check.js';
export { hiveToRegChunks } from './toreg.js';
export { BufferSource, FileSource, type HiveSource } from './source.js';
export { lhHash, isCompressible } from './names.js';
export { defaultSecurityDescriptor } from './security.js';
