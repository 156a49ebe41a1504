#!/usr/bin/python3
# Compressed GetNCChanges replies made by Samba (python3-samba, run with Debian's /usr/bin/python3):
# pidl's [compression(...)] subcontexts compress on push, so ndr_pack_out of a DsGetNCChanges reply
# whose ctr is a DsGetNCChangesCtr7 gives the whole V7 response stub, compressed by Samba's code.
#
#   generate-fixtures.py SEED.bin          the committed set (small), JSON on stdout
#   generate-fixtures.py SEED.bin --all    also random payloads and block-boundary sizes (large)
#
# Each case: the V7 response stub (stub), the DRS_COMPRESSED_BLOB's data (blob) and the uncompressed
# pickle Samba packs for the same ctr6 (pickle up to 4 KiB; its sha256 always). Large cases carry the
# blob alone, not the stub.
import hashlib, json, random, sys

try:
    import samba.ndr as ndr
    from samba.dcerpc import drsuapi
except ImportError as e:
    sys.stderr.write(f"python3-samba is missing ({e}): apt-get install -y --no-install-recommends python3-samba\n")
    sys.exit(3)

ALGS = {"mszip": drsuapi.DRSUAPI_COMPRESSION_TYPE_MSZIP, "xpress": drsuapi.DRSUAPI_COMPRESSION_TYPE_XPRESS}


def pickle_of(ctr6):
    ts = drsuapi.DsGetNCChangesCtr6TS()
    ts.ctr6 = ctr6
    return ndr.ndr_pack(ts)


def v7_stub(ctr6, alg):
    ts = drsuapi.DsGetNCChangesCtr6TS()
    ts.ctr6 = ctr6
    inner = drsuapi.DsGetNCChangesMSZIPCtr6() if alg == "mszip" else drsuapi.DsGetNCChangesXPRESSCtr6()
    inner.ts = ts
    c7 = drsuapi.DsGetNCChangesCtr7()
    c7.level = 6
    c7.type = ALGS[alg]
    c7.ctr = inner
    call = drsuapi.DsGetNCChanges()
    call.out_level_out = 7
    call.out_ctr = c7
    call.result = 0
    return ndr.ndr_pack_out(call)


def v2_stub_and_pickle(ctr6):
    """The same page as a V2 reply (a compressed V1, always MSZIP): the V1 fields of the ctr6."""
    c1 = drsuapi.DsGetNCChangesCtr1()
    for f in ("source_dsa_guid", "source_dsa_invocation_id", "naming_context", "old_highwatermark",
              "new_highwatermark", "mapping_ctr", "extended_ret", "object_count", "first_object", "more_data"):
        setattr(c1, f, getattr(ctr6, f))
    ts = drsuapi.DsGetNCChangesCtr1TS()
    ts.ctr1 = c1
    inner = drsuapi.DsGetNCChangesMSZIPCtr1()
    inner.ts = ts
    c2 = drsuapi.DsGetNCChangesCtr2()
    c2.mszip1 = inner
    call = drsuapi.DsGetNCChanges()
    call.out_level_out = 2
    call.out_ctr = c2
    call.result = 0
    return ndr.ndr_pack_out(call), ndr.ndr_pack(ts)


def payload_ctr6(payload):
    """A ctr6 holding one object with one attribute whose value is `payload`."""
    v = drsuapi.DsAttributeValue()
    v.blob = bytes(payload)
    a = drsuapi.DsReplicaAttribute()
    a.attid = 0x00090000  # cn's ATTRTYP in the usual prefix table; the value is opaque here
    a.value_ctr = drsuapi.DsAttributeValueCtr()
    a.value_ctr.num_values = 1
    a.value_ctr.values = [v]
    o = drsuapi.DsReplicaObject()
    o.identifier = drsuapi.DsReplicaObjectIdentifier()
    o.identifier.dn = "CN=payload,DC=lab,DC=example,DC=com"
    o.attribute_ctr = drsuapi.DsReplicaAttributeCtr()
    o.attribute_ctr.num_attributes = 1
    o.attribute_ctr.attributes = [a]
    item = drsuapi.DsReplicaObjectListItemEx()
    item.object = o
    c = drsuapi.DsGetNCChangesCtr6()
    c.first_object = item
    c.object_count = 1
    c.more_data = 0
    return c


def sized_ctr6(target, fill):
    """A payload ctr6 whose pickle is exactly `target` bytes (a multiple of 8), payload from fill(n)."""
    base = len(pickle_of(payload_ctr6(b"")))
    n = max(0, target - base)
    for _ in range(64):
        size = len(pickle_of(payload_ctr6(fill(n))))
        if size == target:
            return payload_ctr6(fill(n))
        n += target - size if size != target else 0
        if n < 0:
            break
    raise SystemExit(f"cannot hit a pickle of {target} bytes")


def case(name, ctr6, alg, large):
    stub = v7_stub(ctr6, alg)
    pickle = pickle_of(ctr6)
    # The V7 reply after pdwOutVersion (4), union tag (4), dwCompressedVersion (4), alg (2 + 2 pad):
    # cbUncompressedSize, cbCompressedSize, referent id, conformance, then the data.
    unc, comp = int.from_bytes(stub[16:20], "little"), int.from_bytes(stub[20:24], "little")
    blob = stub[32 : 32 + comp]
    out = {"name": name, "alg": alg, "uncompressedSize": unc, "compressedSize": comp,
           "pickleLength": len(pickle), "pickleSha256": hashlib.sha256(pickle).hexdigest()}
    if large:
        out["blob"] = blob.hex()
    else:
        out["stub"] = stub.hex()
        if len(pickle) <= 4096:
            out["pickle"] = pickle.hex()
    return out


def main():
    seed_path = sys.argv[1]
    everything = "--all" in sys.argv[2:]
    call = drsuapi.DsGetNCChanges()
    ndr.ndr_unpack_out(call, open(seed_path, "rb").read())
    page = call.out_ctr
    rnd = random.Random(20261122)
    repetitive = lambda n: (b"CN=user,OU=Staff,DC=lab,DC=example,DC=com\x00" * (n // 42 + 1))[:n]
    noise = lambda n: rnd.randbytes(n)
    cases = []
    for alg in ("mszip", "xpress"):
        cases.append(case(f"{alg}: captured Samba page", page, alg, False))
        cases.append(case(f"{alg}: empty ctr6", drsuapi.DsGetNCChangesCtr6(), alg, False))
        cases.append(case(f"{alg}: repetitive, 3 x 64 KiB + 8", sized_ctr6(3 * 65536 + 8, repetitive), alg, False))
        if everything:
            # Block boundaries: MSZIP blocks are 32 KiB, XPRESS chunks 64 KiB. Samba's XPRESS compressor
            # takes seconds per 64 KiB of random data, so its random cases stay small.
            random_sizes = (32768, 32776, 65536, 65544, 300000) if alg == "mszip" else (65536, 65544)
            for size in random_sizes:
                cases.append(case(f"{alg}: random, {size} bytes", sized_ctr6(size, noise), alg, True))
            for size in (32768, 32776, 65536, 65544, 131072, 300000):
                cases.append(case(f"{alg}: repetitive, {size} bytes", sized_ctr6(size, repetitive), alg, True))
    stub, pickle = v2_stub_and_pickle(page)
    # V2 after pdwOutVersion (4) and union tag (4): cbUncompressedSize, cbCompressedSize, referent, conformance.
    cases.append({"name": "mszip v2 (ctr1): captured Samba page", "alg": "mszip", "version": 2,
                  "uncompressedSize": int.from_bytes(stub[8:12], "little"), "compressedSize": int.from_bytes(stub[12:16], "little"),
                  "pickleLength": len(pickle), "pickleSha256": hashlib.sha256(pickle).hexdigest(), "stub": stub.hex()})
    json.dump({"samba": __import__("samba").version, "cases": cases}, sys.stdout, indent=1)


main()
