// NTLM server (acceptor): MS-NLMP §3.2.5.1.1 (CHALLENGE with target info) and §3.2.5.1.2 (verify the
// AUTHENTICATE_MESSAGE against a local account list: NTLMv2, optionally NTLMv1, MIC, anonymous, guest).
import { timingSafeEqual } from 'node:crypto';
import { rc4 } from '../../crypto/rc4.js';
import { AuthError } from '../errors.js';
import type { Account, AuthStep } from '../types.js';
import { decodeAuthenticateMessage, MIC_OFFSET, type AuthenticateMessage } from './authenticate.js';
import * as Av from './avpairs.js';
import { encodeChallengeMessage } from './challenge.js';
import { computeNtlmv1Response, decodeNtlmv2Response, hmacMd5, KXKEY, ntHash, NTOWFv2 } from './compute.js';
import { fileTime, fileTimeToMs, NtlmContext, type NtlmTestHooks } from './context.js';
import * as F from './flags.js';
import { decodeNegotiateMessage } from './negotiate.js';
import { NtlmSessionSecurity } from './session.js';
import { OUR_VERSION } from './wire.js';

export type AccountLookup = (user: string, domain: string) => Account | undefined;

export interface NtlmServerOptions {
  accounts: Account[] | AccountLookup;
  /** NetBIOS computer name (MsvAvNbComputerName); default 'HIVEWIRE'. */
  netbiosComputerName?: string;
  /** NetBIOS domain or workgroup (MsvAvNbDomainName); default: the computer name (a standalone server). */
  netbiosDomainName?: string;
  dnsComputerName?: string;
  dnsDomainName?: string;
  /** TargetName of the CHALLENGE_MESSAGE; default the NetBIOS domain name. */
  targetName?: string;
  /** Accept the NULL session (empty user, empty response). Default false. */
  allowAnonymous?: boolean;
  /** Log unknown users on as Guest (no session key). Default false. */
  guest?: boolean;
  /** Accept NTLMv1 responses (with or without extended session security). Default false. */
  allowNtlmV1?: boolean;
  /** Largest accepted distance between the NTLMv2 timestamp and our clock; default 36 h (Windows' MaxLifetime). */
  maxClockSkewMs?: number;
  testHooks?: NtlmTestHooks;
}

const SERVER_FLAGS_FROM_CLIENT =
  F.NTLMSSP_NEGOTIATE_SIGN | F.NTLMSSP_NEGOTIATE_SEAL | F.NTLMSSP_NEGOTIATE_ALWAYS_SIGN | F.NTLMSSP_NEGOTIATE_KEY_EXCH |
  F.NTLMSSP_NEGOTIATE_128 | F.NTLMSSP_NEGOTIATE_56 | F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | F.NTLMSSP_NEGOTIATE_VERSION |
  F.NTLMSSP_NEGOTIATE_IDENTIFY;

export class NtlmServer extends NtlmContext {
  private readonly opts: NtlmServerOptions;
  private state: 'negotiate' | 'authenticate' | 'done' = 'negotiate';
  private negotiateBytes: Buffer | undefined;
  private challengeBytes: Buffer | undefined;
  private serverChallenge: Buffer = Buffer.alloc(8);
  private challengeFlags = 0;

  constructor(opts: NtlmServerOptions) {
    super(opts.testHooks);
    this.opts = opts;
  }

  get computerName(): string {
    return this.opts.netbiosComputerName ?? 'HIVEWIRE';
  }
  get domainName(): string {
    return this.opts.netbiosDomainName ?? this.computerName;
  }

  step(input: Buffer | undefined): AuthStep {
    if (input === undefined) throw new AuthError('ERR_AUTH_STATE', 'the NTLM server needs a token from the client');
    if (this.state === 'negotiate') {
      const output = this.challenge(input);
      this.state = 'authenticate';
      return { output, complete: false };
    }
    if (this.state === 'authenticate') {
      this.accept(input);
      this.state = 'done';
      this.done = true;
      return { complete: true };
    }
    throw new AuthError('ERR_AUTH_STATE', 'the NTLM exchange is already complete');
  }

  private challenge(input: Buffer): Buffer {
    const neg = decodeNegotiateMessage(input);
    const c = neg.NegotiateFlags;
    let flags = F.NTLMSSP_NEGOTIATE_NTLM | F.NTLMSSP_NEGOTIATE_TARGET_INFO | (c & SERVER_FLAGS_FROM_CLIENT);
    if (c & F.NTLMSSP_NEGOTIATE_UNICODE) flags |= F.NTLMSSP_NEGOTIATE_UNICODE;
    else if (c & F.NTLM_NEGOTIATE_OEM) flags |= F.NTLM_NEGOTIATE_OEM;
    else throw new AuthError('ERR_AUTH_NOT_SUPPORTED', 'NEGOTIATE_MESSAGE selects neither Unicode nor OEM');
    const targetName = this.opts.targetName ?? this.domainName;
    if (c & F.NTLMSSP_REQUEST_TARGET) {
      flags |= F.NTLMSSP_REQUEST_TARGET | (targetName.toUpperCase() === this.computerName.toUpperCase() ? F.NTLMSSP_TARGET_TYPE_SERVER : F.NTLMSSP_TARGET_TYPE_DOMAIN);
    }
    flags >>>= 0;
    this.serverChallenge = this.random(8);
    // §3.2.5.1.1: the names MUST be present; the DNS ones when we have them; the timestamp always.
    const u = (s: string) => Buffer.from(s, 'utf16le');
    const info: Av.AvPair[] = [
      { AvId: Av.MsvAvNbDomainName, Value: u(this.domainName) },
      { AvId: Av.MsvAvNbComputerName, Value: u(this.computerName) },
    ];
    if (this.opts.dnsDomainName) info.push({ AvId: Av.MsvAvDnsDomainName, Value: u(this.opts.dnsDomainName) });
    if (this.opts.dnsComputerName) info.push({ AvId: Av.MsvAvDnsComputerName, Value: u(this.opts.dnsComputerName) });
    if (this.opts.dnsDomainName) info.push({ AvId: Av.MsvAvDnsTreeName, Value: u(this.opts.dnsDomainName) });
    info.push({ AvId: Av.MsvAvTimestamp, Value: fileTime(this.now()) });
    const msg = { NegotiateFlags: flags, ServerChallenge: this.serverChallenge, TargetName: c & F.NTLMSSP_REQUEST_TARGET ? targetName : '', TargetInfo: info };
    const out = encodeChallengeMessage(flags & F.NTLMSSP_NEGOTIATE_VERSION ? { ...msg, Version: OUR_VERSION } : msg);
    this.negotiateBytes = Buffer.from(input);
    this.challengeBytes = out;
    this.challengeFlags = flags;
    return out;
  }

  private lookup(user: string, domain: string): Account | undefined {
    const a = this.opts.accounts;
    if (typeof a === 'function') return a(user, domain);
    const ours = (d: string) => d === '' || d.toUpperCase() === this.domainName.toUpperCase() || d.toUpperCase() === this.computerName.toUpperCase() || d === '.';
    return a.find(
      (x) => x.user.toUpperCase() === user.toUpperCase() && (x.domain === undefined ? ours(domain) : x.domain.toUpperCase() === domain.toUpperCase() || (ours(domain) && ours(x.domain))),
    );
  }

  private accept(input: Buffer): void {
    const auth = decodeAuthenticateMessage(input);
    const flags = (auth.NegotiateFlags & this.challengeFlags) >>> 0;
    const nt = auth.NtChallengeResponse;
    const lm = auth.LmChallengeResponse;

    // §3.2.5.1.2: empty user and NT response, LM empty or Z(1) → the NULL session.
    if (auth.UserName === '' && nt.length === 0 && (lm.length === 0 || (lm.length === 1 && lm[0] === 0))) {
      if (!this.opts.allowAnonymous) throw new AuthError('ERR_AUTH_ANONYMOUS_REFUSED', 'anonymous logon is not enabled');
      this.identity = { user: '', domain: '', anonymous: true };
      this.finish(flags, Buffer.alloc(16), auth);
      return;
    }

    const account = this.lookup(auth.UserName, auth.DomainName);
    if (!account) {
      if (this.opts.guest) {
        // A guest session has no key the client can know; SMB2 marks it IS_GUEST and signs nothing.
        this.identity = { user: 'Guest', domain: this.domainName, workstation: auth.Workstation, anonymous: false, guest: true };
        this.exportedSessionKey = Buffer.alloc(16);
        this.negotiatedFlags = flags;
        this.session = undefined;
        return;
      }
      throw new AuthError('ERR_AUTH_LOGON_FAILURE', `unknown user ${auth.DomainName}\\${auth.UserName}`);
    }
    const hash = account.ntHash ?? (account.password !== undefined ? ntHash(account.password) : undefined);
    if (!hash || hash.length !== 16) throw new AuthError('ERR_AUTH_LOGON_FAILURE', `account ${account.user} has no password or NT hash`);

    let keyExchangeKey: Buffer;
    let micRequired = false;
    if (nt.length > 24) {
      const r = decodeNtlmv2Response(nt);
      const skew = this.opts.maxClockSkewMs ?? 36 * 3600 * 1000;
      if (Math.abs(this.now() - fileTimeToMs(r.challenge.TimeStamp)) > skew) {
        throw new AuthError('ERR_AUTH_LOGON_FAILURE', 'NTLMv2 timestamp outside the accepted window');
      }
      // Try the domain as sent, then NIL (§3.2.5.1.2: clients that wrongly use NIL for UserDom).
      let sessionBaseKey: Buffer | undefined;
      for (const dom of auth.DomainName === '' ? [''] : [auth.DomainName, '']) {
        const key = NTOWFv2(hash, auth.UserName, dom);
        const proof = hmacMd5(key, this.serverChallenge, r.temp);
        if (timingSafeEqual(proof, r.NTProofStr)) {
          sessionBaseKey = hmacMd5(key, proof);
          break;
        }
      }
      if (!sessionBaseKey) throw new AuthError('ERR_AUTH_LOGON_FAILURE', `bad NTLMv2 response for ${auth.DomainName}\\${auth.UserName}`);
      keyExchangeKey = sessionBaseKey;
      const avFlags = Av.findAvPair(r.challenge.AvPairs, Av.MsvAvFlags);
      micRequired = avFlags !== undefined && avFlags.length === 4 && (avFlags.readUInt32LE(0) & Av.MSV_AV_FLAG_MIC_PRESENT) !== 0;
    } else if (nt.length === 24 || (nt.length === 0 && lm.length === 24)) {
      if (!this.opts.allowNtlmV1) throw new AuthError('ERR_AUTH_NTLMV1_REFUSED', `NTLMv1 response from ${auth.DomainName}\\${auth.UserName}`);
      if (nt.length !== 24) throw new AuthError('ERR_AUTH_NTLMV1_REFUSED', 'LM-only responses are not accepted');
      const clientChallenge = flags & F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY ? lm.subarray(0, 8) : Buffer.alloc(8);
      if (clientChallenge.length !== 8) throw new AuthError('ERR_AUTH_LOGON_FAILURE', 'NTLMv1 with extended session security needs an LM response');
      const r = computeNtlmv1Response(flags, hash, undefined, this.serverChallenge, clientChallenge);
      if (!timingSafeEqual(r.NtChallengeResponse, nt)) throw new AuthError('ERR_AUTH_LOGON_FAILURE', `bad NTLMv1 response for ${auth.DomainName}\\${auth.UserName}`);
      keyExchangeKey = KXKEY(flags, r.SessionBaseKey, lm, this.serverChallenge, undefined, false);
    } else {
      throw new AuthError('ERR_AUTH_LOGON_FAILURE', `NtChallengeResponse of ${nt.length} bytes`);
    }

    this.identity = { user: auth.UserName, domain: auth.DomainName, workstation: auth.Workstation, account, anonymous: false };
    this.finish(flags, keyExchangeKey, auth, micRequired ? input : undefined);
  }

  private finish(flags: number, keyExchangeKey: Buffer, auth: AuthenticateMessage, micInput?: Buffer): void {
    let exported: Buffer = keyExchangeKey;
    if (flags & F.NTLMSSP_NEGOTIATE_KEY_EXCH) {
      if (auth.EncryptedRandomSessionKey.length !== 16) {
        throw new AuthError('ERR_AUTH_LOGON_FAILURE', `EncryptedRandomSessionKey of ${auth.EncryptedRandomSessionKey.length} bytes with NTLMSSP_NEGOTIATE_KEY_EXCH`);
      }
      exported = rc4(keyExchangeKey, auth.EncryptedRandomSessionKey);
    }
    if (micInput) {
      if (!auth.MIC) throw new AuthError('ERR_AUTH_BAD_MIC', 'MsvAvFlags announces a MIC but the message has no room for one');
      const zeroed = Buffer.from(micInput);
      zeroed.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
      const mic = hmacMd5(exported, this.negotiateBytes!, this.challengeBytes!, zeroed);
      if (!timingSafeEqual(mic, auth.MIC)) throw new AuthError('ERR_AUTH_BAD_MIC', 'AUTHENTICATE_MESSAGE MIC does not match');
    }
    this.negotiatedFlags = flags;
    this.exportedSessionKey = exported;
    this.session = new NtlmSessionSecurity(flags, exported, 'server');
  }
}
