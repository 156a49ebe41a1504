import { describe, expect, it } from 'vitest';
import {
  decodeNegotiationToken, encodeNegTokenInit, encodeNegTokenInit2, encodeNegTokenResp, HINT_NAME, OID_KERBEROS, OID_NTLMSSP,
} from '../../../src/auth/spnego/tokens.js';
import { SpnegoServer } from '../../../src/auth/spnego/context.js';
import { malformed } from '../malformed.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// The NegTokenInit2 an NTLM-only SMB2 server puts in its NEGOTIATE response (MS-SPNG §2.2.1).
const INIT2 = Buffer.concat([
  hex('6048 06062b0601050502 a03e 303c a00e 300c 060a2b06010401823702020a a32a 3028 a026 1b24'),
  Buffer.from(HINT_NAME, 'latin1'),
]);
// A client NegTokenInit offering Kerberos then NTLM, with a 4-byte optimistic token.
const INIT = hex('602f 06062b0601050502 a025 3023 a019 3017 06092a864886f712010202 060a2b06010401823702020a a206 0404 deadbeef');

describe('SPNEGO tokens', () => {
  it('NegTokenInit2 hint is byte-exact and decodes', () => {
    expect(encodeNegTokenInit2({ mechTypes: [OID_NTLMSSP] }).equals(INIT2)).toBe(true);
    expect(SpnegoServer.hintToken().equals(INIT2)).toBe(true);
    const t = decodeNegotiationToken(INIT2);
    expect(t.init!.mechTypes).toEqual([OID_NTLMSSP]);
    expect(t.init!.negHints).toEqual({ hintName: HINT_NAME });
    expect(t.init!.mechListMIC).toBeUndefined();
  });
  it('NegTokenInit with two mechanisms and an optimistic token', () => {
    const t = decodeNegotiationToken(INIT);
    expect(t.init!.mechTypes).toEqual([OID_KERBEROS, OID_NTLMSSP]);
    expect(t.init!.mechToken!.toString('hex')).toBe('deadbeef');
    expect(t.init!.mechTypesBytes.toString('hex')).toBe('301706092a864886f712010202060a2b06010401823702020a');
    expect(encodeNegTokenInit({ mechTypes: [OID_KERBEROS, OID_NTLMSSP], mechToken: hex('deadbeef') }).equals(INIT)).toBe(true);
  });
  it('NegTokenResp round trip', () => {
    const resp = { negState: 1, supportedMech: OID_NTLMSSP, responseToken: hex('0102'), mechListMIC: hex('0304') };
    const b = encodeNegTokenResp(resp);
    expect(b.toString('hex')).toBe('a121301fa0030a0101a10c060a2b06010401823702020aa2040402' + '0102' + 'a3040402' + '0304');
    expect(decodeNegotiationToken(b).resp).toEqual(resp);
  });
  it('bad tokens: truncated, lengths past the end, wrong mechanism, wrong order, bad negState', () => {
    for (let n = 0; n < INIT2.length; n++) malformed(() => decodeNegotiationToken(INIT2.subarray(0, n)));
    const a = Buffer.from(INIT2);
    a[1] = 0x7f; // outer length past the end
    expect(malformed(() => decodeNegotiationToken(a)).offset).toBe(1);
    const b = Buffer.from(INIT2);
    b[9] = 3; // thisMech 1.3.6.1.5.5.3
    expect(malformed(() => decodeNegotiationToken(b)).message).toMatch(/not SPNEGO/);
    expect(malformed(() => decodeNegotiationToken(hex('a2023000'))).message).toMatch(/expected \[0\] or \[1\]/);
    expect(malformed(() => decodeNegotiationToken(hex('a1153013a10c060a2b06010401823702020aa0030a0101'))).message).toMatch(/out-of-order/);
    expect(malformed(() => decodeNegotiationToken(hex('a1073005a0030a0109'))).message).toMatch(/negState/);
    expect(malformed(() => decodeNegotiationToken(hex('a1023000ff'))).message).toMatch(/trailing/);
    expect(malformed(() => decodeNegotiationToken(hex('a0063004a0023000'))).message).toMatch(/empty mechTypes/);
  });
});
