// SPNEGO tokens (RFC 4178 §4.2, MS-SPNG §2.2): NegTokenInit, NegTokenInit2 (the server's hint in the SMB2
// NEGOTIATE response), NegTokenResp; the first token inside the GSS-API InitialContextToken wrapper.
import { AuthMalformedError } from '../errors.js';
import { context, decodeOid, DerReader, encodeOid, TAG_APPLICATION_0, TAG_BIT_STRING, TAG_ENUMERATED, TAG_GENERAL_STRING, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, tlv } from './der.js';

export const OID_SPNEGO = '1.3.6.1.5.5.2';
export const OID_NTLMSSP = '1.3.6.1.4.1.311.2.2.10';
export const OID_KERBEROS = '1.2.840.113554.1.2.2';
export const OID_MS_KERBEROS = '1.2.840.48018.1.2.2';

// RFC 4178 §4.2.2 negState
export const accept_completed = 0;
export const accept_incomplete = 1;
export const reject = 2;
export const request_mic = 3;

/** MS-SPNG §3.2.5.2: the hint name Windows servers send. */
export const HINT_NAME = 'not_defined_in_RFC4178@please_ignore';

// RFC 4178 §4.2.1 NegTokenInit, with MS-SPNG §2.2.1 NegTokenInit2's negHints
export interface NegTokenInit {
  mechTypes: string[];
  /** The DER bytes of MechTypeList as received or sent: what mechListMIC covers. */
  mechTypesBytes: Buffer;
  reqFlags?: Buffer;
  mechToken?: Buffer;
  negHints?: { hintName?: string; hintAddress?: Buffer };
  mechListMIC?: Buffer;
}

// RFC 4178 §4.2.2 NegTokenResp
export interface NegTokenResp {
  negState?: number;
  supportedMech?: string;
  responseToken?: Buffer;
  mechListMIC?: Buffer;
}

export type NegotiationToken = { init: NegTokenInit; resp?: undefined } | { resp: NegTokenResp; init?: undefined };

const TOKEN = 'SPNEGO token';

/** Decodes a NegotiationToken, with or without the [APPLICATION 0] wrapper (the first token has it). */
export function decodeNegotiationToken(b: Buffer): NegotiationToken {
  let r = new DerReader(b, TOKEN);
  if (r.peekTag() === TAG_APPLICATION_0) {
    const app = r.read(TAG_APPLICATION_0);
    r.expectEnd('InitialContextToken');
    r = r.enter(app);
    const mech = decodeOid(r.read(TAG_OID), TOKEN);
    if (mech !== OID_SPNEGO) throw r.fail(0, `thisMech ${mech} is not SPNEGO`);
    const t = r.peekTag();
    if (t !== context(0)) throw r.fail(0, 'the wrapped token must be a NegTokenInit');
  }
  const tag = r.peekTag();
  if (tag === context(0)) {
    const inner = r.readExplicit(0);
    r.expectEnd('NegotiationToken');
    const init = decodeNegTokenInit(inner);
    return { init };
  }
  if (tag === context(1)) {
    const inner = r.readExplicit(1);
    r.expectEnd('NegotiationToken');
    return { resp: decodeNegTokenResp(inner) };
  }
  throw r.fail(0, `NegotiationToken starts with 0x${tag.toString(16)}, expected [0] or [1]`);
}

function decodeNegTokenInit(outer: DerReader): NegTokenInit {
  const seq = outer.enter(outer.read(TAG_SEQUENCE));
  outer.expectEnd('NegTokenInit');
  const types = seq.read(context(0));
  const typesReader = seq.enter(types);
  const listTlv = typesReader.read(TAG_SEQUENCE);
  typesReader.expectEnd('mechTypes');
  const list = typesReader.enter(listTlv);
  const mechTypes: string[] = [];
  while (!list.done) mechTypes.push(decodeOid(list.read(TAG_OID), TOKEN));
  if (mechTypes.length === 0) throw seq.fail(0, 'empty mechTypes');
  // The MechTypeList element itself (tag + length + contents) is what mechListMIC signs.
  const mechTypesBytes = types.value;
  const init: NegTokenInit = { mechTypes, mechTypesBytes };
  let last = 0;
  while (!seq.done) {
    const t = seq.peekTag();
    if ((t & 0xe0) !== 0xa0 || (t & 0x1f) <= last || (t & 0x1f) > 4) throw seq.fail(0, `unexpected or out-of-order element 0x${t.toString(16)} in NegTokenInit`);
    last = t & 0x1f;
    const r = seq.readExplicit(last);
    if (last === 1) init.reqFlags = r.read(TAG_BIT_STRING).value;
    else if (last === 2) init.mechToken = r.read(TAG_OCTET_STRING).value;
    else if (last === 3 && r.peekTag() === TAG_SEQUENCE) {
      // NegTokenInit2 negHints
      const hints = r.enter(r.read(TAG_SEQUENCE));
      init.negHints = {};
      if (hints.peekTag() === context(0)) init.negHints.hintName = hints.readExplicit(0).read(TAG_GENERAL_STRING).value.toString('latin1');
      if (hints.peekTag() === context(1)) init.negHints.hintAddress = hints.readExplicit(1).read(TAG_OCTET_STRING).value;
      hints.expectEnd('negHints');
    } else init.mechListMIC = r.read(TAG_OCTET_STRING).value; // [3] in RFC 4178, [4] in NegTokenInit2
    r.expectEnd('NegTokenInit element');
  }
  return init;
}

function decodeNegTokenResp(outer: DerReader): NegTokenResp {
  const seq = outer.enter(outer.read(TAG_SEQUENCE));
  outer.expectEnd('NegTokenResp');
  const resp: NegTokenResp = {};
  let last = -1;
  while (!seq.done) {
    const t = seq.peekTag();
    if ((t & 0xe0) !== 0xa0 || (t & 0x1f) <= last || (t & 0x1f) > 3) throw seq.fail(0, `unexpected or out-of-order element 0x${t.toString(16)} in NegTokenResp`);
    last = t & 0x1f;
    const r = seq.readExplicit(last);
    if (last === 0) {
      const e = r.read(TAG_ENUMERATED);
      if (e.value.length !== 1 || e.value[0]! > 3) throw new AuthMalformedError(TOKEN, e.offset, 'negState is not 0..3');
      resp.negState = e.value[0]!;
    } else if (last === 1) resp.supportedMech = decodeOid(r.read(TAG_OID), TOKEN);
    else if (last === 2) resp.responseToken = r.read(TAG_OCTET_STRING).value;
    else resp.mechListMIC = r.read(TAG_OCTET_STRING).value;
    r.expectEnd('NegTokenResp element');
  }
  return resp;
}

/** DER of MechTypeList (SEQUENCE OF OID). */
export function encodeMechTypes(mechTypes: string[]): Buffer {
  return tlv(TAG_SEQUENCE, ...mechTypes.map(encodeOid));
}

/** The client's first token: InitialContextToken { SPNEGO OID, [0] NegTokenInit }. */
export function encodeNegTokenInit(init: { mechTypes: string[]; mechToken?: Buffer; mechListMIC?: Buffer }): Buffer {
  const parts = [tlv(context(0), encodeMechTypes(init.mechTypes))];
  if (init.mechToken) parts.push(tlv(context(2), tlv(TAG_OCTET_STRING, init.mechToken)));
  if (init.mechListMIC) parts.push(tlv(context(3), tlv(TAG_OCTET_STRING, init.mechListMIC)));
  return tlv(TAG_APPLICATION_0, encodeOid(OID_SPNEGO), tlv(context(0), tlv(TAG_SEQUENCE, ...parts)));
}

/** MS-SPNG §2.2.1 NegTokenInit2: the server's unsolicited hint (SMB2 NEGOTIATE response buffer). */
export function encodeNegTokenInit2(init: { mechTypes: string[]; hintName?: string }): Buffer {
  const hints = tlv(TAG_SEQUENCE, tlv(context(0), tlv(TAG_GENERAL_STRING, Buffer.from(init.hintName ?? HINT_NAME, 'latin1'))));
  return tlv(TAG_APPLICATION_0, encodeOid(OID_SPNEGO), tlv(context(0), tlv(TAG_SEQUENCE, tlv(context(0), encodeMechTypes(init.mechTypes)), tlv(context(3), hints))));
}

export function encodeNegTokenResp(resp: NegTokenResp): Buffer {
  const parts: Buffer[] = [];
  if (resp.negState !== undefined) parts.push(tlv(context(0), tlv(TAG_ENUMERATED, Buffer.from([resp.negState]))));
  if (resp.supportedMech) parts.push(tlv(context(1), encodeOid(resp.supportedMech)));
  if (resp.responseToken) parts.push(tlv(context(2), tlv(TAG_OCTET_STRING, resp.responseToken)));
  if (resp.mechListMIC) parts.push(tlv(context(3), tlv(TAG_OCTET_STRING, resp.mechListMIC)));
  return tlv(context(1), tlv(TAG_SEQUENCE, ...parts));
}
