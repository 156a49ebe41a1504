// NDR 2.0: one description gives the encoder and the decoder, for client and server alike.
// See docs/NDR.md for how to write a description.
export * from './type.js';
export * from './operation.js';
export * from './codec.js';
export * from './errors.js';
export * from './syntax.js';
export { guidToString, guidToBytes, NULL_GUID } from './guid.js';
export { NdrReader, NdrWriter, type WriterOptions } from './stream.js';
