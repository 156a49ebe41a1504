# MS-RRP over ncacn_ip_tcp with impacket (a client we did not write), for rrp-server-tcp.test.ts:
# the endpoint is looked up with the endpoint mapper (epm.hept_map on HOST:135), then bound with NTLM
# at the given auth level, and KEYPATH (below HKLM) is read. Prints one JSON object:
#   {"binding": "ncacn_ip_tcp:HOST[PORT]", "values": {NAME: [TYPE, HEX]}, "subkeys": [...], "status": 0}
# "status" is 0, the Win32 code of a failed call, or the fault/exception text.
#   rrp-server-tcp.py HOST USER PASSWORD DOMAIN LEVEL KEYPATH VALUE...      LEVEL: connect|integrity|privacy
import json
import sys

from impacket.dcerpc.v5 import epm, rrp, transport
from impacket.dcerpc.v5.rpcrt import (RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
                                      RPC_C_AUTHN_LEVEL_PKT_PRIVACY, DCERPCException)

host, user, password, domain, level, key = sys.argv[1:7]
names = sys.argv[7:]
LEVELS = {'connect': RPC_C_AUTHN_LEVEL_CONNECT, 'integrity': RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
          'privacy': RPC_C_AUTHN_LEVEL_PKT_PRIVACY}
out = {}
try:
    binding = epm.hept_map(host, rrp.MSRPC_UUID_RRP, protocol='ncacn_ip_tcp')
    out['binding'] = binding
    t = transport.DCERPCTransportFactory(binding)
    t.set_credentials(user, password, domain)
    dce = t.get_dce_rpc()
    dce.set_auth_level(LEVELS[level])
    dce.connect()
    dce.bind(rrp.MSRPC_UUID_RRP)
    root = rrp.hOpenLocalMachine(dce)['phKey']
    h = rrp.hBaseRegOpenKey(dce, root, key, samDesired=rrp.KEY_READ)['phkResult']
    values = {}
    for name in names:
        typ, data = rrp.hBaseRegQueryValue(dce, h, name)
        raw = data if isinstance(data, bytes) else (data.encode('utf-16le') if isinstance(data, str) else int(data).to_bytes(4, 'little'))
        values[name] = [typ, raw.hex()]
    subkeys = []
    i = 0
    while True:
        try:
            r = rrp.hBaseRegEnumKey(dce, h, i)
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == 0x103:
                break
            raise
        subkeys.append(r['lpNameOut'].rstrip('\x00'))
        i += 1
    rrp.hBaseRegCloseKey(dce, h)
    dce.disconnect()
    out.update({'values': values, 'subkeys': subkeys, 'status': 0})
except rrp.DCERPCSessionError as e:
    out['status'] = e.get_error_code()
except (DCERPCException, Exception) as e:  # noqa: B014 - report anything as text
    out['status'] = '%s: %s' % (type(e).__name__, e)
print(json.dumps(out))
