#!/usr/bin/python3
"""Samba's registry.pol code (python3-samba: samba.dcerpc.preg + samba.ndr) as the reference reader
and writer for hivewire's differential tests. Run with Debian's /usr/bin/python3.

  regpol_samba.py parse DIR   for each DIR/*.pol: parse with ndr_unpack, write Samba's own rewrite of it
                              to DIR/samba-out/<name>, print {name: {"ok", "error", "entries"}} as JSON
  regpol_samba.py build DIR   for each DIR/*.json ({"entries": [{key, valueName, type, data}]}, data as
                              {"s": str} | {"i": "int"} | {"hex": "..."}): build the file with Samba's
                              writer into DIR/samba-built/<name>.pol
"""
import json, os, sys
from samba.dcerpc import preg
from samba.ndr import ndr_pack, ndr_unpack


def data_json(d):
    if d is None:
        return None
    if isinstance(d, str):
        return {"s": d}
    if isinstance(d, int):
        return {"i": str(d)}
    if isinstance(d, (bytes, bytearray)):
        return {"hex": bytes(d).hex()}
    if isinstance(d, list):
        return {"hex": bytes(d).hex()}
    return {"repr": repr(d)}


def parse_dir(d):
    out_dir = os.path.join(d, "samba-out")
    os.makedirs(out_dir, exist_ok=True)
    result = {}
    for name in sorted(os.listdir(d)):
        if not name.endswith(".pol"):
            continue
        raw = open(os.path.join(d, name), "rb").read()
        try:
            pol = ndr_unpack(preg.file, raw)
        except Exception as ex:  # Samba refuses the file: record why
            result[name] = {"ok": False, "error": str(ex)}
            continue
        entries = [{"key": e.keyname, "valueName": e.valuename, "type": e.type, "size": e.size,
                    "data": data_json(e.data)} for e in pol.entries]
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(ndr_pack(pol))
        result[name] = {"ok": True, "entries": entries}
    json.dump(result, sys.stdout)


def build_dir(d):
    out_dir = os.path.join(d, "samba-built")
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        spec = json.load(open(os.path.join(d, name), encoding="utf-8"))
        pol = preg.file()
        entries = []
        for j in spec["entries"]:
            e = preg.entry()
            e.keyname, e.valuename, e.type = j["key"], j["valueName"], j["type"]
            data = j["data"]
            if data is not None:
                if "s" in data:
                    e.data = data["s"]
                elif "i" in data:
                    e.data = int(data["i"])
                else:
                    e.data = bytes.fromhex(data["hex"])
            entries.append(e)
        pol.entries = entries
        pol.num_entries = len(entries)
        with open(os.path.join(out_dir, name[:-5] + ".pol"), "wb") as f:
            f.write(ndr_pack(pol))
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("parse", "build"):
        sys.exit(__doc__)
    (parse_dir if sys.argv[1] == "parse" else build_dir)(sys.argv[2])
