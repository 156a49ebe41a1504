// One codec per SMB2 message, shared by the client and the server.
export * from './header.js';
export * from './negotiate.js';
export * from './session-setup.js';
export * from './simple.js';
export * from './tree-connect.js';
export * from './create.js';
export * from './close.js';
export * from './read.js';
export * from './write.js';
export * from './ioctl.js';
export * from './query-info.js';
export * from './set-info.js';
export * from './error.js';
export * from './smb1-negotiate.js';
export * from './decode.js';
export * from './transform.js';
