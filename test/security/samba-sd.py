#!/usr/bin/python3
"""Security descriptor oracle for the differential test: Samba's own SDDL parser/printer and NDR codec
(python3-samba). Reads a JSON list of requests on stdin, writes a JSON list of answers on stdout.

  {"op": "from_sddl", "sddl": S, "domain": D}  -> {"hex": ndr_pack(from_sddl(S)), "sddl": as_sddl}
  {"op": "unpack", "hex": H, "domain": D}      -> {"hex": ndr_pack(ndr_unpack(H)), "sddl": as_sddl}
Errors come back as {"error": "..."} for that request.
"""
import json
import sys

from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack


def answer(req):
    domain = security.dom_sid(req["domain"])
    if req["op"] == "from_sddl":
        sd = security.descriptor.from_sddl(req["sddl"], domain)
    elif req["op"] == "unpack":
        sd = ndr_unpack(security.descriptor, bytes.fromhex(req["hex"]))
    else:
        raise ValueError("unknown op " + req["op"])
    return {"hex": ndr_pack(sd).hex(), "sddl": sd.as_sddl(domain)}


out = []
for req in json.load(sys.stdin):
    try:
        out.append(answer(req))
    except Exception as e:  # report per request; the test decides what an error means
        out.append({"error": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
