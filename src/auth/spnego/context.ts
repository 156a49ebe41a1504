// SpnegoClient and SpnegoServer: SPNEGO (RFC 4178, MS-SPNG) around NTLMSSP, as a SecurityContext with
// RPC auth_type 9. Only NTLM is offered or accepted.
import { AuthError } from '../errors.js';
import { NtlmClient, type NtlmClientOptions } from '../ntlm/client.js';
import type { NtlmContext } from '../ntlm/context.js';
import { NtlmServer, type NtlmServerOptions } from '../ntlm/server.js';
import { NTLMSSP_SIGNATURE } from '../ntlm/wire.js';
import type { AuthIdentity, AuthStep, SecurityContext } from '../types.js';
import {
  accept_completed, accept_incomplete, decodeNegotiationToken, encodeMechTypes, encodeNegTokenInit, encodeNegTokenInit2, encodeNegTokenResp,
  OID_NTLMSSP, reject, request_mic, type NegTokenResp,
} from './tokens.js';

/** RPC_C_AUTHN_GSS_NEGOTIATE (MS-RPCE §2.2.1.1.7). */
export const AUTH_TYPE_SPNEGO = 9;

abstract class SpnegoContext implements SecurityContext {
  readonly authType = AUTH_TYPE_SPNEGO;
  readonly signatureSize = 16;
  protected done = false;
  protected abstract readonly ntlm: NtlmContext;

  get complete(): boolean {
    return this.done;
  }
  get sessionKey(): Buffer {
    return this.ntlm.sessionKey;
  }
  get identity(): AuthIdentity | undefined {
    return this.ntlm.identity;
  }
  /** The NTLM context inside (flags, session security). */
  get mechanism(): NtlmContext {
    return this.ntlm;
  }
  abstract step(input: Buffer | undefined): AuthStep;

  protected requireDone(): void {
    if (!this.done) throw new AuthError('ERR_AUTH_STATE', 'session security is not available before completion');
  }
  sign(message: Buffer): Buffer {
    this.requireDone();
    return this.ntlm.sign(message);
  }
  verify(message: Buffer, signature: Buffer): void {
    this.requireDone();
    this.ntlm.verify(message, signature);
  }
  sealInPlace(message: Buffer, start: number, end: number): Buffer {
    this.requireDone();
    return this.ntlm.sealInPlace(message, start, end);
  }
  unsealInPlace(message: Buffer, start: number, end: number, signature: Buffer): void {
    this.requireDone();
    this.ntlm.unsealInPlace(message, start, end, signature);
  }

  // MS-SPNG §3.1.5.1 / §3.2.5.1: mechListMIC = the mechanism's GSS_GetMIC over the DER MechTypeList; the
  // RC4 state is then rewound so the first application message uses the same key stream (Windows does).
  protected makeMechListMic(mechTypesBytes: Buffer): Buffer | undefined {
    const s = this.ntlm.session;
    if (!s) return undefined;
    const mic = s.sign(mechTypesBytes);
    s.resetSendHandle();
    return mic;
  }

  protected checkMechListMic(mechTypesBytes: Buffer, mic: Buffer): void {
    const s = this.ntlm.session;
    if (!s) return; // guest: no key to check with
    try {
      s.verify(mechTypesBytes, mic);
    } catch (err) {
      if (err instanceof AuthError) throw new AuthError('ERR_AUTH_BAD_MIC', 'SPNEGO mechListMIC does not verify', { cause: err });
      throw err;
    }
    s.resetReceiveHandle();
  }
}

const SPNEGO_TOKEN = 'SPNEGO token';

function decodeResp(input: Buffer): NegTokenResp {
  const t = decodeNegotiationToken(input);
  if (!t.resp) throw new AuthError('ERR_AUTH_MALFORMED', `${SPNEGO_TOKEN}: expected a NegTokenResp`);
  if (t.resp.negState === reject) throw new AuthError('ERR_AUTH_LOGON_FAILURE', 'the peer rejected the SPNEGO negotiation');
  return t.resp;
}

export class SpnegoClient extends SpnegoContext {
  protected readonly ntlm: NtlmClient;
  private state: 'initial' | 'challenge' | 'final' | 'done' = 'initial';
  private readonly mechTypesBytes = encodeMechTypes([OID_NTLMSSP]);

  constructor(opts: NtlmClientOptions) {
    super();
    this.ntlm = new NtlmClient(opts);
  }

  /** `input` may be undefined, or the server's NegTokenInit2 hint (SMB2 NEGOTIATE response). */
  step(input: Buffer | undefined): AuthStep {
    switch (this.state) {
      case 'initial': {
        if (input !== undefined && input.length > 0) {
          const hint = decodeNegotiationToken(input);
          if (!hint.init || !hint.init.mechTypes.includes(OID_NTLMSSP)) throw new AuthError('ERR_AUTH_NOT_SUPPORTED', 'the server does not offer NTLMSSP');
        }
        const neg = this.ntlm.step(undefined).output!;
        this.state = 'challenge';
        return { output: encodeNegTokenInit({ mechTypes: [OID_NTLMSSP], mechToken: neg }), complete: false };
      }
      case 'challenge': {
        if (input === undefined) throw new AuthError('ERR_AUTH_STATE', 'expected the server NegTokenResp');
        const resp = decodeResp(input);
        if (resp.supportedMech !== undefined && resp.supportedMech !== OID_NTLMSSP) throw new AuthError('ERR_AUTH_NOT_SUPPORTED', `server chose ${resp.supportedMech}`);
        if (!resp.responseToken) throw new AuthError('ERR_AUTH_MALFORMED', `${SPNEGO_TOKEN}: NegTokenResp without the NTLM challenge`);
        const auth = this.ntlm.step(resp.responseToken).output!;
        const mic = this.makeMechListMic(this.mechTypesBytes);
        this.state = 'final';
        return { output: encodeNegTokenResp(mic ? { responseToken: auth, mechListMIC: mic } : { responseToken: auth }), complete: false };
      }
      case 'final': {
        if (input === undefined) throw new AuthError('ERR_AUTH_STATE', 'expected the server final NegTokenResp');
        const resp = decodeResp(input);
        if (resp.negState !== accept_completed) throw new AuthError('ERR_AUTH_LOGON_FAILURE', `final negState ${resp.negState}`);
        if (resp.mechListMIC) this.checkMechListMic(this.mechTypesBytes, resp.mechListMIC);
        this.state = 'done';
        this.done = true;
        return { complete: true };
      }
      default:
        throw new AuthError('ERR_AUTH_STATE', 'the SPNEGO exchange is already complete');
    }
  }
}

export interface SpnegoServerOptions extends NtlmServerOptions {
  /** Accept a client that sends raw NTLMSSP instead of SPNEGO, as Windows does (default true). */
  acceptRawNtlm?: boolean;
}

export class SpnegoServer extends SpnegoContext {
  protected readonly ntlm: NtlmServer;
  private readonly acceptRaw: boolean;
  private state: 'initial' | 'negotiate' | 'authenticate' | 'done' = 'initial';
  private raw = false;
  private mechTypesBytes = Buffer.alloc(0);
  /** RFC 4178 §5: a mechanism other than the client's first choice needs a mechListMIC. */
  private micRequired = false;

  constructor(opts: SpnegoServerOptions) {
    super();
    this.ntlm = new NtlmServer(opts);
    this.acceptRaw = opts.acceptRawNtlm !== false;
  }

  /** True when the client spoke raw NTLMSSP (replies are raw too). */
  get rawNtlm(): boolean {
    return this.raw;
  }

  /** NegTokenInit2 for the SMB2 NEGOTIATE response (MS-SMB2 §3.3.5.4, MS-SPNG §3.2.5.2). */
  static hintToken(): Buffer {
    return encodeNegTokenInit2({ mechTypes: [OID_NTLMSSP] });
  }

  step(input: Buffer | undefined): AuthStep {
    if (input === undefined) throw new AuthError('ERR_AUTH_STATE', 'the SPNEGO server needs a token from the client');
    if (this.raw) {
      const r = this.ntlm.step(input);
      this.done = r.complete;
      return r;
    }
    switch (this.state) {
      case 'initial': {
        if (this.acceptRaw && input.length >= 8 && input.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) {
          this.raw = true;
          return this.ntlm.step(input);
        }
        const t = decodeNegotiationToken(input);
        if (!t.init) throw new AuthError('ERR_AUTH_MALFORMED', `${SPNEGO_TOKEN}: the first token must be a NegTokenInit`);
        const i = t.init.mechTypes.indexOf(OID_NTLMSSP);
        if (i < 0) {
          throw new AuthError('ERR_AUTH_NOT_SUPPORTED', `no common mechanism (offered ${t.init.mechTypes.join(', ')})`);
        }
        this.mechTypesBytes = Buffer.from(t.init.mechTypesBytes);
        if (i === 0 && t.init.mechToken) {
          const chal = this.ntlm.step(t.init.mechToken).output!;
          this.state = 'authenticate';
          return { output: encodeNegTokenResp({ negState: accept_incomplete, supportedMech: OID_NTLMSSP, responseToken: chal }), complete: false };
        }
        // NTLM is not the client's first choice (or no optimistic token): select it and wait for its first token.
        // RFC 4178 §5: when the selected mechanism is not the initiator's first choice, ask for the MIC.
        this.micRequired = i !== 0;
        this.state = 'negotiate';
        return { output: encodeNegTokenResp({ negState: this.micRequired ? request_mic : accept_incomplete, supportedMech: OID_NTLMSSP }), complete: false };
      }
      case 'negotiate': {
        const resp = decodeResp(input);
        if (!resp.responseToken) throw new AuthError('ERR_AUTH_MALFORMED', `${SPNEGO_TOKEN}: NegTokenResp without the NTLM NEGOTIATE_MESSAGE`);
        const chal = this.ntlm.step(resp.responseToken).output!;
        this.state = 'authenticate';
        return { output: encodeNegTokenResp({ negState: accept_incomplete, responseToken: chal }), complete: false };
      }
      case 'authenticate': {
        const resp = decodeResp(input);
        if (!resp.responseToken) throw new AuthError('ERR_AUTH_MALFORMED', `${SPNEGO_TOKEN}: NegTokenResp without the NTLM AUTHENTICATE_MESSAGE`);
        this.ntlm.step(resp.responseToken);
        let mic: Buffer | undefined;
        if (resp.mechListMIC) {
          this.checkMechListMic(this.mechTypesBytes, resp.mechListMIC);
          mic = this.makeMechListMic(this.mechTypesBytes);
        } else if (this.micRequired && this.ntlm.session) {
          throw new AuthError('ERR_AUTH_BAD_MIC', 'mechListMIC missing although NTLM was not the preferred mechanism');
        }
        this.state = 'done';
        this.done = true;
        return { output: encodeNegTokenResp(mic ? { negState: accept_completed, mechListMIC: mic } : { negState: accept_completed }), complete: true };
      }
      default:
        throw new AuthError('ERR_AUTH_STATE', 'the SPNEGO exchange is already complete');
    }
  }
}
