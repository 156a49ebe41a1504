// MS-NLMP §4.2.4 (NTLMv2 authentication) test vectors, every intermediate value.
import { describe, expect, it } from 'vitest';
import { rc4 } from '../../../src/crypto/rc4.js';
import {
  computeNtlmv1Response, computeNtlmv2Response, decodeAuthenticateMessage, KXKEY, LMOWFv1, NTLMSSP_NEGOTIATE_LM_KEY, NTLMSSP_REQUEST_NON_NT_SESSION_KEY, decodeChallengeMessage, encodeAuthenticateMessage, encodeChallengeMessage,
  encodeClientChallengeTemp, encodeNegotiateMessage, flagNames, MsvAvNbComputerName, MsvAvNbDomainName, ntHash, NtlmServer,
  NtlmSessionSecurity, NTOWFv2, SEALKEY, SIGNKEY,
} from '../../../src/auth/ntlm/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// §4.2.1 common values
const User = 'User';
const UserDom = 'Domain';
const Passwd = 'Password';
const RandomSessionKey = Buffer.alloc(16, 0x55);
const Time = Buffer.alloc(8);
const ClientChallenge = Buffer.alloc(8, 0xaa);
const ServerChallenge = hex('0123456789abcdef');
const ChallengeFlags = 0xe28a8233;

// §4.2.4.3 messages
const CHALLENGE_MESSAGE = hex(`
4e544c4d53535000020000000c000c00 380000003382 8ae20123456789abcdef
00000000000000002400240044000000 0600701700 00000f5300650072007600
650072000200 0c0044006f006d00610069006e00 01000c005300650072007600
6500720000000000`);
const AUTHENTICATE_MESSAGE = hex(`
4e544c4d5353500003000000180018006c00000054005400840000000c000c00
480000000800080054000000100010005c00000010001000d800000035 8288e2
0501280a0000000f44006f006d00610069006e00550073006500720043004f00
4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa
aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000
00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00
01000c0053006500720076006500720000000000000000 00c5dad2544fc97990
94ce1ce90bc9d03e`);

const avPairs = [
  { AvId: MsvAvNbDomainName, Value: Buffer.from('Domain', 'utf16le') },
  { AvId: MsvAvNbComputerName, Value: Buffer.from('Server', 'utf16le') },
];

describe('MS-NLMP §4.2.4 NTLMv2 vectors', () => {
  const responseKeyNT = NTOWFv2(ntHash(Passwd), User, UserDom);
  const temp = encodeClientChallengeTemp({ TimeStamp: Time, ChallengeFromClient: ClientChallenge, AvPairs: avPairs });
  const r = computeNtlmv2Response(responseKeyNT, ServerChallenge, temp, ClientChallenge);

  it('flags 0xe28a8233 are the 13 listed', () => {
    expect(flagNames(ChallengeFlags)).toEqual([
      'NTLMSSP_NEGOTIATE_UNICODE', 'NTLM_NEGOTIATE_OEM', 'NTLMSSP_NEGOTIATE_SIGN', 'NTLMSSP_NEGOTIATE_SEAL', 'NTLMSSP_NEGOTIATE_NTLM',
      'NTLMSSP_NEGOTIATE_ALWAYS_SIGN', 'NTLMSSP_TARGET_TYPE_SERVER', 'NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY',
      'NTLMSSP_NEGOTIATE_TARGET_INFO', 'NTLMSSP_NEGOTIATE_VERSION', 'NTLMSSP_NEGOTIATE_128', 'NTLMSSP_NEGOTIATE_KEY_EXCH',
      'NTLMSSP_NEGOTIATE_56',
    ]);
  });
  it('§4.2.4.1.1 NTOWFv2', () => {
    expect(responseKeyNT.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });
  it('§4.2.4.1.3 temp', () => {
    expect(temp.toString('hex')).toBe(
      '0101000000000000' + '0000000000000000' + 'aaaaaaaaaaaaaaaa' + '00000000' +
        '02000c0044006f006d00610069006e00' + '01000c00530065007200760065007200' + '00000000' + '00000000',
    );
  });
  it('§4.2.4.1.2 session base key', () => {
    expect(r.SessionBaseKey.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
  });
  it('§4.2.4.2.1 LMv2 response', () => {
    expect(r.LmChallengeResponse.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  });
  it('§4.2.4.2.2 NTLMv2 response (NTProofStr)', () => {
    expect(r.NTProofStr.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
  });
  it('§4.2.4.2.3 encrypted session key = RC4(KeyExchangeKey, RandomSessionKey)', () => {
    expect(rc4(r.SessionBaseKey, RandomSessionKey).toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
  });
  it('§4.2.4.3 CHALLENGE_MESSAGE decodes to the values above and re-encodes byte for byte', () => {
    const m = decodeChallengeMessage(CHALLENGE_MESSAGE);
    expect(m.NegotiateFlags >>> 0).toBe(ChallengeFlags);
    expect(m.ServerChallenge.equals(ServerChallenge)).toBe(true);
    expect(m.TargetName).toBe('Server');
    expect(m.TargetInfo).toEqual(avPairs);
    expect(m.Version).toEqual({ ProductMajorVersion: 6, ProductMinorVersion: 0, ProductBuild: 6000, NTLMRevisionCurrent: 15 });
    expect(encodeChallengeMessage(m).equals(CHALLENGE_MESSAGE)).toBe(true);
  });
  it('§4.2.4.3 AUTHENTICATE_MESSAGE decodes and re-encodes byte for byte', () => {
    const m = decodeAuthenticateMessage(AUTHENTICATE_MESSAGE);
    expect(m.UserName).toBe('User');
    expect(m.DomainName).toBe('Domain');
    expect(m.Workstation).toBe('COMPUTER');
    expect(m.LmChallengeResponse.equals(r.LmChallengeResponse)).toBe(true);
    expect(m.NtChallengeResponse.equals(r.NtChallengeResponse)).toBe(true);
    expect(m.EncryptedRandomSessionKey.toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
    expect(m.MIC).toBeUndefined(); // payload starts at 0x48: Version but no MIC
    expect(encodeAuthenticateMessage(m).equals(AUTHENTICATE_MESSAGE)).toBe(true);
  });
  it('§4.2.4.4 SEALKEY and SIGNKEY (client to server)', () => {
    expect(SEALKEY(ChallengeFlags, RandomSessionKey, 'client').toString('hex')).toBe('59f600973cc4960a25480a7c196e4c58');
    expect(SIGNKEY(RandomSessionKey, 'client').toString('hex')).toBe('4788dc861b4782f35d43fd98fe1a2d39');
  });
  it('§4.2.4.4 SEAL of "Plaintext" with sequence number 0', () => {
    const s = new NtlmSessionSecurity(ChallengeFlags, RandomSessionKey, 'client');
    const msg = Buffer.from('Plaintext', 'utf16le');
    const sig = s.sealInPlace(msg, 0, msg.length);
    expect(msg.toString('hex')).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(sig.toString('hex')).toBe('010000007fb38ec5c55d497600000000');
    // and the server side (receiving with client-to-server keys) opens it
    const srv = new NtlmSessionSecurity(ChallengeFlags, RandomSessionKey, 'server');
    srv.unsealInPlace(msg, 0, msg.length, sig);
    expect(msg.toString('utf16le')).toBe('Plaintext');
  });
  it('our NtlmServer accepts the §4.2.4.3 AUTHENTICATE_MESSAGE and recovers the RandomSessionKey', () => {
    const server = new NtlmServer({
      accounts: [{ user: 'user', domain: 'DOMAIN', password: Passwd }],
      // The vector's timestamp is 0 (1601-01-01): put our clock there.
      testHooks: { randomBytes: () => Buffer.from(ServerChallenge), now: () => -11644473600000 },
    });
    server.step(encodeNegotiateMessage({ NegotiateFlags: ChallengeFlags, DomainName: '', Workstation: '' }));
    expect(server.step(AUTHENTICATE_MESSAGE)).toEqual({ complete: true });
    expect(server.sessionKey.equals(RandomSessionKey)).toBe(true);
    expect(server.identity).toMatchObject({ user: 'User', domain: 'Domain', workstation: 'COMPUTER', anonymous: false });
  });
});

describe('MS-NLMP §4.2.2 NTLMv1 vectors (no extended session security)', () => {
  const flags = 0xe2028233;
  const nt = ntHash(Passwd);
  const lm = LMOWFv1(Passwd);
  const r = computeNtlmv1Response(flags, nt, lm, ServerChallenge, ClientChallenge);

  it('§4.2.2.1 LMOWFv1, NTOWFv1, session base key', () => {
    expect(lm.toString('hex')).toBe('e52cac67419a9a224a3b108f3fa6cb6d');
    expect(nt.toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
    expect(r.SessionBaseKey.toString('hex')).toBe('d87262b0cde4b1cb7499becccdf10784');
  });
  it('§4.2.2.2 NTLMv1 and LMv1 responses', () => {
    expect(r.NtChallengeResponse.toString('hex')).toBe('67c43011f30298a2ad35ece64f16331c44bdbed927841f94');
    expect(r.LmChallengeResponse.toString('hex')).toBe('98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13');
  });
  it('§4.2.2.2.3 KXKEY and encrypted session key: plain, NON_NT_SESSION_KEY, LM_KEY', () => {
    const plain = KXKEY(flags, r.SessionBaseKey, r.LmChallengeResponse, ServerChallenge, lm, false);
    expect(rc4(plain, RandomSessionKey).toString('hex')).toBe('518822b1b3f350c8958682ecbb3e3cb7');
    const nonNt = KXKEY(flags | NTLMSSP_REQUEST_NON_NT_SESSION_KEY, r.SessionBaseKey, r.LmChallengeResponse, ServerChallenge, lm, false);
    expect(rc4(nonNt, RandomSessionKey).toString('hex')).toBe('7452ca55c225a1ca04b48fae32cf56fc');
    const lmKey = KXKEY(flags | NTLMSSP_NEGOTIATE_LM_KEY, r.SessionBaseKey, r.LmChallengeResponse, ServerChallenge, lm, false);
    expect(lmKey.toString('hex')).toBe('b09e379f7fbecb1eaf0afdcb0383c8a0');
    expect(rc4(lmKey, RandomSessionKey).toString('hex')).toBe('4cd7bb57d697ef9b549f02b8f9b37864');
  });
  it('§4.2.2.4 SEAL without extended session security (CRC32 signature)', () => {
    const s = new NtlmSessionSecurity(flags, RandomSessionKey, 'client');
    const msg = Buffer.from('Plaintext', 'utf16le');
    const sig = s.sealInPlace(msg, 0, msg.length);
    expect(msg.toString('hex')).toBe('56fe04d861f9319af0d7238a2e3b4d457fb8');
    expect(sig.toString('hex')).toBe('0100000045c844e509dcd1df2e459d36');
    const srv = new NtlmSessionSecurity(flags, RandomSessionKey, 'server');
    srv.unsealInPlace(msg, 0, msg.length, sig);
    expect(msg.toString('utf16le')).toBe('Plaintext');
  });
});
