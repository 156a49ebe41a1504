#!/usr/bin/python3
"""impacket's NDR (python3-impacket, impacket/dcerpc/v5/ndr.py) as a peer for differential tests.

  impacket_ndr.py pack              -> JSON {case: hex} of requests built the way impacket's own tools build them
  impacket_ndr.py unpack CASE HEX   -> JSON of the values impacket decodes from our bytes
  impacket_ndr.py bench FILE SECS   -> parse FILE as a DRSGetNCChanges response repeatedly; JSON {bytes, iterations, seconds}
impacket uses random referent ids and 0xAA alignment padding, so its bytes are compared by value, not byte for byte.
Run with /usr/bin/python3 (Debian's python; pyenv's python3 has no impacket).
"""
import json, socket, sys
from struct import unpack
from impacket.uuid import uuidtup_to_bin, string_to_bin, bin_to_string
from impacket.dcerpc.v5 import epm, rrp, drsuapi
from impacket.dcerpc.v5.dtypes import NULL

DRSUAPI = uuidtup_to_bin(('e3514235-4b06-11d1-ab04-00c04fc2dcd2', '4.0'))
NDR = uuidtup_to_bin(('8a885d04-1ceb-11c9-9fe8-08002b104860', '2.0'))
HANDLE = b'\x00' * 4 + string_to_bin('01234567-89ab-cdef-0123-456789abcdef')


def raw(items):
    # impacket's arrays hold ints when built, one-byte bytes objects when parsed
    return b''.join(items) if items and isinstance(items[0], bytes) else bytes(items)


def tower(port, ip):
    t = epm.EPMTower()
    i = epm.EPMRPCInterface()
    i['InterfaceUUID'] = DRSUAPI[:16]
    i['MajorVersion'] = unpack('<H', DRSUAPI[16:18])[0]
    i['MinorVersion'] = unpack('<H', DRSUAPI[18:])[0]
    d = epm.EPMRPCDataRepresentation()
    d['DataRepUuid'] = NDR[:16]
    d['MajorVersion'] = unpack('<H', NDR[16:18])[0]
    d['MinorVersion'] = unpack('<H', NDR[18:])[0]
    p = epm.EPMProtocolIdentifier()
    p['ProtIdentifier'] = epm.FLOOR_RPCV5_IDENTIFIER
    pa = epm.EPMPortAddr(); pa['IpPort'] = port
    ha = epm.EPMHostAddr(); ha['Ip4addr'] = socket.inet_aton(ip)
    t['NumberOfFloors'] = 5
    t['Floors'] = i.getData() + d.getData() + p.getData() + pa.getData() + ha.getData()
    return t.getData()


def pack():
    out = {}
    # ept_map request exactly as impacket's hept_map builds it (ncacn_ip_tcp)
    tw = tower(0, '0.0.0.0')
    r = epm.ept_map()
    r['max_towers'] = 1
    r['map_tower']['tower_length'] = len(tw)
    r['map_tower']['tower_octet_string'] = tw
    r.fields['obj'].fields['ReferentID'] = 1
    r.fields['map_tower'].fields['ReferentID'] = 2
    out['ept_map.in'] = r.getData().hex()
    out['tower'] = tw.hex()
    # ept_map response with one tower (port 49667 on 127.0.0.1)
    tw2 = tower(49667, '127.0.0.1')
    resp = epm.ept_mapResponse()
    resp['entry_handle']['context_handle_attributes'] = 0
    resp['entry_handle']['context_handle_uuid'] = HANDLE[4:]
    resp['num_towers'] = 1
    t = epm.twr_p_t()
    t['tower_length'] = len(tw2)
    t['tower_octet_string'] = tw2
    resp['ITowers'].append(t)
    resp['status'] = 0
    out['ept_map.out'] = resp.getData().hex()
    out['tower2'] = tw2.hex()
    # BaseRegQueryValue request as impacket's hBaseRegQueryValue sends it
    q = rrp.BaseRegQueryValue()
    q['hKey']['context_handle_attributes'] = 0
    q['hKey']['context_handle_uuid'] = HANDLE[4:]
    q['lpValueName'] = 'ProductName\x00'
    q['lpData'] = b' ' * 16
    q['lpcbData'] = 16
    q['lpcbLen'] = 16
    out['QueryValue.in'] = q.getData().hex()
    # DRSGetNCChanges V8 as impacket's secretsdump sends it (EXOP_REPL_OBJ for one account)
    g = drsuapi.DRSGetNCChanges()
    g['hDrs'] = HANDLE
    g['dwInVersion'] = 8
    g['pmsgIn']['tag'] = 8
    v8 = g['pmsgIn']['V8']
    v8['uuidDsaObjDest'] = string_to_bin('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')
    v8['uuidInvocIdSrc'] = string_to_bin('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')
    dn = drsuapi.DSNAME()
    dn['SidLen'] = 0
    dn['Guid'] = string_to_bin('11111111-2222-3333-4444-555555555555')
    dn['Sid'] = ''
    dn['NameLen'] = 0
    dn['StringName'] = '\x00'
    dn['structLen'] = len(dn.getData())
    v8['pNC'] = dn
    v8['usnvecFrom']['usnHighObjUpdate'] = 0
    v8['usnvecFrom']['usnHighPropUpdate'] = 0
    v8['pUpToDateVecDest'] = NULL
    v8['ulFlags'] = drsuapi.DRS_INIT_SYNC | drsuapi.DRS_WRIT_REP
    v8['cMaxObjects'] = 1
    v8['cMaxBytes'] = 0
    v8['ulExtendedOp'] = drsuapi.EXOP_REPL_OBJ
    pas = drsuapi.PARTIAL_ATTR_VECTOR_V1_EXT()
    pas['dwVersion'] = 1
    prefix_table = []
    attids = ['1.2.840.113556.1.4.90', '1.2.840.113556.1.4.221', '1.2.840.113556.1.4.94']
    pas['cAttrs'] = len(attids)
    for a in attids:
        pas['rgPartialAttr'].append(drsuapi.MakeAttid(prefix_table, a))
    v8['pPartialAttrSet'] = pas
    v8['PrefixTableDest']['PrefixCount'] = len(prefix_table)
    v8['PrefixTableDest']['pPrefixEntry'] = prefix_table
    v8['pPartialAttrSetEx1'] = NULL
    out['GetNCChanges.in'] = g.getData().hex()
    out['GetNCChanges.attrs'] = [int(x['Data']) if hasattr(x, 'fields') else int(x) for x in pas['rgPartialAttr']]
    out['GetNCChanges.prefixes'] = [[e['ndx'], raw(e['prefix']['elements']).hex()] for e in prefix_table]
    return out


def unpack_case(case, data):
    if case == 'ept_map.in':
        r = epm.ept_map(data)
        return {'tower': b''.join(r['map_tower']['tower_octet_string']).hex(), 'max_towers': r['max_towers'],
                'obj': None if r['obj'] is NULL or r.fields['obj'].fields['ReferentID'] == 0 else bin_to_string(r['obj'])}
    if case == 'ept_map.out':
        r = epm.ept_mapResponse(data)
        return {'num_towers': r['num_towers'], 'status': r['status'],
                'towers': [b''.join(t['Data']['tower_octet_string']).hex() for t in r['ITowers']]}
    if case == 'QueryValue.in':
        r = rrp.BaseRegQueryValue(data)
        return {'valueName': r['lpValueName'], 'lpcbData': r['lpcbData'], 'lpcbLen': r['lpcbLen'],
                'lpData': b''.join(r['lpData']).hex()}
    if case == 'GetNCChanges.in':
        r = drsuapi.DRSGetNCChanges(data)
        v8 = r['pmsgIn']['V8']
        return {'tag': r['pmsgIn']['tag'], 'ulFlags': v8['ulFlags'], 'ulExtendedOp': v8['ulExtendedOp'],
                'guid': bin_to_string(v8['pNC']['Guid']), 'attrs': [int(x['Data']) if hasattr(x, 'fields') else int(x) for x in v8['pPartialAttrSet']['rgPartialAttr']],
                'prefixes': [[e['ndx'], raw(e['prefix']['elements']).hex()] for e in v8['PrefixTableDest']['pPrefixEntry']]}
    raise SystemExit('unknown case ' + case)


def bench(path, budget):
    import time
    data = open(path, 'rb').read()
    it = 0
    c0 = time.process_time()
    t0 = time.perf_counter()
    while True:
        drsuapi.DRSGetNCChangesResponse(data)
        it += 1
        el = time.perf_counter() - t0
        if el >= budget:
            break
    return {'bytes': len(data), 'iterations': it, 'seconds': el, 'cpu': time.process_time() - c0}


if sys.argv[1] == 'bench':
    print(json.dumps(bench(sys.argv[2], float(sys.argv[3]))))
elif sys.argv[1] == 'pack':
    print(json.dumps(pack()))
elif sys.argv[1] == 'unpack':
    print(json.dumps(unpack_case(sys.argv[2], bytes.fromhex(sys.argv[3]))))
else:
    raise SystemExit(__doc__)
