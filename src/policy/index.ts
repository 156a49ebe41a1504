// Group Policy registry extension (MS-GPREG §3.2): apply registry.pol files to a registry store.
export * from './apply.js';
export * from './rollback.js';
export * from './snapshot.js';
