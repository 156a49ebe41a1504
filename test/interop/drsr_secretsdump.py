#!/usr/bin/python3
"""Runs impacket's example secretsdump.py (Debian python3-impacket) against the Samba DC with the one
client change Samba needs (../shared/peers/README.md quirk 9): the prefix table sent in
DRSGetNCChanges must end with a schemaInfo entry (ndx 0, 0xFF + 20 zero bytes). We hook
drsuapi.MakeAttid's callers by giving RemoteOperations its attribute set and table up front.

usage: drsr_secretsdump.py -just-dc 'LAB/Administrator:LabAdmin123@127.0.0.3' [other secretsdump options]
"""
import runpy
import sys

from impacket.dcerpc.v5 import drsuapi
from impacket.examples import secretsdump

EXAMPLE = '/usr/share/doc/python3-impacket/examples/secretsdump.py'
wrapped = secretsdump.RemoteOperations.DRSGetNCChanges


def with_schema_info(self, *args, **kwargs):
    mangled = '_RemoteOperations__'
    if getattr(self, mangled + 'ppartialAttrSet') is None:
        prefixes = []
        attrs = drsuapi.PARTIAL_ATTR_VECTOR_V1_EXT()
        attrs['dwVersion'] = 1
        oids = list(secretsdump.NTDSHashes.ATTRTYP_TO_ATTID.values())
        attrs['cAttrs'] = len(oids)
        for oid in oids:
            attrs['rgPartialAttr'].append(drsuapi.MakeAttid(prefixes, oid))
        last = drsuapi.PrefixTableEntry()
        last['ndx'] = 0
        last['prefix']['length'] = 21
        last['prefix']['elements'] = [0xFF] + [0] * 20
        prefixes.append(last)
        setattr(self, mangled + 'prefixTable', prefixes)
        setattr(self, mangled + 'ppartialAttrSet', attrs)
    return wrapped(self, *args, **kwargs)


secretsdump.RemoteOperations.DRSGetNCChanges = with_schema_info
sys.argv[0] = EXAMPLE
runpy.run_path(EXAMPLE, run_name='__main__')
