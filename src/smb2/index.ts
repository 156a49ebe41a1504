// SMB2/3 (MS-SMB2): a server offering IPC$ named pipes to the RPC layer, and a client for pipes and
// for reading files from shares. Message codecs are in messages/, one per message, shared by both.
export { Smb2Server, type Smb2ServerOptions } from './server.js';
export { Smb2Client, type Smb2ClientOptions, type Tree as Smb2Tree } from './client.js';
export { Smb2Pipe } from './client-pipe.js';
export { ServerPipe, pipeKey, type PipeHandler, type PipeInfo } from './pipe.js';
export { NtStatus, NtStatusError, Smb2ConnectionError, ntStatusName, isNtError, type NtStatusName } from './status.js';
export { Dialect, dialectName } from './constants.js';
export { FrameParser, encodeFrame } from './framer.js';
export { sp800108 } from './kdf.js';
export * as smb2Messages from './messages/index.js';
