# Registry calls over MS-RRP with impacket's rrp module (a client we did not write), printing JSON,
# for the interop tests.
#   rrp-tool.py HOST USER PASSWORD KEYPATH                  {"values": [[name, type, hex]...], "subkeys": [...], "status": 0}
#   rrp-tool.py HOST USER PASSWORD KEYPATH set NAME TYPE HEX  raw bytes through hBaseRegSetValue {"status": 0}
# KEYPATH is below HKLM (e.g. SOFTWARE\X); "status" is the Win32 code or fault status, or "error".
import json, sys
from impacket.dcerpc.v5 import transport, rrp
from impacket.dcerpc.v5.rpcrt import DCERPCException

host, user, password, key = sys.argv[1:5]
t = transport.DCERPCTransportFactory(r'ncacn_np:%s[\pipe\winreg]' % host)
t.set_credentials(user, password, '')
dce = t.get_dce_rpc()
out = {}
try:
    dce.connect()
    dce.bind(rrp.MSRPC_UUID_RRP)
    root = rrp.hOpenLocalMachine(dce)['phKey']
    if len(sys.argv) > 5 and sys.argv[5] == 'set':
        h = rrp.hBaseRegOpenKey(dce, root, key, samDesired=rrp.KEY_SET_VALUE)['phkResult']
        rrp.hBaseRegSetValue(dce, h, sys.argv[6], int(sys.argv[7]), bytes.fromhex(sys.argv[8]))
        raise SystemExit(print(json.dumps({'status': 0})))
    h = rrp.hBaseRegOpenKey(dce, root, key, samDesired=rrp.KEY_READ)['phkResult']
    values = []
    i = 0
    while True:
        try:
            r = rrp.hBaseRegEnumValue(dce, h, i)
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == 0x103: break
            raise
        data = b''.join(r['lpData']) if isinstance(r['lpData'], list) else bytes(r['lpData'])
        values.append([r['lpValueNameOut'][:-1], r['lpType'], data.hex()])
        i += 1
    subkeys = []
    i = 0
    while True:
        try:
            r = rrp.hBaseRegEnumKey(dce, h, i)
        except rrp.DCERPCSessionError as e:
            if e.get_error_code() == 0x103: break
            raise
        subkeys.append(r['lpNameOut'][:-1])
        i += 1
    out = {'values': values, 'subkeys': subkeys, 'status': 0}
except DCERPCException as e:
    # a Win32 status of the method, or the status of a fault PDU (impacket raises both this way)
    out = {'status': e.get_error_code(), 'error': str(e)}
except Exception as e:
    out = {'status': 'error', 'error': str(e)}
print(json.dumps(out))
