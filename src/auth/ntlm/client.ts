// NTLM client (initiator): MS-NLMP §3.1.5.1.1 (NEGOTIATE) and §3.1.5.1.2 (AUTHENTICATE with NTLMv2, MIC).
import { rc4 } from '../../crypto/rc4.js';
import { AuthError } from '../errors.js';
import type { AuthStep } from '../types.js';
import { decodeChallengeMessage, type ChallengeMessage } from './challenge.js';
import { encodeAuthenticateMessage, MIC_OFFSET } from './authenticate.js';
import { MSV_AV_FLAG_MIC_PRESENT, MsvAvFlags, MsvAvTargetName, MsvAvTimestamp, findAvPair, setAvPair, type AvPair } from './avpairs.js';
import { computeNtlmv2Response, encodeClientChallengeTemp, hmacMd5, ntHash, NTOWFv2 } from './compute.js';
import { fileTime, NtlmContext, type NtlmTestHooks } from './context.js';
import * as F from './flags.js';
import { encodeNegotiateMessage } from './negotiate.js';
import { NtlmSessionSecurity } from './session.js';
import { OUR_VERSION } from './wire.js';

export interface NtlmClientOptions {
  /** Empty user with no password/hash = anonymous. */
  user: string;
  domain: string;
  password?: string;
  ntHash?: Buffer;
  workstation?: string;
  /** SPN of the target, e.g. 'cifs/server' (sent as MsvAvTargetName). */
  targetName?: string;
  /** Ask for signing / sealing (default both: what an RPC privacy-level bind needs). */
  sign?: boolean;
  seal?: boolean;
  testHooks?: NtlmTestHooks;
}

export class NtlmClient extends NtlmContext {
  private readonly opts: NtlmClientOptions;
  private state: 'initial' | 'challenge' | 'done' = 'initial';
  private negotiateBytes: Buffer | undefined;
  private readonly anonymous: boolean;

  constructor(opts: NtlmClientOptions) {
    super(opts.testHooks);
    this.opts = opts;
    this.anonymous = opts.user === '' && !opts.password && !opts.ntHash;
  }

  private requestedFlags(): number {
    let f =
      F.NTLMSSP_NEGOTIATE_UNICODE | F.NTLM_NEGOTIATE_OEM | F.NTLMSSP_REQUEST_TARGET | F.NTLMSSP_NEGOTIATE_NTLM |
      F.NTLMSSP_NEGOTIATE_ALWAYS_SIGN | F.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | F.NTLMSSP_NEGOTIATE_VERSION |
      F.NTLMSSP_NEGOTIATE_128 | F.NTLMSSP_NEGOTIATE_56 | F.NTLMSSP_NEGOTIATE_KEY_EXCH;
    if (this.opts.sign !== false) f |= F.NTLMSSP_NEGOTIATE_SIGN;
    if (this.opts.seal !== false) f |= F.NTLMSSP_NEGOTIATE_SEAL;
    if (this.anonymous) f |= F.NTLMSSP_NEGOTIATE_ANONYMOUS;
    return f >>> 0;
  }

  step(input: Buffer | undefined): AuthStep {
    if (this.state === 'initial') {
      if (input !== undefined) throw new AuthError('ERR_AUTH_STATE', 'the NTLM client speaks first');
      this.negotiateBytes = encodeNegotiateMessage({ NegotiateFlags: this.requestedFlags(), DomainName: '', Workstation: '', Version: OUR_VERSION });
      this.state = 'challenge';
      return { output: this.negotiateBytes, complete: false };
    }
    if (this.state === 'challenge') {
      if (input === undefined) throw new AuthError('ERR_AUTH_STATE', 'expected a CHALLENGE_MESSAGE');
      const challenge = decodeChallengeMessage(input);
      const output = this.authenticate(challenge, input);
      this.state = 'done';
      this.done = true;
      return { output, complete: true };
    }
    throw new AuthError('ERR_AUTH_STATE', 'the NTLM exchange is already complete');
  }

  private authenticate(challenge: ChallengeMessage, challengeBytes: Buffer): Buffer {
    const server = challenge.NegotiateFlags;
    if (!(server & (F.NTLMSSP_NEGOTIATE_UNICODE | F.NTLM_NEGOTIATE_OEM))) throw new AuthError('ERR_AUTH_MALFORMED', 'CHALLENGE_MESSAGE selects neither Unicode nor OEM');
    let flags = this.requestedFlags() & server;
    // Unicode wins when both are offered (§2.2.2.5, bits A and B).
    if (flags & F.NTLMSSP_NEGOTIATE_UNICODE) flags &= ~F.NTLM_NEGOTIATE_OEM;
    flags >>>= 0;

    let nt: Buffer = Buffer.alloc(0);
    let lm: Buffer = Buffer.alloc(1); // Z(1) for anonymous (§3.1.5.1.2)
    let keyExchangeKey: Buffer = Buffer.alloc(16);
    let withMic = false;
    if (!this.anonymous) {
      const pairs: AvPair[] = challenge.TargetInfo.map((p) => ({ AvId: p.AvId, Value: p.Value }));
      const serverTime = findAvPair(pairs, MsvAvTimestamp);
      // §3.1.5.1.2: with a server timestamp the client sends a MIC and says so in MsvAvFlags;
      // these pairs go in before ComputeResponse since they are part of what NTProofStr covers.
      if (serverTime && serverTime.length === 8) {
        withMic = true;
        const old = findAvPair(pairs, MsvAvFlags);
        const v = Buffer.alloc(4);
        v.writeUInt32LE(((old && old.length === 4 ? old.readUInt32LE(0) : 0) | MSV_AV_FLAG_MIC_PRESENT) >>> 0);
        setAvPair(pairs, MsvAvFlags, v);
      }
      if (this.opts.targetName) setAvPair(pairs, MsvAvTargetName, Buffer.from(this.opts.targetName, 'utf16le'));
      const clientChallenge = this.random(8);
      const temp = encodeClientChallengeTemp({ TimeStamp: withMic ? serverTime! : fileTime(this.now()), ChallengeFromClient: clientChallenge, AvPairs: pairs });
      const key = this.opts.ntHash ?? ntHash(this.opts.password ?? '');
      const r = computeNtlmv2Response(NTOWFv2(key, this.opts.user, this.opts.domain), challenge.ServerChallenge, temp, clientChallenge);
      nt = r.NtChallengeResponse;
      lm = withMic ? Buffer.alloc(24) : r.LmChallengeResponse;
      keyExchangeKey = r.SessionBaseKey; // KXKEY for NTLMv2 (§3.4.5.1)
    }

    let exported: Buffer = keyExchangeKey;
    let encrypted: Buffer = Buffer.alloc(0);
    if (flags & F.NTLMSSP_NEGOTIATE_KEY_EXCH) {
      exported = this.random(16);
      encrypted = rc4(keyExchangeKey, exported);
    }
    const auth = encodeAuthenticateMessage({
      LmChallengeResponse: lm,
      NtChallengeResponse: nt,
      DomainName: this.anonymous ? '' : this.opts.domain,
      UserName: this.opts.user,
      Workstation: this.opts.workstation ?? '',
      EncryptedRandomSessionKey: encrypted,
      NegotiateFlags: flags,
      Version: OUR_VERSION,
      MIC: Buffer.alloc(16),
    });
    if (withMic) hmacMd5(exported, this.negotiateBytes!, challengeBytes, auth).copy(auth, MIC_OFFSET);
    this.negotiatedFlags = flags;
    this.exportedSessionKey = exported;
    this.session = new NtlmSessionSecurity(flags, exported, 'client');
    return auth;
  }
}
