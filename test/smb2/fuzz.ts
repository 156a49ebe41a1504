// Mutation fuzzing for SMB2 (shared by the CI sample in fuzz.test.ts and the full run in
// bench/smb2-fuzz.ts). Seeds are real frames: smbclient requests and Samba responses captured on
// loopback, plus our client's pipe traffic. Targets: the message decoders, the Direct TCP framer, the
// SMB1 negotiate reader, and a whole server connection fed a valid session prefix followed by a
// mutated frame. Decoders may only throw FormatError; the server may only answer or drop the
// connection — an internal error (reported through onError) or an exception escaping is a failure.
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import * as C from '../../src/smb2/constants.js';
import { Cipher, NonceSource, encryptMessage } from '../../src/smb2/encryption.js';
import { FrameParser, encodeFrame } from '../../src/smb2/framer.js';
import * as M from '../../src/smb2/messages/index.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { FormatError } from '../../src/util/errors.js';
import type { SecurityContext } from '../../src/auth/types.js';
import { Rng } from '../harness/rng.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function seeds(): Buffer[] {
  const out: Buffer[] = readdirSync(FIXTURES).filter((f) => f.endsWith('.bin')).map((f) => readFileSync(join(FIXTURES, f)));
  // our own pipe traffic, which the captures have little of
  const fid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  const msg = (command: number, body: Buffer, flags = 0) => M.encodeMessage(M.header({ command, flags, messageId: 5n, treeId: 1, sessionId: 7n }), body);
  out.push(
    msg(C.Smb2Command.WRITE, M.encodeWriteRequest({ offset: 0n, fileId: fid, channel: 0, remainingBytes: 0, flags: 0, data: Buffer.from('0500000310000000', 'hex') })),
    msg(C.Smb2Command.IOCTL, M.encodeIoctlRequest({ ctlCode: C.FSCTL_PIPE_TRANSCEIVE, fileId: fid, input: Buffer.alloc(72, 5), maxInputResponse: 0, maxOutputResponse: 4280, flags: 1 })),
    msg(C.Smb2Command.IOCTL, M.encodeIoctlResponse({ ctlCode: C.FSCTL_PIPE_TRANSCEIVE, fileId: fid, input: Buffer.alloc(0), output: Buffer.alloc(68, 6), flags: 0 }), C.SMB2_FLAGS_SERVER_TO_REDIR),
    msg(C.Smb2Command.QUERY_INFO, M.encodeQueryInfoRequest({ infoType: 1, fileInfoClass: 24, outputBufferLength: 40, input: Buffer.alloc(0), additionalInformation: 0, flags: 0, fileId: fid })),
    msg(C.Smb2Command.SET_INFO, M.encodeSetInfoRequest({ infoType: 1, fileInfoClass: 23, buffer: Buffer.alloc(8), additionalInformation: 0, fileId: fid })),
    M.joinCompound([msg(C.Smb2Command.ECHO, M.encodeEcho()), msg(C.Smb2Command.READ, M.encodeReadRequest({ padding: 80, flags: 0, length: 100, offset: 0n, fileId: fid, minimumCount: 0, channel: 0, remainingBytes: 0 }), C.SMB2_FLAGS_RELATED_OPERATIONS)]),
    M.encodeSmb1Negotiate({ dialects: ['NT LM 0.12', 'SMB 2.002', 'SMB 2.???'] }),
    encryptMessage(msg(C.Smb2Command.ECHO, M.encodeEcho()), Buffer.alloc(16, 1), Cipher.AES_128_GCM, 7n, new NonceSource()),
  );
  return out;
}


const EDGE16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const EDGE32 = [0, 1, 63, 64, 65, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

export function mutate(input: Buffer, rng: Rng, all: Buffer[]): Buffer {
  const b = Buffer.from(input);
  const rounds = 1 + rng.int(4);
  let out = b;
  for (let r = 0; r < rounds; r++) {
    const at = out.length ? rng.int(out.length) : 0;
    switch (rng.int(9)) {
      case 0: if (out.length) out[at] = out[at]! ^ (1 << rng.int(8)); break;
      case 1: if (out.length) out[at] = rng.int(256); break;
      case 2: if (at + 2 <= out.length) out.writeUInt16LE(EDGE16[rng.int(EDGE16.length)]!, at); break;
      case 3: if (at + 4 <= out.length) out.writeUInt32LE(EDGE32[rng.int(EDGE32.length)]!, at); break;
      case 4: out = out.subarray(0, rng.int(out.length + 1)); break;
      case 5: out = Buffer.concat([out, Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256)))]); break;
      // length and offset fields of the fixed body parts sit at small even offsets after the header
      case 6: { const f = 64 + 2 * rng.int(30); if (f + 4 <= out.length) out.writeUInt32LE(rng.next(), f); break; }
      case 7: { const f = 64 + 2 * rng.int(30); if (f + 2 <= out.length) out.writeUInt16LE(EDGE16[rng.int(EDGE16.length)]!, f); break; }
      case 8: { const other = all[rng.int(all.length)]!; const cut = rng.int(out.length + 1); out = Buffer.concat([out.subarray(0, cut), other.subarray(rng.int(other.length + 1))]); break; }
    }
  }
  return out;
}

export interface FuzzStats {
  cases: number;
  formatErrors: number;
  accepted: number;
  /** Server cases whose prefix reached an open pipe (so the mutated frame met a live session). */
  serverOpens: number;
  /** Anything other than a FormatError (decoders) or an orderly answer (server): a bug. */
  failures: Array<{ target: string; seed: number; error: string }>;
}

function expectOnlyFormatErrors(target: string, seed: number, stats: FuzzStats, fn: () => void): void {
  try {
    fn();
    stats.accepted++;
  } catch (err) {
    if (err instanceof FormatError) stats.formatErrors++;
    else stats.failures.push({ target, seed, error: String((err as Error)?.stack ?? err) });
  }
}

/** A socket stand-in: the server writes to it, the fuzzer pushes bytes into it. */
class FakeSocket extends EventEmitter {
  remoteAddress = '127.0.0.99';
  destroyed = false;
  written = 0;
  setNoDelay(): this { return this; }
  setTimeout(): this { return this; }
  cork(): void {}
  uncork(): void {}
  write(b: Buffer): boolean { this.written += b.length; return true; }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

/** An acceptor that finishes at once, so mutated frames reach the tree/file/pipe commands. */
function instantAcceptor(): SecurityContext {
  return {
    authType: 0, complete: true, signatureSize: 16, sessionKey: Buffer.alloc(16, 1),
    identity: { user: 'fuzz', domain: 'FUZZ', anonymous: false },
    step: () => ({ complete: true, output: Buffer.alloc(0) }),
    sign: () => Buffer.alloc(16), verify: () => {}, sealInPlace: () => Buffer.alloc(16), unsealInPlace: () => {},
  };
}

/** Requests that take a fresh connection to an open pipe: negotiate, session, IPC$, CREATE. */
function sessionPrefix(dialect: number): Buffer[] {
  let id = 0n;
  const m = (command: number, body: Buffer, extra: Partial<M.Smb2Header> = {}) =>
    M.encodeMessage(M.header({ command, messageId: id++, credits: 64, creditCharge: 1, ...extra }), body);
  return [
    m(0, M.encodeNegotiateRequest({ securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16, 2), dialects: [dialect],
      negotiateContexts: dialect === 0x311 ? [M.encodePreauthIntegrity({ hashAlgorithms: [1], salt: Buffer.alloc(8) })] : [] })),
    m(1, M.encodeSessionSetupRequest({ flags: 0, securityMode: 1, capabilities: 0, previousSessionId: 0n, securityBuffer: Buffer.from('token') })),
  ];
}

export function makeServer(onInternalError: (err: unknown) => void): Smb2Server {
  const server = new Smb2Server({ createAcceptor: instantAcceptor, onError: onInternalError, maxAsyncRequests: 8 });
  server.registerPipe('echo', (pipe) => pipe.on('data', (d: Buffer) => pipe.write(d)));
  return server;
}

/**
 * Feeds one server connection a valid prefix, then `frame` (a mutated capture), then a few follow-up
 * requests that use the session's ids; the server must neither throw nor report an internal error.
 */
function serverCase(server: Smb2Server, frame: Buffer, rng: Rng): boolean {
  let opened = false;
  let badResponse: unknown = null;
  const sock = new FakeSocket();
  server.accept(sock as unknown as Socket);
  const dialect = C.ALL_DIALECTS[rng.int(C.ALL_DIALECTS.length)]!;
  const parser = new FrameParser();
  let sessionId = 0n;
  let treeId = 0;
  sock.write = (b: Buffer) => {
    sock.written += b.length;
    // responses must be well-formed frames of well-formed messages
    try {
      parser.parse(b, (frame) => {
        for (const { hdr } of M.decodeFrame(frame) as M.DecodedMessage[]) {
          if (hdr.command === C.Smb2Command.SESSION_SETUP) sessionId = hdr.sessionId;
          if (hdr.command === C.Smb2Command.TREE_CONNECT) treeId = hdr.treeId;
          if (hdr.command === C.Smb2Command.CREATE && hdr.status === 0) opened = true;
        }
      });
    } catch (err) {
      badResponse = err;
    }
    return true;
  };
  for (const p of sessionPrefix(dialect)) sock.emit('data', encodeFrame(p));
  let id = 2n;
  const m = (command: number, body: Buffer) => M.encodeMessage(M.header({ command, messageId: id++, credits: 8, creditCharge: 1, sessionId, treeId }), body);
  sock.emit('data', encodeFrame(m(C.Smb2Command.TREE_CONNECT, M.encodeTreeConnectRequest({ flags: 0, path: '\\\\x\\IPC$' }))));
  sock.emit('data', encodeFrame(m(C.Smb2Command.CREATE, M.encodeCreateRequest({ securityFlags: 0, requestedOplockLevel: 0, impersonationLevel: 2, smbCreateFlags: 0n, desiredAccess: 0x12019f, fileAttributes: 0, shareAccess: 3, createDisposition: 1, createOptions: 0x40, name: 'echo', createContexts: Buffer.alloc(0) }))));
  // the mutated frame, with the connection's real ids patched in half of the time so it gets past the lookups
  const f = Buffer.from(frame);
  if (rng.int(2) && f.length >= 64 && f.readUInt32LE(0) === M.SMB2_PROTOCOL_ID) {
    f.writeBigUInt64LE(id++, 24);
    f.writeUInt32LE(treeId, 36);
    f.writeBigUInt64LE(sessionId, 40);
    f.writeUInt32LE((f.readUInt32LE(16) & ~C.SMB2_FLAGS_SIGNED) >>> 0, 16);
  }
  const chunked = encodeFrame(f.length ? f : Buffer.from([0]));
  const cut = rng.int(chunked.length + 1);
  sock.emit('data', chunked.subarray(0, cut));
  sock.emit('data', chunked.subarray(cut));
  if (!sock.destroyed) sock.emit('data', encodeFrame(m(C.Smb2Command.ECHO, M.encodeEcho())));
  sock.destroy();
  if (badResponse) throw new Error(`malformed response from the server: ${String(badResponse)}`);
  return opened;
}

export function runFuzz(cases: number, seed = 1): FuzzStats {
  const all = seeds();
  const stats: FuzzStats = { cases: 0, formatErrors: 0, accepted: 0, serverOpens: 0, failures: [] };
  let internal: unknown = null;
  const server = makeServer((err) => (internal = err));
  for (let i = 0; i < cases; i++) {
    const caseSeed = (seed * 0x9e3779b1 + i) >>> 0;
    const rng = new Rng(caseSeed);
    const input = mutate(all[rng.int(all.length)]!, rng, all);
    stats.cases++;
    switch (i % 4) {
      case 0:
      case 1:
        expectOnlyFormatErrors('decodeFrame', caseSeed, stats, () => {
          const d = M.decodeFrame(input);
          if (!Array.isArray(d)) return;
          for (const x of d) if (x.body && typeof x.body === 'object' && 'dialects' in x.body) void (x.body as M.NegotiateRequest).negotiateContexts.map((c) => c.contextType);
        });
        break;
      case 2:
        expectOnlyFormatErrors('FrameParser', caseSeed, stats, () => {
          const p = new FrameParser(65536);
          const stream = rng.int(2) ? encodeFrame(input) : input;
          for (let at = 0; at < stream.length; ) {
            const n = 1 + rng.int(64);
            p.parse(stream.subarray(at, at + n), (fr) => M.decodeFrame(fr));
            at += n;
          }
        });
        break;
      case 3:
        try {
          internal = null;
          if (serverCase(server, input, rng)) stats.serverOpens++;
          if (internal) stats.failures.push({ target: 'server', seed: caseSeed, error: String((internal as Error).stack ?? internal) });
          else stats.accepted++;
        } catch (err) {
          stats.failures.push({ target: 'server', seed: caseSeed, error: String((err as Error)?.stack ?? err) });
        }
        break;
    }
  }
  void server.close();
  return stats;
}
