// Byte fixtures of bad NTLM messages: each decoder answers with AuthMalformedError (ERR_AUTH_MALFORMED,
// STATUS_INVALID_PARAMETER) and the offset of the problem, never a crash or a RangeError.
import { describe, expect, it } from 'vitest';
import { decodeAuthenticateMessage, decodeAvPairs, decodeChallengeMessage, decodeNegotiateMessage, decodeNtlmv2Response, NtlmServer } from '../../../src/auth/ntlm/index.js';
import { malformed } from '../malformed.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// A NEGOTIATE_MESSAGE as Windows sends it (flags 0xe2088297, Version 10.0.19041).
const NEGOTIATE = hex('4e544c4d5353500001000000978208e2 0000000000000000 0000000000000000 0a00614a0000000f');
// MS-NLMP §4.2.4.3 CHALLENGE_MESSAGE.
const CHALLENGE = hex(`4e544c4d53535000020000000c000c00380000003382 8ae20123456789abcdef00000000000000002400240044000000
0600701700 00000f530065007200760065007200 02000c0044006f006d00610069006e0001000c005300650072007600650072000000 0000`);
// MS-NLMP §4.2.4.3 AUTHENTICATE_MESSAGE, cut after the header (offsets kept).
const AUTH_HEAD = hex(`4e544c4d5353500003000000180018006c00000054005400840000000c000c00
480000000800080054000000100010005c00000010001000d800000035 8288e2 0501280a0000000f`);

describe('NTLM decoders on bad input', () => {
  it('fixtures are valid to start with', () => {
    expect(decodeNegotiateMessage(NEGOTIATE).NegotiateFlags >>> 0).toBe(0xe2088297);
    expect(decodeChallengeMessage(CHALLENGE).TargetName).toBe('Server');
  });

  it('truncated header', () => {
    for (const len of [0, 7, 11]) expect(malformed(() => decodeNegotiateMessage(NEGOTIATE.subarray(0, len))).offset).toBe(len);
    expect(malformed(() => decodeNegotiateMessage(NEGOTIATE.subarray(0, 15))).message).toMatch(/fixed part/);
    expect(malformed(() => decodeChallengeMessage(CHALLENGE.subarray(0, 31))).message).toMatch(/fixed part/);
    expect(malformed(() => decodeAuthenticateMessage(AUTH_HEAD.subarray(0, 63))).message).toMatch(/fixed part/);
  });

  it('bad signature "NTLMSSP\\0"', () => {
    const b = Buffer.from(NEGOTIATE);
    b.write('NTLMSSQ', 0, 'latin1');
    expect(malformed(() => decodeNegotiateMessage(b)).offset).toBe(0);
    const c = Buffer.from(CHALLENGE);
    c[7] = 0x20;
    expect(malformed(() => decodeChallengeMessage(c)).message).toMatch(/Signature/);
  });

  it('bad message type', () => {
    expect(malformed(() => decodeChallengeMessage(NEGOTIATE)).offset).toBe(8);
    expect(malformed(() => decodeNegotiateMessage(CHALLENGE)).message).toMatch(/MessageType 2, expected 1/);
    const b = Buffer.from(NEGOTIATE);
    b.writeUInt32LE(0xffffffff, 8);
    expect(malformed(() => decodeNegotiateMessage(b)).offset).toBe(8);
  });

  it('payload offset/length pointing outside the message', () => {
    // CHALLENGE TargetName (field at 12): length 0x0c, offset moved past the end.
    const a = Buffer.from(CHALLENGE);
    a.writeUInt32LE(CHALLENGE.length - 4, 16);
    expect(malformed(() => decodeChallengeMessage(a)).offset).toBe(12);
    // TargetInfo (field at 40): length grown by one byte past the end.
    const b = Buffer.from(CHALLENGE);
    b.writeUInt16LE(0x25, 40);
    expect(malformed(() => decodeChallengeMessage(b)).offset).toBe(40);
    // offset 0xffffffff
    const c = Buffer.from(CHALLENGE);
    c.writeUInt32LE(0xffffffff, 44);
    expect(malformed(() => decodeChallengeMessage(c)).offset).toBe(40);
    // AUTHENTICATE fields point into bytes that are not there (header only).
    expect(malformed(() => decodeAuthenticateMessage(AUTH_HEAD)).offset).toBe(12);
    // NEGOTIATE DomainName with a length but no payload
    const d = Buffer.from(NEGOTIATE);
    d.writeUInt16LE(4, 16);
    d.writeUInt32LE(40, 20);
    expect(malformed(() => decodeNegotiateMessage(d)).offset).toBe(16);
  });

  it('AV_PAIR list without MsvAvEOL or with AvLen past its end', () => {
    // Replace the final EOL (last 4 bytes) of the TargetInfo by an AvId 1 with AvLen 0 → list ends early.
    const a = Buffer.from(CHALLENGE);
    a.writeUInt16LE(1, a.length - 4);
    expect(malformed(() => decodeChallengeMessage(a)).message).toMatch(/without MsvAvEOL/);
    const b = Buffer.from(CHALLENGE);
    b.writeUInt16LE(0x7fff, 0x44 + 2); // first pair's AvLen
    const e = malformed(() => decodeChallengeMessage(b));
    expect(e.message).toMatch(/AvLen/);
    expect(e.offset).toBe(0x44);
    expect(malformed(() => decodeAvPairs(hex('0100'))).message).toMatch(/without MsvAvEOL/);
  });

  it('NTLMv2_RESPONSE too short, wrong RespType, or with a bad AvPairs list', () => {
    expect(malformed(() => decodeNtlmv2Response(Buffer.alloc(40))).token).toBe('NTLMv2_RESPONSE');
    const r = Buffer.alloc(16 + 28 + 4);
    r[16] = 2;
    r[17] = 1;
    expect(malformed(() => decodeNtlmv2Response(r)).offset).toBe(16);
    r[16] = 1;
    r.writeUInt16LE(3, 44);
    r.writeUInt16LE(100, 46);
    expect(malformed(() => decodeNtlmv2Response(r)).offset).toBe(44);
  });

  it('a server fed garbage answers with a typed error and does not complete', () => {
    const s = new NtlmServer({ accounts: [] });
    expect(malformed(() => s.step(Buffer.from('GET / HTTP/1.1\r\n'))).offset).toBe(0);
    expect(s.complete).toBe(false);
  });
});
