// Server behaviour at the PDU level, driven with hand-made PDUs: presentation context results (NDR64
// declined, bind-time feature negotiation), header signing, cancel/orphaned, tampering, shutdown.
import { describe, expect, it } from 'vitest';
import { RpcClient } from '../../src/rpc/client.js';
import { RpcConnectionClosedError, RpcSecurityError } from '../../src/rpc/errors.js';
import { PduParser } from '../../src/rpc/parser.js';
import { PFC_SUPPORT_HEADER_SIGN } from '../../src/rpc/pdu/constants.js';
import { decodePdu, encodePdu } from '../../src/rpc/pdu/pdu.js';
import type { DecodedPdu } from '../../src/rpc/pdu/types.js';
import { RpcServer } from '../../src/rpc/server.js';
import { STATUS } from '../../src/rpc/status.js';
import { duplexPair, ECHO_UUID, echoInterface, ntlmClient, ntlmServerFactory } from './helpers.js';

const ECHO = { uuid: ECHO_UUID, version: 1, minor: 0 };
const NDR20 = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', version: 2, minor: 0 };
const NDR64 = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', version: 1, minor: 0 };
const BTFN = { uuid: '6cb71c2c-9812-4540-0300-000000000000', version: 1, minor: 0 }; // bits 0x01 | 0x02

function rawConnection(server: RpcServer) {
  const [a, b] = duplexPair();
  server.serve(b);
  const got: DecodedPdu[] = [];
  const parser = new PduParser();
  a.on('data', (d: Buffer) => parser.push(d, (f) => got.push(decodePdu(f))));
  /** Waits until `n` PDUs have arrived (then a little longer, to catch any that should not come). */
  const wait = async (n = got.length + 1, settleMs = 30) => {
    for (let i = 0; i < 500 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, settleMs));
  };
  return { a, got, wait };
}

function server() {
  const s = new RpcServer({ security: ntlmServerFactory() });
  s.register(echoInterface());
  return s;
}

describe('presentation context negotiation', () => {
  it('accepts NDR 2.0, declines NDR64 (provider_rejection / proposed_transfer_syntaxes_not_supported), acks bind-time features', async () => {
    const { a, got, wait } = rawConnection(server());
    a.write(
      encodePdu({
        type: 'bind', flags: 0, callId: 1, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0,
        contexts: [
          { contextId: 0, abstractSyntax: ECHO, transferSyntaxes: [NDR64] },
          { contextId: 1, abstractSyntax: ECHO, transferSyntaxes: [NDR20] },
          { contextId: 2, abstractSyntax: ECHO, transferSyntaxes: [BTFN] },
          { contextId: 3, abstractSyntax: { uuid: '99999999-0000-0000-0000-000000000000', version: 1, minor: 0 }, transferSyntaxes: [NDR20] },
        ],
      }),
    );
    await wait(1);
    const ack = got[0]!;
    if (ack.type !== 'bind_ack') throw new Error(`got ${ack.type}`);
    expect(ack.maxXmitFrag).toBe(4280);
    expect(ack.results.map((r) => [r.result, r.reason])).toEqual([
      [2, 2], // NDR64 declined
      [0, 0], // NDR 2.0 accepted
      [3, 2], // negotiate_ack: KeepConnectionOnOrphan only (we do not multiplex security contexts)
      [2, 1], // unknown interface: abstract_syntax_not_supported
    ]);
    expect(ack.results[1]!.transferSyntax).toEqual(NDR20);
    // a call on the NDR64 context (declined) is refused; on the NDR 2.0 one it runs
    a.write(encodePdu({ type: 'request', flags: 3, callId: 2, allocHint: 1, contextId: 0, opnum: 0, stub: Buffer.from('x') }));
    a.write(encodePdu({ type: 'request', flags: 3, callId: 3, allocHint: 1, contextId: 1, opnum: 0, stub: Buffer.from('y') }));
    await wait(3);
    expect(got[1]).toMatchObject({ type: 'fault', callId: 2, status: STATUS.nca_s_unk_if });
    expect(got[2]).toMatchObject({ type: 'response', callId: 3 });
  });

  it('echoes PFC_SUPPORT_HEADER_SIGN when the client offers it with auth', async () => {
    const s = server();
    const [a, b] = duplexPair();
    s.serve(b);
    const c = await RpcClient.bind(a, ECHO, { auth: { context: ntlmClient(), level: 5 } });
    expect(c.headerSigning).toBe(true);
    c.close();
    const { a: raw, got, wait } = rawConnection(s);
    raw.write(encodePdu({ type: 'bind', flags: PFC_SUPPORT_HEADER_SIGN, callId: 1, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0, contexts: [{ contextId: 0, abstractSyntax: ECHO, transferSyntaxes: [NDR20] }] }));
    await wait(1);
    expect(got[0]!.flags & PFC_SUPPORT_HEADER_SIGN).toBe(0); // no auth: no header signing
  });
});

describe('cancel, orphaned, tampering, shutdown', () => {
  it('orphaned drops the answer of that call; co_cancel aborts the handler; the connection stays usable', async () => {
    const { a, got, wait } = rawConnection(server());
    a.write(encodePdu({ type: 'bind', flags: 0, callId: 1, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0, contexts: [{ contextId: 0, abstractSyntax: ECHO, transferSyntaxes: [NDR20] }] }));
    const slow = Buffer.alloc(4);
    slow.writeUInt32LE(10_000, 0);
    a.write(encodePdu({ type: 'request', flags: 3, callId: 2, allocHint: 4, contextId: 0, opnum: 4, stub: slow }));
    a.write(encodePdu({ type: 'orphaned', flags: 3, callId: 2 }));
    a.write(encodePdu({ type: 'request', flags: 3, callId: 3, allocHint: 4, contextId: 0, opnum: 4, stub: slow }));
    a.write(encodePdu({ type: 'co_cancel', flags: 3, callId: 3 }));
    a.write(encodePdu({ type: 'request', flags: 3, callId: 4, allocHint: 2, contextId: 0, opnum: 0, stub: Buffer.from('ok') }));
    await wait(3, 200);
    expect(got.map((p) => [p.type, p.callId])).toEqual([
      ['bind_ack', 1],
      ['response', 3], // the cancelled handler returned early
      ['response', 4],
    ]);
  });

  it('faults a request whose signature does not verify (RPC_S_SEC_PKG_ERROR) and closes', async () => {
    const s = server();
    const [a, b] = duplexPair();
    s.serve(b);
    const origWrite = a._write.bind(a);
    let tamper = false;
    a._write = (chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void) => {
      if (tamper && chunk[2] === 0) {
        chunk = Buffer.from(chunk);
        chunk[25] ^= 1;
      }
      origWrite(chunk, enc, cb);
    };
    const c = await RpcClient.bind(a, ECHO, { auth: { context: ntlmClient(), level: 6 } });
    expect(await c.call(0, Buffer.from('one'))).toEqual(Buffer.from('one'));
    tamper = true;
    await expect(c.call(0, Buffer.from('two'))).rejects.toMatchObject({ status: STATUS.RPC_S_SEC_PKG_ERROR });
    await expect(c.call(0, Buffer.from('three'))).rejects.toBeInstanceOf(RpcConnectionClosedError);
  });

  it('a client fails its calls when the server sends shutdown', async () => {
    const [a, b] = duplexPair();
    const parser = new PduParser();
    b.on('data', (d: Buffer) =>
      parser.push(d, (f) => {
        const p = decodePdu(f);
        if (p.type === 'bind') {
          b.write(encodePdu({ type: 'bind_ack', flags: 0, callId: p.callId, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 7, secAddr: '', results: [{ result: 0, reason: 0, transferSyntax: NDR20 }] }));
        } else if (p.type === 'request') {
          b.write(encodePdu({ type: 'shutdown', flags: 0, callId: 0 }));
        }
      }),
    );
    const c = await RpcClient.bind(a, ECHO);
    expect(c.assocGroupId).toBe(7);
    await expect(c.call(0, Buffer.from('x'))).rejects.toBeInstanceOf(RpcConnectionClosedError);
  });

  it('a client rejects a response signed with the wrong key', async () => {
    const s = server();
    const [a, b] = duplexPair();
    s.serve(b);
    const c = await RpcClient.bind(a, ECHO, { auth: { context: ntlmClient(), level: 5 } });
    // a verifier that refuses everything stands for a response signed with other keys
    const sec = (c as unknown as { security: { ctx: { verify: (m: Buffer, s: Buffer) => void } } }).security;
    sec.ctx.verify = () => {
      throw new Error('bad signature');
    };
    await expect(c.call(0, Buffer.from('x'))).rejects.toBeInstanceOf(RpcSecurityError);
  });
});
