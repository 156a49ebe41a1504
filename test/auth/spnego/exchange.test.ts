// SpnegoClient ↔ SpnegoServer: NTLM inside SPNEGO with mechListMIC both ways, then session security.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/errors.js';
import { NtlmClient } from '../../../src/auth/ntlm/index.js';
import { SpnegoClient, SpnegoServer } from '../../../src/auth/spnego/context.js';
import { decodeNegotiationToken, encodeMechTypes, encodeNegTokenInit, encodeNegTokenResp, OID_KERBEROS, OID_NTLMSSP } from '../../../src/auth/spnego/tokens.js';
import { ACCOUNTS, rpcPdu } from '../ntlm/helpers.js';

const creds = { user: 'alice', domain: 'HIVEWIRE', password: 'Secret#1' };

function authError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

function exchange(tamper?: (i: number, b: Buffer) => Buffer) {
  const c = new SpnegoClient(creds);
  const s = new SpnegoServer({ accounts: ACCOUNTS });
  const t = (i: number, b: Buffer) => (tamper ? tamper(i, Buffer.from(b)) : b);
  const init = c.step(SpnegoServer.hintToken()).output!;
  const chal = s.step(t(0, init)).output!;
  const auth = c.step(t(1, chal)).output!;
  const fin = s.step(t(2, auth));
  expect(fin.complete).toBe(true);
  const last = c.step(t(3, fin.output!));
  return { c, s, tokens: { init, chal, auth, fin: fin.output! }, last };
}

describe('SPNEGO client ↔ server', () => {
  it('completes with mechListMIC in both directions; auth type 9; same key and identity', () => {
    const { c, s, tokens, last } = exchange();
    expect(last.complete && c.complete && s.complete).toBe(true);
    expect(c.authType).toBe(9);
    expect(c.sessionKey.equals(s.sessionKey)).toBe(true);
    expect(s.identity).toMatchObject({ user: 'alice', anonymous: false });
    expect(decodeNegotiationToken(tokens.auth).resp!.mechListMIC).toHaveLength(16);
    const fin = decodeNegotiationToken(tokens.fin).resp!;
    expect(fin.negState).toBe(0);
    expect(fin.mechListMIC).toHaveLength(16);
  });

  it('signs and seals after the mechListMIC exchange (RC4 states rewound alike on both sides)', () => {
    const { c, s } = exchange();
    const m = Buffer.from('first message after mechListMIC');
    s.verify(m, c.sign(m));
    const { pdu, start, end } = rpcPdu(300);
    const plain = Buffer.from(pdu);
    const sig = s.sealInPlace(pdu, start, end);
    c.unsealInPlace(pdu, start, end, sig);
    expect(pdu.equals(plain)).toBe(true);
  });

  it('refuses a tampered client mechListMIC, and the client refuses a tampered server one', () => {
    const flip = (i: number, at: number) => (j: number, b: Buffer) => {
      if (j !== i) return b;
      const r = decodeNegotiationToken(b).resp!;
      r.mechListMIC![at]! ^= 1;
      return encodeNegTokenResp(r);
    };
    expect(authError(() => exchange(flip(2, 5))).code).toBe('ERR_AUTH_BAD_MIC');
    expect(authError(() => exchange(flip(3, 5))).code).toBe('ERR_AUTH_BAD_MIC');
  });

  it('refuses a tampered mechTypes list (the mechListMIC covers it)', () => {
    const e = authError(() =>
      exchange((i, b) => {
        if (i !== 0) return b;
        const init = decodeNegotiationToken(b).init!;
        // same NTLM token, but the server now sees a list with a second mechanism appended
        return encodeNegTokenInit({ mechTypes: [OID_NTLMSSP, OID_KERBEROS], mechToken: init.mechToken! });
      }),
    );
    expect(e.code).toBe('ERR_AUTH_BAD_MIC');
  });

  it('wrong password: the server reports STATUS_LOGON_FAILURE', () => {
    const c = new SpnegoClient({ ...creds, password: 'nope' });
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    const chal = s.step(c.step(undefined).output!).output!;
    const auth = c.step(chal).output!;
    const e = authError(() => s.step(auth));
    expect(e.code).toBe('ERR_AUTH_LOGON_FAILURE');
    expect(e.status).toBe(0xc000006d);
  });

  it('selects NTLM when Kerberos is preferred, then requires a mechListMIC', () => {
    const ntlm = new NtlmClient(creds);
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    const r1 = decodeNegotiationToken(s.step(encodeNegTokenInit({ mechTypes: [OID_KERBEROS, OID_NTLMSSP], mechToken: Buffer.from('krb-ap-req') })).output!).resp!;
    expect(r1).toEqual({ negState: 3, supportedMech: OID_NTLMSSP }); // request-mic
    const r2 = decodeNegotiationToken(s.step(encodeNegTokenResp({ responseToken: ntlm.step(undefined).output! })).output!).resp!;
    const auth = ntlm.step(r2.responseToken!).output!;
    expect(authError(() => s.step(encodeNegTokenResp({ responseToken: auth }))).code).toBe('ERR_AUTH_BAD_MIC');
  });

  it('completes the Kerberos-preferred negotiation when the client sends the mechListMIC', () => {
    const ntlm = new NtlmClient(creds);
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    const mechTypes = [OID_KERBEROS, OID_NTLMSSP];
    s.step(encodeNegTokenInit({ mechTypes, mechToken: Buffer.from('krb-ap-req') }));
    const r2 = decodeNegotiationToken(s.step(encodeNegTokenResp({ responseToken: ntlm.step(undefined).output! })).output!).resp!;
    const auth = ntlm.step(r2.responseToken!).output!;
    const mic = ntlm.session!.sign(encodeMechTypes(mechTypes));
    ntlm.session!.resetSendHandle();
    const fin = s.step(encodeNegTokenResp({ responseToken: auth, mechListMIC: mic }));
    expect(fin.complete).toBe(true);
    const last = decodeNegotiationToken(fin.output!).resp!;
    expect(last.negState).toBe(0);
    ntlm.session!.verify(encodeMechTypes(mechTypes), last.mechListMIC!);
    ntlm.session!.resetReceiveHandle();
    const m = Buffer.from('after');
    s.verify(m, ntlm.sign(m));
  });

  it('refuses an offer without NTLM', () => {
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    expect(authError(() => s.step(encodeNegTokenInit({ mechTypes: [OID_KERBEROS] }))).code).toBe('ERR_AUTH_NOT_SUPPORTED');
  });

  it('accepts a raw NTLMSSP client (as Windows does for RPC auth type 9), unless disabled', () => {
    const c = new NtlmClient(creds);
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    const chal = s.step(c.step(undefined).output!).output!;
    expect(chal.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    const fin = s.step(c.step(chal).output!);
    expect(fin.complete && s.complete && s.rawNtlm).toBe(true);
    expect(s.sessionKey.equals(c.sessionKey)).toBe(true);
    const strict = new SpnegoServer({ accounts: ACCOUNTS, acceptRawNtlm: false });
    expect(authError(() => strict.step(new NtlmClient(creds).step(undefined).output!)).code).toBe('ERR_AUTH_MALFORMED');
  });

  it('state errors', () => {
    const c = new SpnegoClient(creds);
    expect(authError(() => c.sign(Buffer.alloc(1))).code).toBe('ERR_AUTH_STATE');
    const s = new SpnegoServer({ accounts: ACCOUNTS });
    expect(authError(() => s.step(undefined)).code).toBe('ERR_AUTH_STATE');
  });
});
