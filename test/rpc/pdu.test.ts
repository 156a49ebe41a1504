import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/util/errors.js';
import { PduParser } from '../../src/rpc/parser.js';
import { NDR20_UUID, PFC_DID_NOT_EXECUTE, PFC_SUPPORT_HEADER_SIGN } from '../../src/rpc/pdu/constants.js';
import { decodePdu, encodePdu } from '../../src/rpc/pdu/pdu.js';
import type { DecodedPdu, Pdu } from '../../src/rpc/pdu/types.js';
import { STATUS } from '../../src/rpc/status.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const EPM = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';

function strip(p: DecodedPdu): Pdu {
  const { info: _info, ...rest } = p;
  return rest as Pdu;
}

describe('PDU codec on captures from impacket and Samba', () => {
  it('impacket bind: one NDR 2.0 context for the EPM, no auth; re-encodes to the same bytes', () => {
    const buf = fixture('impacket-bind.bin');
    const p = decodePdu(buf);
    expect(p).toMatchObject({ type: 'bind', callId: 1, assocGroupId: 0 });
    if (p.type !== 'bind') throw new Error('not a bind');
    expect(p.contexts).toEqual([{ contextId: 0, abstractSyntax: { uuid: EPM, version: 3, minor: 0 }, transferSyntaxes: [{ uuid: NDR20_UUID, version: 2, minor: 0 }] }]);
    expect(encodePdu(strip(p))).toEqual(buf);
  });

  it('impacket ept_lookup request: opnum 2, stub to the end of the frame; re-encodes identically', () => {
    const buf = fixture('impacket-ept_lookup-request.bin');
    const p = decodePdu(buf);
    expect(p).toMatchObject({ type: 'request', opnum: 2, contextId: 0 });
    if (p.type !== 'request') throw new Error('not a request');
    expect(p.stub.length).toBe(buf.length - 24);
    expect(p.allocHint).toBe(p.stub.length);
    expect(encodePdu(strip(p))).toEqual(buf);
  });

  it('Samba bind with NTLM at privacy: header signing offered, trailer at frag_length - auth_length - 8', () => {
    const buf = fixture('samba-bind-ntlm-privacy.bin');
    const p = decodePdu(buf);
    expect(p.type).toBe('bind');
    expect(p.flags & PFC_SUPPORT_HEADER_SIGN).toBe(PFC_SUPPORT_HEADER_SIGN);
    expect(p.auth).toMatchObject({ authType: 10, authLevel: 6 });
    expect(p.auth!.token.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(p.info.trailerOffset).toBe(buf.length - p.auth!.token.length - 8);
    expect(encodePdu(strip(p))).toEqual(buf);
  });

  it('Samba SPNEGO legs: bind and alter_context with auth type 9, re-encoded identically', () => {
    for (const name of ['samba-bind-spnego.bin', 'samba-alter_context-spnego.bin']) {
      const buf = fixture(name);
      const p = decodePdu(buf);
      expect(['bind', 'alter_context']).toContain(p.type);
      expect(p.auth).toMatchObject({ authType: 9, authLevel: 6 });
      expect(p.auth!.token[0]).toBeOneOf([0x60, 0xa1]); // NegTokenInit (APPLICATION 0) / NegTokenResp ([1])
      expect(encodePdu(strip(p))).toEqual(buf);
    }
  });

  it('Samba rpc_auth_3 and the DC bind_ack carry NTLM AUTHENTICATE / CHALLENGE', () => {
    const a3 = decodePdu(fixture('samba-rpc_auth_3.bin'));
    expect(a3.type).toBe('rpc_auth_3');
    expect(a3.auth!.token.readUInt32LE(8)).toBe(3); // MessageType AUTHENTICATE
    const ack = decodePdu(fixture('samba-dc-bind_ack-ntlm.bin'));
    if (ack.type !== 'bind_ack') throw new Error('not a bind_ack');
    expect(ack.secAddr).toBe('135');
    expect(ack.results).toEqual([{ result: 0, reason: 0, transferSyntax: { uuid: NDR20_UUID, version: 2, minor: 0 } }]);
    expect(ack.auth!.token.readUInt32LE(8)).toBe(2); // MessageType CHALLENGE
    expect(encodePdu(strip(ack))).toEqual(fixture('samba-dc-bind_ack-ntlm.bin'));
  });

  it('sealed request/response: the auth pad makes stub + pad a multiple of 16', () => {
    for (const name of ['samba-request-sealed.bin', 'samba-dc-response-sealed.bin']) {
      const p = decodePdu(fixture(name));
      expect(['request', 'response']).toContain(p.type);
      const stubLen = (p as { stub: Buffer }).stub.length;
      expect((stubLen + p.auth!.authPadLength) % 16).toBe(0);
      expect(p.auth).toMatchObject({ authType: 10, authLevel: 6 });
      expect(p.auth!.token.length).toBe(16);
    }
  });

  it('Samba fault, rejected bind_ack and bind_nak', () => {
    const f = decodePdu(fixture('samba-dc-fault-op_rng_error.bin'));
    expect(f).toMatchObject({ type: 'fault', status: STATUS.nca_s_op_rng_error });
    expect(f.flags & PFC_DID_NOT_EXECUTE).toBe(PFC_DID_NOT_EXECUTE);
    expect(encodePdu(strip(f))).toEqual(fixture('samba-dc-fault-op_rng_error.bin'));
    const r = decodePdu(fixture('samba-dc-bind_ack-rejected.bin'));
    expect(r).toMatchObject({ type: 'bind_ack', results: [{ result: 2, reason: 1 }] });
    expect(encodePdu(strip(r))).toEqual(fixture('samba-dc-bind_ack-rejected.bin'));
    expect(decodePdu(fixture('samba-dc-bind_nak.bin'))).toMatchObject({ type: 'bind_nak', rejectReason: 0, versions: [{ major: 5, minor: 0 }] });
  });

  it('round-trips every PDU type', () => {
    const auth = { authType: 10, authLevel: 5, authPadLength: 0, authContextId: 7, token: Buffer.alloc(16, 0xab) };
    const pdus: Pdu[] = [
      { type: 'alter_context', flags: 0, callId: 9, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0x1234, contexts: [], auth },
      { type: 'alter_context_resp', flags: 3, callId: 9, maxXmitFrag: 4280, maxRecvFrag: 4280, assocGroupId: 0x1234, secAddr: '', results: [] },
      { type: 'request', flags: 3, callId: 5, allocHint: 3, contextId: 1, opnum: 4, object: '01234567-89ab-cdef-0123-456789abcdef', stub: Buffer.from('abc'), auth },
      { type: 'response', flags: 3, callId: 5, allocHint: 17, contextId: 1, cancelCount: 0, stub: Buffer.alloc(17, 1), auth },
      { type: 'shutdown', flags: 3, callId: 0 },
      { type: 'co_cancel', flags: 3, callId: 5 },
      { type: 'orphaned', flags: 3, callId: 5 },
    ];
    for (const p of pdus) {
      const d = decodePdu(encodePdu(p));
      const back = strip(d) as Pdu & { auth?: { authPadLength: number } };
      if (back.auth) back.auth = { ...back.auth, authPadLength: 0 };
      expect(back).toEqual({ ...p, flags: d.flags });
    }
  });
});

/** A valid frame with one byte range replaced. */
function patch(name: string, at: number, bytes: number[]): Buffer {
  const b = Buffer.from(fixture(name));
  Buffer.from(bytes).copy(b, at);
  return b;
}

describe('malformed PDUs give a FormatError at the right offset', () => {
  const cases: [string, Buffer, number, RegExp][] = [
    ['short header', fixture('impacket-bind.bin').subarray(0, 10), 10, /16-byte PDU header/],
    ['rpc_vers 4', patch('impacket-bind.bin', 0, [4]), 0, /rpc_vers 5/],
    ['rpc_vers_minor 7', patch('impacket-bind.bin', 1, [7]), 1, /rpc_vers_minor/],
    ['big-endian drep', patch('impacket-bind.bin', 4, [0x00]), 4, /packed_drep/],
    ['frag_length != frame', patch('impacket-bind.bin', 8, [0x50, 0]), 8, /frag_length 72/],
    ['auth_length past the frame', patch('samba-bind-ntlm-privacy.bin', 10, [0xff, 0x00]), 10, /auth_length/],
    ['auth_pad_length past the body', patch('samba-request-sealed.bin', 160 - 16 - 8 + 2, [0xfe]), 138, /auth_pad_length/],
    ['n_context_elem 200 in 72 bytes', patch('impacket-bind.bin', 24, [200]), 24, /200 presentation contexts/],
    ['n_transfer_syn 255', patch('impacket-bind.bin', 30, [255]), 52, /255 transfer syntaxes/],
    ['bind_ack sec_addr length 0xffff', patch('samba-dc-bind_ack-rejected.bin', 24, [0xff, 0xff]), 26, /sec_addr/],
    ['bind_ack n_results 9', patch('samba-dc-bind_ack-rejected.bin', 32, [9]), 32, /9 presentation context results/],
    ['unknown PTYPE 1 (connectionless)', patch('impacket-bind.bin', 2, [1]), 2, /connection-oriented PTYPE/],
    ['fault cut before status', Buffer.concat([patch('samba-dc-fault-op_rng_error.bin', 8, [26, 0]).subarray(0, 26)]), 24, /status/],
  ];
  for (const [what, buf, offset, expected] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        decodePdu(buf);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).code).toBe('ERR_FORMAT');
      expect((err as FormatError).offset).toBe(offset);
      expect((err as FormatError).message).toMatch(expected);
    });
  }

  it('rpc_auth_3 without auth_length', () => {
    const b = Buffer.from(fixture('samba-rpc_auth_3.bin').subarray(0, 20));
    b.writeUInt16LE(20, 8);
    b.writeUInt16LE(0, 10);
    expect(() => decodePdu(b)).toThrow(/auth_length > 0 in rpc_auth_3/);
  });
});

describe('incremental parser', () => {
  const frames = ['impacket-bind.bin', 'samba-dc-bind_ack-ntlm.bin', 'samba-rpc_auth_3.bin', 'samba-request-sealed.bin'].map(fixture);
  const stream = Buffer.concat(frames);

  for (const size of [1, 2, 7, 16, 17, 100, stream.length]) {
    it(`splits a stream fed in ${size}-byte pieces into the same frames`, () => {
      const p = new PduParser();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) p.push(stream.subarray(i, i + size), (f) => out.push(f));
      expect(out).toEqual(frames);
      expect(p.pending).toBe(0);
    });
  }

  it('refuses frag_length above the limit before buffering the body', () => {
    const p = new PduParser(100);
    expect(() => p.push(fixture('samba-dc-bind_ack-ntlm.bin').subarray(0, 16), () => {})).toThrow(/frag_length <= 100/);
  });

  it('refuses frag_length below the header size', () => {
    const b = Buffer.from(fixture('impacket-bind.bin'));
    b.writeUInt16LE(8, 8);
    expect(() => new PduParser().push(b, () => {})).toThrow(/frag_length >= 16/);
  });
});
