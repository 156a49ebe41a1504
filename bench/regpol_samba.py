#!/usr/bin/python3
"""Times Samba's registry.pol code (python3-samba's C NDR under Python) on one file, for
bench/regpol.ts. Prints JSON: seconds for the bare unpack, unpack plus reading every entry's key,
value name and data, and ndr_pack (serialize). Best of N runs."""
import json, sys, time
from samba.dcerpc import preg
from samba.ndr import ndr_pack, ndr_unpack

path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
raw = open(path, "rb").read()
best = {"unpack": 1e9, "endToEnd": 1e9, "pack": 1e9}
entries = 0
for _ in range(runs):
    t = time.perf_counter(); pol = ndr_unpack(preg.file, raw); best["unpack"] = min(best["unpack"], time.perf_counter() - t)
    t = time.perf_counter()
    pol = ndr_unpack(preg.file, raw)
    n = 0
    for e in pol.entries:
        k, v, d = e.keyname, e.valuename, e.data
        n += 1
    best["endToEnd"] = min(best["endToEnd"], time.perf_counter() - t)
    entries = n
    t = time.perf_counter(); out = ndr_pack(pol); best["pack"] = min(best["pack"], time.perf_counter() - t)
    assert out == raw, "Samba's rewrite differs from the input"
best["entries"] = entries
print(json.dumps(best))
