// Differential tests against impacket's NTLM/SPNEGO (a peer we did not write): the same fixed inputs give
// the same responses, keys, signatures and sealed bytes; impacket's client logs on to our NtlmServer and
// SpnegoServer; impacket parses our SPNEGO replies. Fails (does not skip) when impacket is missing.
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../../src/auth/errors.js';
import {
  computeNtlmv2Response, decodeAuthenticateMessage, decodeAvPairs, decodeNtlmv2Response, fileTime, MsvAvTargetName, MsvAvTimestamp, encodeAvPairs, encodeChallengeMessage, NtlmClient, NTLMSSP_NEGOTIATE_TARGET_INFO, encodeClientChallengeTemp, MsvAvDnsComputerName, MsvAvNbComputerName,
  MsvAvNbDomainName, ntHash, NtlmServer, NtlmSessionSecurity, NTLMSSP_NEGOTIATE_128, NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_KEY_EXCH, NTLMSSP_NEGOTIATE_LM_KEY, NTLMSSP_NEGOTIATE_SEAL, NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_NEGOTIATE_UNICODE, NTOWFv2, SEALKEY, SIGNKEY,
} from '../../../src/auth/ntlm/index.js';
import { rc4 } from '../../../src/crypto/rc4.js';
import { SpnegoServer } from '../../../src/auth/spnego/context.js';
import { decodeNegotiationToken, OID_NTLMSSP } from '../../../src/auth/spnego/tokens.js';
import { ACCOUNTS, rpcPdu } from './helpers.js';
import { hex, impacket, requireImpacket, unhex } from './impacket-peer.js';

beforeAll(() => requireImpacket());

const BASE = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL;
const ESS = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
const FLAG_SETS: [string, number][] = [
  ['ESS + KEY_EXCH + 128', (BASE | ESS | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56) >>> 0],
  ['ESS + 128, no KEY_EXCH', (BASE | ESS | NTLMSSP_NEGOTIATE_128) >>> 0],
  ['ESS + KEY_EXCH + 56', (BASE | ESS | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56) >>> 0],
  ['ESS + KEY_EXCH, 40-bit', (BASE | ESS | NTLMSSP_NEGOTIATE_KEY_EXCH) >>> 0],
  // Without ESS, impacket weakens the seal key even without LM_KEY, where §3.4.5.3 (and its §4.2.2.4
  // example) use the full key; with LM_KEY both agree.
  ['no ESS (NTLMv1 session security), LM_KEY, 56-bit', (BASE | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_LM_KEY | NTLMSSP_NEGOTIATE_56) >>> 0],
];

describe('differential: ours vs impacket.ntlm', () => {
  it('NTLMv2 responses and session base key for fixed inputs', () => {
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    const cases = [
      { user: 'User', domain: 'Domain', password: 'Password' },
      { user: 'administrator', domain: 'LAB', password: 'Pässwörd€ 123' },
      { user: 'svc', domain: '', password: '' },
      { user: 'bob', domain: 'LAB.EXAMPLE', nthash: 'a4f49c406510bdcab6824ee7c30fd852' },
    ];
    const targetInfo = encodeAvPairs([
      { AvId: MsvAvNbDomainName, Value: u16('LAB') }, { AvId: MsvAvNbComputerName, Value: u16('SRV1') },
      { AvId: MsvAvDnsComputerName, Value: u16('srv1.lab.example') },
    ]);
    const serverChallenge = unhex('0123456789abcdef');
    const clientChallenge = unhex('f00dfacecafebabe');
    const theirs = impacket(cases.map((c) => ({ op: 'ntlmv2', flags: 0, serverChallenge: hex(serverChallenge), clientChallenge: hex(clientChallenge), targetInfo: hex(targetInfo), ...c })));
    cases.forEach((c, i) => {
      const key = NTOWFv2(c.nthash ? unhex(c.nthash) : ntHash(c.password!), c.user, c.domain);
      const temp = encodeClientChallengeTemp({ TimeStamp: Buffer.alloc(8), ChallengeFromClient: clientChallenge, AvPairs: decodeAvPairs(targetInfo) });
      const ours = computeNtlmv2Response(key, serverChallenge, temp, clientChallenge);
      expect(hex(ours.NtChallengeResponse)).toBe(theirs[i].nt);
      expect(hex(ours.LmChallengeResponse)).toBe(theirs[i].lm);
      expect(hex(ours.SessionBaseKey)).toBe(theirs[i].sessionBaseKey);
    });
  });

  it('NTLMv2 with a real timestamp: our NTLMv2_CLIENT_CHALLENGE codec re-encodes impacket\'s bytes and gives its response', () => {
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    const time = fileTime(Date.UTC(2026, 10, 22, 4, 0, 0));
    const targetInfo = encodeAvPairs([
      { AvId: MsvAvNbDomainName, Value: u16('LAB') }, { AvId: MsvAvNbComputerName, Value: u16('SRV1') },
      { AvId: MsvAvTimestamp, Value: time },
    ]);
    const serverChallenge = unhex('a1b2c3d4e5f60718');
    const clientChallenge = unhex('0102030405060708');
    const [theirs] = impacket([{ op: 'ntlmv2_live', flags: 0, serverChallenge: hex(serverChallenge), clientChallenge: hex(clientChallenge), targetInfo: hex(targetInfo), user: 'alice', domain: 'LAB', password: 'Secret#1' }]);
    const decoded = decodeNtlmv2Response(unhex(theirs.nt));
    expect(decoded.challenge.TimeStamp.equals(time)).toBe(true);
    expect(decoded.challenge.ChallengeFromClient.equals(clientChallenge)).toBe(true);
    expect(decoded.challenge.AvPairs.find((p) => p.AvId === MsvAvTargetName)!.Value.toString('utf16le')).toBe('cifs/SRV1');
    const temp = encodeClientChallengeTemp(decoded.challenge);
    expect(temp.equals(decoded.temp)).toBe(true);
    const ours = computeNtlmv2Response(NTOWFv2(ntHash('Secret#1'), 'alice', 'LAB'), serverChallenge, temp, clientChallenge);
    expect(hex(ours.NtChallengeResponse)).toBe(theirs.nt);
    expect(hex(ours.SessionBaseKey)).toBe(theirs.sessionBaseKey);
  });

  it('SIGNKEY, SEALKEY and the encrypted session key for every key strength', () => {
    const esk = unhex('00112233445566778899aabbccddeeff');
    const kxk = unhex('8de40ccadbc14a82f15cb0ad0de95ca3');
    const theirs = impacket(FLAG_SETS.map(([, flags]) => ({ op: 'keys', flags, esk: hex(esk), kxk: hex(kxk) })));
    FLAG_SETS.forEach(([, flags], i) => {
      if (flags & ESS) {
        expect(hex(SIGNKEY(esk, 'client'))).toBe(theirs[i].signClient);
        expect(hex(SIGNKEY(esk, 'server'))).toBe(theirs[i].signServer);
      }
      expect(hex(SEALKEY(flags, esk, 'client'))).toBe(theirs[i].sealClient);
      expect(hex(SEALKEY(flags, esk, 'server'))).toBe(theirs[i].sealServer);
      expect(hex(rc4(kxk, esk))).toBe(theirs[i].encryptedKey);
    });
  });

  for (const [name, flags] of FLAG_SETS) {
    it(`seal and sign a stream of RPC PDUs: ${name}`, () => {
      const esk = unhex('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
      const msgs = [0, 1, 17, 500, 4000].map((n, i) => rpcPdu(n, i + 3));
      for (const seal of [true, false]) {
        for (const mode of ['Client', 'Server'] as const) {
          const [theirs] = impacket([{ op: 'protect', flags, esk: hex(esk), mode, seal, messages: msgs.map((m) => ({ pdu: hex(m.pdu), start: m.start, end: m.end })) }]);
          const ours = new NtlmSessionSecurity(flags, esk, mode === 'Client' ? 'client' : 'server');
          const peer = new NtlmSessionSecurity(flags, esk, mode === 'Client' ? 'server' : 'client');
          msgs.forEach((m, i) => {
            const pdu = Buffer.from(m.pdu);
            const sig = seal ? ours.sealInPlace(pdu, m.start, m.end) : ours.sign(pdu);
            expect(hex(pdu)).toBe(theirs.messages[i].pdu);
            // Without ESS impacket zeroes RandomPad (§3.4.4.1 pseudo-code); we keep it encrypted as the
            // §4.2.2.4 example does. Every other byte must agree.
            const mask = (s: string) => (flags & ESS ? s : s.slice(0, 8) + '00000000' + s.slice(16));
            expect(mask(hex(sig))).toBe(mask(theirs.messages[i].signature));
            // impacket's output opens on our receiving side
            const back = unhex(theirs.messages[i].pdu);
            if (seal) peer.unsealInPlace(back, m.start, m.end, unhex(theirs.messages[i].signature));
            else peer.verify(back, unhex(theirs.messages[i].signature));
            expect(back.equals(m.pdu)).toBe(true);
          });
        }
      }
    });
  }
});

describe('differential: our NtlmClient vs impacket.ntlm', () => {
  it("our client's AUTHENTICATE carries the NTLMv2 response impacket computes for the same inputs", () => {
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    // A CHALLENGE without MsvAvTimestamp: the client then uses its own clock (pinned to FILETIME 0, as
    // impacket's TEST_CASE does) and copies the server's AV pairs unchanged.
    const targetInfo = [{ AvId: MsvAvNbDomainName, Value: u16('LAB') }, { AvId: MsvAvNbComputerName, Value: u16('SRV1') }];
    const serverChallenge = unhex('1122334455667788');
    const flags = FLAG_SETS[0]![1] | NTLMSSP_NEGOTIATE_TARGET_INFO;
    const chal = encodeChallengeMessage({ NegotiateFlags: flags, ServerChallenge: serverChallenge, TargetName: 'LAB', TargetInfo: targetInfo });
    const client = new NtlmClient({
      user: 'alice', domain: 'LAB', password: 'Secret#1',
      testHooks: { randomBytes: (n) => Buffer.alloc(n, 0xc3), now: () => -11644473600000 },
    });
    client.step(undefined);
    const auth = decodeAuthenticateMessage(client.step(chal).output!);
    const [theirs] = impacket([{ op: 'ntlmv2', flags, serverChallenge: hex(serverChallenge), clientChallenge: 'c3'.repeat(8), targetInfo: hex(encodeAvPairs(targetInfo)), user: 'alice', domain: 'LAB', password: 'Secret#1' }]);
    expect(hex(auth.NtChallengeResponse)).toBe(theirs.nt);
    expect(hex(auth.LmChallengeResponse)).toBe(theirs.lm);
    // KEY_EXCH: the exported key (all 0xc3 here) travels RC4-encrypted under impacket's session base key.
    expect(hex(rc4(unhex(theirs.sessionBaseKey), auth.EncryptedRandomSessionKey))).toBe('c3'.repeat(16));
  });
});

describe('interop: our NtlmClient checked by impacket as a server would', () => {
  it("impacket parses our messages, accepts the NTLMv2 proof, recovers the session key and computes the same MIC", () => {
    const client = new NtlmClient({ user: 'alice', domain: 'LAB', password: 'Secret#1', workstation: 'WS9' });
    const server = new NtlmServer({ accounts: ACCOUNTS, netbiosDomainName: 'LAB' });
    const neg = client.step(undefined).output!;
    const chal = server.step(neg).output!;
    const auth = client.step(chal).output!;
    const [v] = impacket([{ op: 'verify_auth', negotiate: hex(neg), challenge: hex(chal), authenticate: hex(auth), password: 'Secret#1' }]);
    expect(v).toMatchObject({ user: 'alice', domain: 'LAB', workstation: 'WS9', proofOk: true });
    expect(v.exportedSessionKey).toBe(hex(client.sessionKey));
    expect(v.avFlags).toBe('02000000'); // MsvAvFlags: MIC present
    expect(v.micInMessage).toBe(v.mic);
    const [bad] = impacket([{ op: 'verify_auth', negotiate: hex(neg), challenge: hex(chal), authenticate: hex(auth), password: 'Secret#2' }]);
    expect(bad.proofOk).toBe(false);
  });
});

describe('interop: impacket client → our servers', () => {
  function logon(server: NtlmServer, creds: { user: string; domain: string; password?: string; nthash?: string }, ntlmv2 = true) {
    const [t1] = impacket([{ op: 'type1', workstation: 'IMPACKET', domain: creds.domain, signingRequired: true, ntlmv2 }]);
    const chal = server.step(unhex(t1.token)).output!;
    const [t3] = impacket([{ op: 'type3', type1: t1.token, type2: hex(chal), ntlmv2, ...creds }]);
    server.step(unhex(t3.token));
    return t3 as { exportedSessionKey: string; flags: number };
  }

  it('getNTLMSSPType1/getNTLMSSPType3 authenticate to our NtlmServer; keys agree; sealed traffic flows both ways', () => {
    const server = new NtlmServer({ accounts: ACCOUNTS, netbiosComputerName: 'SRV1', netbiosDomainName: 'LAB', dnsDomainName: 'lab.example', dnsComputerName: 'srv1.lab.example' });
    const t3 = logon(server, { user: 'alice', domain: 'LAB', password: 'Secret#1' });
    expect(server.complete).toBe(true);
    expect(server.identity).toMatchObject({ user: 'alice', domain: 'LAB', anonymous: false });
    expect(hex(server.sessionKey)).toBe(t3.exportedSessionKey);
    // impacket (client keys) seals three PDUs; our server opens them.
    const msgs = [10, 100, 1000].map((n, i) => rpcPdu(n, i));
    const [c2s] = impacket([{ op: 'protect', flags: server.negotiatedFlags, esk: t3.exportedSessionKey, mode: 'Client', seal: true, messages: msgs.map((m) => ({ pdu: hex(m.pdu), start: m.start, end: m.end })) }]);
    msgs.forEach((m, i) => {
      const pdu = unhex(c2s.messages[i].pdu);
      server.unsealInPlace(pdu, m.start, m.end, unhex(c2s.messages[i].signature));
      expect(pdu.equals(m.pdu)).toBe(true);
    });
    // our server seals replies; impacket with the server keys produces the same bytes.
    const replies = [5, 50].map((n, i) => rpcPdu(n, 9 + i));
    const [s2c] = impacket([{ op: 'protect', flags: server.negotiatedFlags, esk: t3.exportedSessionKey, mode: 'Server', seal: true, messages: replies.map((m) => ({ pdu: hex(m.pdu), start: m.start, end: m.end })) }]);
    replies.forEach((m, i) => {
      const pdu = Buffer.from(m.pdu);
      const sig = server.sealInPlace(pdu, m.start, m.end);
      expect(hex(pdu)).toBe(s2c.messages[i].pdu);
      expect(hex(sig)).toBe(s2c.messages[i].signature);
    });
  });

  it('impacket with an NT hash logs on; a wrong password is refused with STATUS_LOGON_FAILURE', () => {
    const ok = new NtlmServer({ accounts: ACCOUNTS, netbiosDomainName: 'LAB' });
    logon(ok, { user: 'bob', domain: 'LAB', nthash: 'a4f49c406510bdcab6824ee7c30fd852' });
    expect(ok.identity!.user).toBe('bob');
    const bad = new NtlmServer({ accounts: ACCOUNTS });
    let err: unknown;
    try {
      logon(bad, { user: 'alice', domain: '', password: 'Secret#2' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('ERR_AUTH_LOGON_FAILURE');
    expect((err as AuthError).status).toBe(0xc000006d);
  });

  it("impacket's NTLMv1 (use_ntlmv2=False) is refused by default, accepted with allowNtlmV1 with the same session key", () => {
    let err: unknown;
    try {
      logon(new NtlmServer({ accounts: ACCOUNTS }), { user: 'alice', domain: '', password: 'Secret#1' }, false);
    } catch (e) {
      err = e;
    }
    expect((err as AuthError).code).toBe('ERR_AUTH_NTLMV1_REFUSED');
    const server = new NtlmServer({ accounts: ACCOUNTS, allowNtlmV1: true });
    const t3 = logon(server, { user: 'alice', domain: '', password: 'Secret#1' }, false);
    expect(hex(server.sessionKey)).toBe(t3.exportedSessionKey);
  });

  it("impacket's SPNEGO NegTokenInit/NegTokenResp log on to our SpnegoServer, and impacket parses our replies", () => {
    const server = new SpnegoServer({ accounts: ACCOUNTS });
    const [t1] = impacket([{ op: 'type1', workstation: 'IMPACKET', domain: '', signingRequired: true }]);
    const [init] = impacket([{ op: 'spnego_init', mechToken: t1.token }]);
    const reply = server.step(unhex(init.token)).output!;
    const [parsed] = impacket([{ op: 'spnego_parse_resp', token: hex(reply) }]);
    expect(parsed.NegState).toBe('01');
    expect(unhex(parsed.SupportedMech).equals(Buffer.from('2b06010401823702020a', 'hex'))).toBe(true);
    const [t3] = impacket([{ op: 'type3', type1: t1.token, type2: parsed.ResponseToken, user: 'alice', domain: '', password: 'Secret#1' }]);
    const [resp] = impacket([{ op: 'spnego_resp', responseToken: t3.token }]);
    const fin = server.step(unhex(resp.token));
    expect(fin.complete).toBe(true);
    expect(decodeNegotiationToken(fin.output!).resp).toEqual({ negState: 0 });
    const [parsedFin] = impacket([{ op: 'spnego_parse_resp', token: hex(fin.output!) }]);
    expect(parsedFin.NegState).toBe('00');
    expect(hex(server.sessionKey)).toBe(t3.exportedSessionKey);
    expect(decodeNegotiationToken(unhex(init.token)).init!.mechTypes).toEqual([OID_NTLMSSP]);
  });
});
