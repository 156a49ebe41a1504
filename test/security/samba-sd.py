#!/usr/bin/python3
"""Security descriptor oracle for the differential test: Samba's own SDDL parser/printer and NDR codec
(python3-samba). Reads a JSON list of requests on stdin, writes a JSON list of answers on stdout.

  {"op": "from_sddl", "sddl": S, "domain": D}  -> {"hex": ndr_pack(from_sddl(S)), "sddl": as_sddl}
  {"op": "unpack", "hex": H, "domain": D}      -> {"hex": ndr_pack(ndr_unpack(H)), "sddl": as_sddl}
  {"op": "access", "hex": H, "sids": [..], "privileges": [SeXxxPrivilege..], "desired": N}
                                               -> {"granted": N} or {"denied": NTSTATUS}  (samba.security.access_check)
  {"op": "time", "kind": "from_sddl"|"to_sddl"|"access", "items": [...], "domain": D, "seconds": T}
                                               -> {"ops": N, "seconds": t}  (CPU seconds; bench/security.ts)
Errors come back as {"error": "..."} for that request.
"""
import json
import sys

from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack
import samba.security

PRIVILEGE_BITS = {
    "SeSecurityPrivilege": security.SEC_PRIV_SECURITY_BIT,
    "SeTakeOwnershipPrivilege": security.SEC_PRIV_TAKE_OWNERSHIP_BIT,
    "SeBackupPrivilege": security.SEC_PRIV_BACKUP_BIT,
    "SeRestorePrivilege": security.SEC_PRIV_RESTORE_BIT,
}


def access(req):
    sd = ndr_unpack(security.descriptor, bytes.fromhex(req["hex"]))
    token = make_token(req["sids"], req["privileges"])
    try:
        return {"granted": samba.security.access_check(sd, token, req["desired"])}
    except Exception as e:  # NTSTATUSError: (status, message)
        return {"denied": e.args[0] if e.args else str(e)}


def make_token(sids, privileges):
    token = security.token()
    token.sids = [security.dom_sid(s) for s in sids]
    token.num_sids = len(sids)
    mask = 0
    for p in privileges:
        mask |= PRIVILEGE_BITS[p]
    token.privilege_mask = mask
    return token


def timed(req):
    """Runs one kind of operation over the items, round after round, for about req["seconds"]."""
    import time
    domain = security.dom_sid(req["domain"])
    kind = req["kind"]
    if kind == "from_sddl":
        items = req["items"]
        step = lambda s: ndr_pack(security.descriptor.from_sddl(s, domain))
    elif kind == "to_sddl":
        items = [bytes.fromhex(h) for h in req["items"]]
        step = lambda b: ndr_unpack(security.descriptor, b).as_sddl(domain)
    elif kind == "access":
        items = [(ndr_unpack(security.descriptor, bytes.fromhex(i["hex"])), make_token(i["sids"], i["privileges"]), i["desired"]) for i in req["items"]]

        def step(item):
            try:
                samba.security.access_check(*item)
            except Exception:
                pass
    else:
        raise ValueError("unknown kind " + kind)
    for item in items:  # warm up, as the TypeScript side does
        step(item)
    ops = 0
    start = time.process_time()  # CPU seconds of this process: the machine is shared, wall time is noise
    while True:
        for item in items:
            step(item)
        ops += len(items)
        elapsed = time.process_time() - start
        if elapsed >= req["seconds"]:
            return {"ops": ops, "seconds": elapsed}


def answer(req):
    if req["op"] == "access":
        return access(req)
    if req["op"] == "time":
        return timed(req)
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
