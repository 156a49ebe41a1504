// The stream inside a compressed GetNCChanges reply is an NDR type serialization ("pickle") of the
// reply structure (MS-DRSR §4.1.10.5.20): MS-RPCE §2.2.6 (version 1) or §2.2.7 (version 2) headers,
// then the top-level structure in NDR. This strips the headers and returns that NDR body.
import { guidToString } from '../../../ndr/index.js';
import { DrsCompressionError } from './errors.js';

const NDR_TRANSFER_SYNTAX = '8a885d04-1ceb-11c9-9fe8-08002b104860';

/** Returns the object buffer of the single top-level constructed type in a pickle (padding included). */
export function pickleBody(stream: Buffer): Buffer {
  const fail = (offset: number, expected: string, detail?: string): never => {
    throw new DrsCompressionError('ERR_DRS_COMPRESSION_PICKLE', 'pickle', offset, expected, detail);
  };
  if (stream.length < 16) fail(0, 'a type serialization header (16 bytes at least)', `${stream.length} bytes`);
  const version = stream[0]!;
  if (version !== 1 && version !== 2) fail(0, 'type serialization version 1 or 2', `${version}`);
  // Our NDR decoders are little-endian only; version 2 is little-endian by definition.
  if (stream[1] !== 0x10) fail(1, 'little-endian (0x10)', `0x${stream[1]!.toString(16)}`);
  const headerLength = stream.readUInt16LE(2);
  let body: number;
  let privateLength: number;
  if (version === 1) {
    // MS-RPCE §2.2.6.1: common header of 8 bytes; §2.2.6.2: private header of 8.
    if (headerLength !== 8) fail(2, 'CommonHeaderLength 8', `${headerLength}`);
    privateLength = 8;
    body = 8;
  } else {
    // MS-RPCE §2.2.7.1: common header of 0x40 carrying the transfer syntax; §2.2.7.2: private header of 16.
    if (headerLength !== 0x40) fail(2, 'CommonHeaderLength 0x40', `${headerLength}`);
    if (stream.length < 0x40 + 16) fail(0, 'a version 2 type serialization header (80 bytes)', `${stream.length} bytes`);
    const syntax = guidToString(stream, 24);
    if (syntax !== NDR_TRANSFER_SYNTAX) fail(24, `the NDR transfer syntax ${NDR_TRANSFER_SYNTAX}`, syntax === '71710533-beba-4937-8319-b5dbef9ccc36' ? 'NDR64 is not supported' : syntax);
    privateLength = 16;
    body = 0x40;
  }
  const length = stream.readUInt32LE(body);
  const start = body + privateLength;
  if (length > stream.length - start) fail(body, `ObjectBufferLength of at most ${stream.length - start}`, `${length}`);
  if (start + length !== stream.length) fail(start + length, 'the end of the stream after the one top-level type', `${stream.length - start - length} more bytes`);
  return stream.subarray(start, start + length);
}
