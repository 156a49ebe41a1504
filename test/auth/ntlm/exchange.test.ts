// Client ↔ server exchanges of our own NTLM implementation: keys agree, session security works both ways,
// and every kind of tampering or bad credential is refused with the right typed error.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/errors.js';
import {
  computeNtlmv1Response, decodeAuthenticateMessage, encodeAuthenticateMessage, MIC_OFFSET, ntHash,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_KEY_EXCH, NTLMSSP_NEGOTIATE_SEAL, NtlmClient, NtlmServer,
} from '../../../src/auth/ntlm/index.js';
import { ACCOUNTS, pair, rpcPdu, run } from './helpers.js';

function authError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('expected an AuthError');
}

describe('NTLM client ↔ server', () => {
  it('completes with the same exported session key and the caller identity', () => {
    const { c, s } = pair();
    run(c, s);
    expect(c.complete && s.complete).toBe(true);
    expect(c.sessionKey.equals(s.sessionKey)).toBe(true);
    expect(s.identity).toMatchObject({ user: 'alice', domain: 'HIVEWIRE', workstation: 'WS1', anonymous: false });
    expect(s.identity!.account!.sid).toBe('S-1-5-21-1-2-3-1001');
    expect(c.negotiatedFlags & NTLMSSP_NEGOTIATE_KEY_EXCH).toBeTruthy();
    expect(c.negotiatedFlags).toBe(s.negotiatedFlags);
  });

  it('signs and verifies in both directions over many messages', () => {
    const { c, s } = pair();
    run(c, s);
    for (let i = 0; i < 20; i++) {
      const m = Buffer.from(`request ${i}`);
      s.verify(m, c.sign(m));
      const r = Buffer.from(`response ${i}`);
      c.verify(r, s.sign(r));
    }
  });

  it('seals the stub of an RPC PDU and signs the whole PDU; the peer unseals it', () => {
    const { c, s } = pair();
    run(c, s);
    for (const len of [0, 1, 16, 1000, 5000]) {
      const { pdu, start, end } = rpcPdu(len);
      const plain = Buffer.from(pdu);
      const sig = c.sealInPlace(pdu, start, end);
      expect(sig.length).toBe(c.signatureSize);
      expect(pdu.subarray(0, start).equals(plain.subarray(0, start))).toBe(true); // header untouched
      expect(pdu.subarray(end).equals(plain.subarray(end))).toBe(true); // trailer untouched
      if (len > 8) expect(pdu.subarray(start, end).equals(plain.subarray(start, end))).toBe(false);
      s.unsealInPlace(pdu, start, end, sig);
      expect(pdu.equals(plain)).toBe(true);
      // and back
      const back = rpcPdu(len, 2);
      const plainBack = Buffer.from(back.pdu);
      const sig2 = s.sealInPlace(back.pdu, back.start, back.end);
      c.unsealInPlace(back.pdu, back.start, back.end, sig2);
      expect(back.pdu.equals(plainBack)).toBe(true);
    }
  });

  it('refuses a signed message whose header, body or signature was altered', () => {
    const { c, s } = pair();
    run(c, s);
    const m = Buffer.from('header-and-body');
    const sig = c.sign(m);
    m[0] ^= 1;
    expect(authError(() => s.verify(m, sig)).code).toBe('ERR_AUTH_BAD_SIGNATURE');

    const { c: c2, s: s2 } = pair();
    run(c2, s2);
    const m2 = Buffer.from('message');
    const sig2 = c2.sign(m2);
    sig2[6] ^= 0x80;
    expect(authError(() => s2.verify(m2, sig2)).code).toBe('ERR_AUTH_BAD_SIGNATURE');
  });

  it('refuses a sealed PDU whose header (signed, not sealed) or sealed stub was altered', () => {
    for (const where of ['header', 'stub', 'trailer'] as const) {
      const { c, s } = pair();
      run(c, s);
      const { pdu, start, end } = rpcPdu(100);
      const sig = c.sealInPlace(pdu, start, end);
      pdu[where === 'header' ? 3 : where === 'stub' ? start + 50 : end + 2]! ^= 0x10;
      const e = authError(() => s.unsealInPlace(pdu, start, end, sig));
      expect(e.code).toBe('ERR_AUTH_BAD_SIGNATURE');
      expect(e.status).toBe(0xc0000022);
    }
  });

  it('refuses a replayed or reordered message (sequence numbers)', () => {
    const { c, s } = pair();
    run(c, s);
    const a = Buffer.from('first');
    const b = Buffer.from('second');
    c.sign(a); // never delivered
    const sb = c.sign(b);
    expect(authError(() => s.verify(b, sb)).code).toBe('ERR_AUTH_BAD_SIGNATURE');
    const { c: c2, s: s2 } = pair();
    run(c2, s2);
    const m = Buffer.from('once');
    const sig = c2.sign(m);
    s2.verify(m, sig);
    expect(authError(() => s2.verify(m, sig)).code).toBe('ERR_AUTH_BAD_SIGNATURE');
  });

  it('refuses a wrong password with STATUS_LOGON_FAILURE', () => {
    const { c, s } = pair({ password: 'wrong' });
    const e = authError(() => run(c, s));
    expect(e.code).toBe('ERR_AUTH_LOGON_FAILURE');
    expect(e.status).toBe(0xc000006d);
    expect(s.complete).toBe(false);
  });

  it('refuses an unknown user, or logs it on as Guest when configured', () => {
    const { c, s } = pair({ user: 'mallory' });
    expect(authError(() => run(c, s)).code).toBe('ERR_AUTH_LOGON_FAILURE');
    const g = pair({ user: 'mallory' }, { guest: true });
    run(g.c, g.s);
    expect(g.s.identity).toMatchObject({ user: 'Guest', anonymous: false, guest: true });
    expect(authError(() => g.s.sign(Buffer.from('x'))).code).toBe('ERR_AUTH_STATE');
  });

  it('logs on with an NT hash, with a domain account, and with a NIL domain', () => {
    const a = pair({ user: 'bob', domain: 'LAB', password: undefined, ntHash: ntHash('Password') });
    run(a.c, a.s);
    expect(a.s.identity).toMatchObject({ user: 'bob', domain: 'LAB' });
    const b = pair({ user: 'ALICE', domain: '' });
    run(b.c, b.s);
    expect(b.s.identity!.account!.user).toBe('alice');
    const wrongDomain = pair({ user: 'bob', domain: 'OTHER', password: 'Password' });
    expect(authError(() => run(wrongDomain.c, wrongDomain.s)).code).toBe('ERR_AUTH_LOGON_FAILURE');
  });

  it('refuses anonymous unless allowed', () => {
    const a = pair({ user: '', domain: '', password: undefined });
    expect(authError(() => run(a.c, a.s)).code).toBe('ERR_AUTH_ANONYMOUS_REFUSED');
    const b = pair({ user: '', domain: '', password: undefined }, { allowAnonymous: true });
    run(b.c, b.s);
    expect(b.s.identity).toEqual({ user: '', domain: '', anonymous: true });
    expect(b.c.sessionKey.equals(b.s.sessionKey)).toBe(true);
  });

  it('refuses a tampered MIC, and a NEGOTIATE or CHALLENGE altered in flight (the MIC covers them)', () => {
    const cases: [number, (b: Buffer) => void][] = [
      [2, (b) => { b[MIC_OFFSET + 3]! ^= 1; }],
      [2, (b) => { b[60]! &= ~NTLMSSP_NEGOTIATE_SEAL; }], // downgrade: drop SEAL from AUTHENTICATE flags
      [0, (b) => { b[12]! ^= 0x10; }], // drop NTLMSSP_NEGOTIATE_SIGN from the client's NEGOTIATE
    ];
    for (const [at, edit] of cases) {
      const { c, s } = pair();
      const e = authError(() => run(c, s, (i, tok) => { if (i === at) edit(tok); return tok; }));
      expect(e.code).toBe('ERR_AUTH_BAD_MIC');
    }
  });

  it('refuses an AUTHENTICATE whose MsvAvFlags lost the MIC bit (NTProofStr covers it)', () => {
    const { c, s } = pair();
    const e = authError(() =>
      run(c, s, (i, tok) => {
        if (i !== 2) return tok;
        const m = decodeAuthenticateMessage(tok);
        const nt = Buffer.from(m.NtChallengeResponse);
        // find MsvAvFlags (06 00 04 00) and clear bit 0x2
        const at = nt.indexOf(Buffer.from([6, 0, 4, 0]), 44);
        nt[at + 4]! &= ~2;
        return encodeAuthenticateMessage({ ...m, NtChallengeResponse: nt, MIC: Buffer.alloc(16) });
      }),
    );
    expect(e.code).toBe('ERR_AUTH_LOGON_FAILURE');
  });

  it('refuses an NTLMv2 timestamp older than the allowed skew', () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => now };
    const c = new NtlmClient({ user: 'alice', domain: '', password: 'Secret#1' });
    const s = new NtlmServer({ accounts: ACCOUNTS, testHooks: clock });
    const chal = s.step(c.step(undefined).output!).output!;
    const auth = c.step(chal).output!;
    now += 37 * 3600 * 1000;
    expect(authError(() => s.step(auth)).code).toBe('ERR_AUTH_LOGON_FAILURE');
  });

  it('refuses NTLMv1 by default and accepts it when enabled (extended session security)', () => {
    const v1 = (allow: boolean) => {
      const c = new NtlmClient({ user: 'alice', domain: '', password: 'Secret#1' });
      const s = new NtlmServer({ accounts: ACCOUNTS, allowNtlmV1: allow });
      const neg = c.step(undefined).output!;
      const chal = s.step(neg).output!;
      const serverChallenge = chal.subarray(24, 32);
      const flags = chal.readUInt32LE(20) & ~NTLMSSP_NEGOTIATE_KEY_EXCH;
      const cc = Buffer.from('12345678');
      const r = computeNtlmv1Response(flags | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, ntHash('Secret#1'), undefined, serverChallenge, cc);
      const auth = encodeAuthenticateMessage({
        LmChallengeResponse: r.LmChallengeResponse, NtChallengeResponse: r.NtChallengeResponse, DomainName: '', UserName: 'alice',
        Workstation: 'OLD', EncryptedRandomSessionKey: Buffer.alloc(0), NegotiateFlags: flags,
      });
      s.step(auth);
      return s;
    };
    const e = authError(() => v1(false));
    expect(e.code).toBe('ERR_AUTH_NTLMV1_REFUSED');
    expect(e.status).toBe(0xc0000418);
    expect(v1(true).identity!.user).toBe('alice');
  });

  it('reports state errors: sign before completion, steps after completion', () => {
    const { c, s } = pair();
    expect(authError(() => c.sign(Buffer.alloc(1))).code).toBe('ERR_AUTH_STATE');
    expect(authError(() => c.sessionKey).code).toBe('ERR_AUTH_STATE');
    run(c, s);
    expect(authError(() => c.step(Buffer.alloc(10))).code).toBe('ERR_AUTH_STATE');
    expect(authError(() => s.step(Buffer.alloc(10))).code).toBe('ERR_AUTH_STATE');
  });

  it('without SEAL negotiated, sealing is refused and signing still works', () => {
    const { c, s } = pair({ seal: false });
    run(c, s);
    expect(c.negotiatedFlags & NTLMSSP_NEGOTIATE_SEAL).toBe(0);
    const m = Buffer.from('abc');
    s.verify(m, c.sign(m));
    expect(authError(() => c.sealInPlace(m, 0, 1)).code).toBe('ERR_AUTH_NOT_SUPPORTED');
  });
});
