# The peer side of the differential tests: impacket's NTLM and SPNEGO code (Debian python3-impacket),
# driven by JSON on stdin ({"ops": [...]}) and answering JSON on stdout. Bytes travel as hex.
# Run with /usr/bin/python3 (Debian's), not a pyenv python that lacks impacket.
import json
import sys

from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.spnego import SPNEGO_NegTokenInit, SPNEGO_NegTokenResp, TypesMech

NTLM_MECH = TypesMech['NTLMSSP - Microsoft NTLM Security Support Provider']


def h(b):
    if isinstance(b, str):
        b = b.encode('latin1')
    return b.hex()


def u(x):
    return bytes.fromhex(x)


def op_ntlmv2(a):
    # TEST_CASE makes impacket use Time = 0 and the TargetInfo exactly as given (no added pairs).
    ntlm.TEST_CASE = True
    try:
        nt, lm, sbk = ntlm.computeResponseNTLMv2(
            a['flags'], u(a['serverChallenge']), u(a['clientChallenge']), u(a['targetInfo']),
            a['domain'], a['user'], a.get('password', ''), '', u(a['nthash']) if a.get('nthash') else '')
    finally:
        ntlm.TEST_CASE = False
    return {'nt': h(nt), 'lm': h(lm), 'sessionBaseKey': h(sbk)}


def op_ntlmv2_live(a):
    # Without TEST_CASE: impacket takes the time from MsvAvTimestamp and adds an MsvAvTargetName itself.
    nt, lm, sbk = ntlm.computeResponseNTLMv2(
        a['flags'], u(a['serverChallenge']), u(a['clientChallenge']), u(a['targetInfo']),
        a['domain'], a['user'], a.get('password', ''), '', '')
    return {'nt': h(nt), 'lm': h(lm), 'sessionBaseKey': h(sbk)}


def op_keys(a):
    f, k = a['flags'], u(a['esk'])
    return {
        'signClient': h(ntlm.SIGNKEY(f, k, 'Client') or b''), 'signServer': h(ntlm.SIGNKEY(f, k, 'Server') or b''),
        'sealClient': h(ntlm.SEALKEY(f, k, 'Client')), 'sealServer': h(ntlm.SEALKEY(f, k, 'Server')),
        'encryptedKey': h(ntlm.generateEncryptedSessionKey(u(a['kxk']), k)),
    }


def op_protect(a):
    # One RC4 handle and one sequence number for the whole list, as a session would keep them.
    f, k, mode = a['flags'], u(a['esk']), a['mode']
    sign_key = ntlm.SIGNKEY(f, k, mode)
    seal_key = ntlm.SEALKEY(f, k, mode)
    handle = ARC4.new(seal_key).encrypt
    out = []
    for seq, m in enumerate(a['messages']):
        pdu = u(m['pdu'])
        s, e = m['start'], m['end']
        if a['seal']:
            sealed, sig = ntlm.SEAL(f, sign_key, seal_key, pdu, pdu[s:e], seq, handle)
            out.append({'pdu': h(pdu[:s] + sealed + pdu[e:]), 'signature': h(sig.getData())})
        else:
            sig = ntlm.SIGN(f, sign_key, pdu, seq, handle)
            out.append({'pdu': h(pdu), 'signature': h(sig.getData())})
    return {'messages': out}


def op_type1(a):
    t1 = ntlm.getNTLMSSPType1(a.get('workstation', ''), a.get('domain', ''), a.get('signingRequired', True), use_ntlmv2=a.get('ntlmv2', True))
    return {'token': h(t1.getData())}


def op_type3(a):
    t1 = ntlm.NTLMAuthNegotiate()
    t1.fromString(u(a['type1']))
    t3, esk = ntlm.getNTLMSSPType3(t1, u(a['type2']), a['user'], a.get('password', ''), a['domain'],
                                   '', u(a['nthash']) if a.get('nthash') else '', use_ntlmv2=a.get('ntlmv2', True))
    return {'token': h(t3.getData()), 'exportedSessionKey': h(esk), 'flags': t3['flags']}


def op_spnego_init(a):
    blob = SPNEGO_NegTokenInit()
    blob['MechTypes'] = [NTLM_MECH]
    blob['MechToken'] = u(a['mechToken'])
    return {'token': h(blob.getData())}


def op_spnego_resp(a):
    blob = SPNEGO_NegTokenResp()
    blob['ResponseToken'] = u(a['responseToken'])
    return {'token': h(blob.getData())}


def op_spnego_parse_resp(a):
    r = SPNEGO_NegTokenResp(u(a['token']))
    out = {}
    for k in ('NegState', 'SupportedMech', 'ResponseToken', 'MechListMIC'):
        try:
            v = r[k]
        except KeyError:
            continue
        out[k] = h(v)
    return out


def op_verify_auth(a):
    # impacket's message parsers and primitives used as a server would: parse our CHALLENGE and
    # AUTHENTICATE, check the NTLMv2 proof, recover the exported session key, recompute the MIC.
    neg, chal, auth = u(a['negotiate']), u(a['challenge']), u(a['authenticate'])
    ch = ntlm.NTLMAuthChallenge(chal)
    msg = ntlm.NTLMAuthChallengeResponse()
    msg.fromString(auth)
    user = msg['user_name'].decode('utf-16le')
    domain = msg['domain_name'].decode('utf-16le')
    nt = msg['ntlm']
    key = ntlm.NTOWFv2(user, a['password'], domain)
    proof = ntlm.hmac_md5(key, ch['challenge'] + nt[16:])
    base = ntlm.hmac_md5(key, nt[:16])
    esk = ntlm.generateEncryptedSessionKey(base, msg['session_key']) if msg['flags'] & ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH else base
    pairs = ntlm.AV_PAIRS(nt[16 + 28:])
    av_flags = pairs[ntlm.NTLMSSP_AV_FLAGS]
    zeroed = auth[:72] + b'\0' * 16 + auth[88:]
    return {
        'user': user, 'domain': domain, 'workstation': msg['host_name'].decode('utf-16le'),
        'proofOk': proof == nt[:16], 'exportedSessionKey': h(esk),
        'mic': h(ntlm.hmac_md5(esk, neg + chal + zeroed)), 'micInMessage': h(msg['MIC']),
        'avFlags': h(av_flags[1]) if av_flags is not None else None,
    }


def op_bench_seal(a):
    # Seal+sign `count` PDUs of `size` bytes (stub = all but a 24-byte header and 8-byte trailer), one
    # session: what an RPC privacy-level stream costs in impacket.
    import time
    f, k = a['flags'], u(a['esk'])
    sign_key = ntlm.SIGNKEY(f, k, 'Client')
    seal_key = ntlm.SEALKEY(f, k, 'Client')
    handle = ARC4.new(seal_key).encrypt
    size, count = a['size'], a['count']
    pdu = bytes((i * 31 + 7) & 0xff for i in range(size))
    t0 = time.perf_counter()
    for seq in range(count):
        sealed, sig = ntlm.SEAL(f, sign_key, seal_key, pdu, pdu[24:size - 8], seq, handle)
        out = pdu[:24] + sealed + pdu[size - 8:] + sig.getData()
    return {'seconds': time.perf_counter() - t0, 'bytes': size * count, 'lastSignature': h(sig.getData())}


OPS = {k[3:]: v for k, v in globals().items() if k.startswith('op_')}

if __name__ == '__main__':
    req = json.load(sys.stdin)
    json.dump({'results': [OPS[o['op']](o) for o in req['ops']]}, sys.stdout)
