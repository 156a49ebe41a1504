// registry.pol (MS-GPREG §2.2.1): read, write, convert, diff and edit.
export * from './entry.js';
export * from './directive.js';
export * from './parser.js';
export * from './serializer.js';
export * from './stream.js';
export * from './json.js';
export * from './diff.js';
export * from './toreg.js';
export * from './file.js';
export * from './validate.js';
