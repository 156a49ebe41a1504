// The NDR 2.0 type descriptions, one file per kind of construct (C706 ch. 14, MS-RPCE §2.2.4).
export * from './base.js';
export * from './primitives.js';
export * from './struct.js';
export * from './pointer.js';
export * from './array.js';
export * from './union.js';
