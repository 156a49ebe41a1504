# A DCE/RPC client built on impacket (a peer we did not write), driven by our interop tests.
# Usage: /usr/bin/python3 impacket-client.py HOST EPM_PORT ECHO_PORT ECHO_UUID USER PASSWORD DOMAIN LEVEL [np]
# With `np`, EPM_PORT and ECHO_PORT are pipe names (epmapper, hwecho) on our SMB2 server at HOST:445.
# For the given auth level (1 = none, 2 = connect, 5 = integrity, 6 = privacy; NTLM) it binds to our
# endpoint mapper and calls ept_lookup, then binds to the test echo interface and calls its "reverse"
# operation with a small and a large (fragmented) stub. Prints one JSON object.
import json
import sys

from impacket.dcerpc.v5 import epm, transport
from impacket.dcerpc.v5.dtypes import NULL
from impacket.dcerpc.v5.rpcrt import RPC_C_AUTHN_WINNT
from impacket.uuid import uuidtup_to_bin

host, epm_port, echo_port, echo_uuid, user, password, domain, level = sys.argv[1:9]
level = int(level)
np = len(sys.argv) > 9 and sys.argv[9] == 'np'


def connect(port, iface):
    if np:
        t = transport.DCERPCTransportFactory(r'ncacn_np:%s[\pipe\%s]' % (host, port))
        t.set_credentials(user, password, domain)  # the SMB session always authenticates
    else:
        t = transport.DCERPCTransportFactory('ncacn_ip_tcp:%s[%s]' % (host, port))
    if level > 1:
        t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    if level > 1:
        dce.set_auth_type(RPC_C_AUTHN_WINNT)
        dce.set_auth_level(level)
    dce.connect()
    dce.bind(iface)
    return dce


out = {}
dce = connect(epm_port, epm.MSRPC_UUID_PORTMAP)
req = epm.ept_lookup()
req['inquiry_type'] = epm.RPC_C_EP_ALL_ELTS
req['object'] = NULL
req['Ifid'] = NULL
req['vers_option'] = epm.RPC_C_VERS_ALL
req['entry_handle'] = epm.ept_lookup_handle_t()
req['max_ents'] = 500
resp = dce.request(req)
out['lookup'] = []
for i in range(resp['num_ents']):
    e = resp['entries'][i]
    tower = epm.EPMTower(b''.join(e['tower']['tower_octet_string']))
    out['lookup'].append({
        'annotation': b''.join(e['annotation']).rstrip(b'\0').decode('latin1'),
        'binding': epm.PrintStringBinding(tower['Floors']),
    })
dce.disconnect()

dce = connect(echo_port, uuidtup_to_bin((echo_uuid, '1.0')))
small = b'impacket says hello'
dce.call(1, small)
out['small'] = dce.recv() == small[::-1]
big = bytes((i * 7) & 0xff for i in range(40000))
dce.call(1, big)
out['big'] = dce.recv() == big[::-1]
dce.disconnect()
print(json.dumps(out))
