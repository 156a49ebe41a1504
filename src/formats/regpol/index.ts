// registry.pol (MS-GPREG §2.2.1): read, write, convert, diff and edit.
export * from './entry.js';
export * from './directive.js';
export * from './parser.js';
export * from './serializer.js';
export * from './stream.js';
