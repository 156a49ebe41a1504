// MS-DTYP security for the registry: SIDs, ACEs, ACLs, security descriptors (binary and SDDL), tokens,
// access check, inheritance and the default descriptors of the predefined keys.

export * from './sid.js';
export * from './guid.js';
export * from './ace.js';
export * from './acl.js';
export * from './control.js';
export * from './sddl.js';
export * from './descriptor.js';
export * from './token.js';
export * from './access.js';
export * from './inherit.js';
export * from './registry-defaults.js';
