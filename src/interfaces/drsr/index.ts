// MS-DRSR (drsuapi) replication client: connect, replicate an NC fully or incrementally, decode, decrypt.
export { DrsClient, DRS_EXT, DRS_EXT2, DS_NAME_FORMAT, dsname, offersCompression, encodeExtensions, decodeExtensions, decodeGetNCChangesResponse, type DrsConnectOptions, type DrsExtensions, type CrackedName, type GetNCChangesReply, type GetNCChangesRequest } from './client.js';
export { replicate, replicateObject, loadSchema, decodeReplyPage, dnFromTree, inNc, DRS_OPTIONS, DRS_GET_TGT, EXOP_REPL_OBJ, type ReplicateOptions, type ReplicateObjectOptions, type ReplicationSource, type ReplicatedObject, type ReplicatedLink, type Page } from './replicate.js';
export { objectToLdif, linksToLdif } from './ldif.js';
export { loadState, saveState, emptyState, type ReplicationState, type Cursor } from './state.js';
export { PrefixTable, oidToBer, berToOid, DEFAULT_SCHEMA_INFO } from './prefix-table.js';
export { Schema, type AttributeInfo } from './decode/schema.js';
export { decodeValue, dstimeToGeneralized, type PlainValue } from './decode/syntax.js';
export { decryptSecretValue, removeRidDes, decryptAttribute, parseSupplementalCredentials, SECRET_ATTRIBUTES, type SupplementalCredentials, type KerberosKey } from './secrets.js';
export { DrsError, DrsSecretError, DRS_STATUS, EXOP_ERR, DS_NAME_ERROR, drsStatusName } from './errors.js';
export * as types from './types.js';
export * as compression from './compression/index.js';
