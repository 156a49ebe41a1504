// Decodes any SMB2 message by its header's Command and direction: for tools, fuzzing and tests.
// Servers and clients call the per-message decoders directly.
import { fail } from '../bytes.js';
import { Smb2Command as K, SMB2_FLAGS_SERVER_TO_REDIR } from '../constants.js';
import { decodeCloseRequest, decodeCloseResponse } from './close.js';
import { decodeCreateRequest, decodeCreateResponse } from './create.js';
import { decodeErrorResponse } from './error.js';
import { decodeHeader, splitCompound, type Smb2Header } from './header.js';
import { decodeIoctlRequest, decodeIoctlResponse } from './ioctl.js';
import { decodeNegotiateRequest, decodeNegotiateResponse } from './negotiate.js';
import { decodeQueryInfoRequest, decodeQueryInfoResponse } from './query-info.js';
import { decodeReadRequest, decodeReadResponse } from './read.js';
import { decodeSessionSetupRequest, decodeSessionSetupResponse } from './session-setup.js';
import { decodeSetInfoRequest, decodeSetInfoResponse } from './set-info.js';
import { decodeSimple } from './simple.js';
import { decodeSmb1Negotiate, isSmb1 } from './smb1-negotiate.js';
import { decodeTransformHeader, isTransform, type TransformHeader } from './transform.js';
import { decodeTreeConnectRequest, decodeTreeConnectResponse } from './tree-connect.js';
import { decodeWriteRequest, decodeWriteResponse } from './write.js';

export interface DecodedMessage {
  hdr: Smb2Header;
  body: unknown;
}

// §3.3.4.4: these statuses come with a normal response body, every other non-zero one with ERROR
const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
const STATUS_BUFFER_OVERFLOW = 0x80000005;

export function decodeMessage(msg: Buffer): DecodedMessage {
  const hdr = decodeHeader(msg);
  const response = (hdr.flags & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
  if (response && hdr.status !== 0) {
    const normal = (hdr.status === STATUS_MORE_PROCESSING_REQUIRED && hdr.command === K.SESSION_SETUP) ||
      (hdr.status === STATUS_BUFFER_OVERFLOW && (hdr.command === K.READ || hdr.command === K.IOCTL || hdr.command === K.QUERY_INFO));
    if (!normal) return { hdr, body: decodeErrorResponse(msg) };
  }
  switch (hdr.command) {
    case K.NEGOTIATE: return { hdr, body: response ? decodeNegotiateResponse(msg) : decodeNegotiateRequest(msg) };
    case K.SESSION_SETUP: return { hdr, body: response ? decodeSessionSetupResponse(msg) : decodeSessionSetupRequest(msg) };
    case K.LOGOFF: case K.TREE_DISCONNECT: case K.ECHO: case K.CANCEL:
      decodeSimple(msg, 'message');
      return { hdr, body: null };
    case K.TREE_CONNECT: return { hdr, body: response ? decodeTreeConnectResponse(msg) : decodeTreeConnectRequest(msg) };
    case K.CREATE: return { hdr, body: response ? decodeCreateResponse(msg) : decodeCreateRequest(msg) };
    case K.CLOSE: return { hdr, body: response ? decodeCloseResponse(msg) : decodeCloseRequest(msg) };
    case K.READ: return { hdr, body: response ? decodeReadResponse(msg) : decodeReadRequest(msg) };
    case K.WRITE: return { hdr, body: response ? decodeWriteResponse(msg) : decodeWriteRequest(msg) };
    case K.IOCTL: return { hdr, body: response ? decodeIoctlResponse(msg) : decodeIoctlRequest(msg) };
    case K.QUERY_INFO: return { hdr, body: response ? decodeQueryInfoResponse(msg) : decodeQueryInfoRequest(msg) };
    case K.SET_INFO: return { hdr, body: response ? decodeSetInfoResponse(msg) : decodeSetInfoRequest(msg) };
    default: return fail(12, 'a command this codec knows', `got 0x${hdr.command.toString(16)}`);
  }
}

/**
 * All messages of a Direct TCP frame payload. An SMB1 negotiate is returned as its dialect list, an
 * encrypted frame as its TRANSFORM_HEADER (the rest needs the session key).
 */
export function decodeFrame(frame: Buffer): DecodedMessage[] | { smb1: string[] } | { transform: TransformHeader } {
  if (isSmb1(frame)) return { smb1: decodeSmb1Negotiate(frame).dialects };
  if (isTransform(frame)) return { transform: decodeTransformHeader(frame) };
  return splitCompound(frame).map(decodeMessage);
}
