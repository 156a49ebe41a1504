// Connection-oriented DCE/RPC: PDUs, client association, server framework, faults.
export * from './pdu/constants.js';
export type * from './pdu/types.js';
export { encodePdu, decodePdu } from './pdu/pdu.js';
export { PduParser } from './parser.js';
export { RpcClient, type ClientAuth, type RpcClientOptions, type CallOptions } from './client.js';
export { RpcServer, type RpcInterface, type CallContext, type CallIdentity, type OpHandler, type TransportInfo, type RpcServerOptions, type RpcServerLimits, type Endpoint } from './server.js';
export { ContextHandleTable, CONTEXT_HANDLE_SIZE } from './context-handles.js';
export { RpcFault, RpcBindError, RpcSecurityError, RpcProtocolError, RpcConnectionClosedError, RpcTimeoutError, RpcAbortedError } from './errors.js';
export { STATUS as RPC_STATUS, statusName as rpcStatusName } from './status.js';
export { ntlmAuth, spnegoAuth, serverSecurity, type Credentials } from './auth.js';
