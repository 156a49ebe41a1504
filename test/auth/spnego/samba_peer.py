# The peer side of test/auth/spnego/samba.test.ts: Samba's gensec (C, through python3-samba) as an SPNEGO/NTLM
# client. One JSON request per stdin line, one JSON answer per stdout line; bytes as hex.
# Run with /usr/bin/python3 (Debian's).
import json
import sys

from samba import credentials, gensec
from samba.param import LoadParm

g = None


def start(a):
    global g
    lp = LoadParm()
    creds = credentials.Credentials()
    creds.guess(lp)
    creds.set_username(a['user'])
    creds.set_password(a['password'])
    creds.set_domain(a['domain'])
    creds.set_workstation('SAMBACLI')
    creds.set_kerberos_state(credentials.DONT_USE_KERBEROS)
    g = gensec.Security.start_client({'lp_ctx': lp, 'target_hostname': 'hivewire'})
    g.set_credentials(creds)
    g.want_feature(gensec.FEATURE_SEAL)
    if a.get('dce'):
        g.want_feature(gensec.FEATURE_DCE_STYLE)
    g.start_mech_by_name(a.get('mech', 'spnego'))
    return {}


def update(a):
    done, out = g.update(bytes.fromhex(a['token']))
    return {'done': bool(done), 'token': out.hex()}


def sign(a):
    d = bytes.fromhex(a['data'])
    return {'signature': g.sign_packet(d, d).hex()}


def check(a):
    d = bytes.fromhex(a['data'])
    g.check_packet(d, d, bytes.fromhex(a['signature']))
    return {}


def wrap(a):
    return {'data': g.wrap(bytes.fromhex(a['data'])).hex()}


def unwrap(a):
    return {'data': g.unwrap(bytes.fromhex(a['data'])).hex()}


def session_key(a):
    return {'key': g.session_key().hex()}


OPS = {'start': start, 'update': update, 'sign': sign, 'check': check, 'wrap': wrap, 'unwrap': unwrap, 'session_key': session_key}

for line in sys.stdin:
    req = json.loads(line)
    try:
        res = OPS[req['op']](req)
        res['ok'] = True
    except Exception as e:  # report, keep serving
        res = {'ok': False, 'error': repr(e)}
    sys.stdout.write(json.dumps(res) + '\n')
    sys.stdout.flush()
