// bench:drsr-compression — compressed GetNCChanges replies: our MSZIP and WIN2K3 (XPRESS) decompressors
// against Samba's, on streams Samba compressed in the same run; our LZ77+Huffman decoder against
// libfwnt's; then 100,000 cases of the compressed-reply fuzzer and 100,000 of the Huffman one.
//   - "decompress": our decompressDrsBlob against Samba's own lzxpress_decompress (called through
//     ctypes from libndr-samba) for XPRESS, and against zlib's inflate driven block by block as
//     Samba's ndr_compression.c drives it (Python's zlib module) for MSZIP;
//   - "whole reply": our IDL decode of the V7 stub + decompression + V6 NDR decode, against Samba's
//     ndr_unpack_out of the same stub (pidl's pull decompresses, then pulls the ctr6).
// Medians of repeated runs in CPU time (process.cpuUsage / time.process_time: the machine is shared,
// and wall time there measures the neighbours); the ratio is the peer's time over ours (above 1: we
// are faster).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decompressDrsBlob, decompressGetChgReplyV7, DRS_COMP_ALG_MSZIP, DRS_COMP_ALG_WIN2K3 } from '../src/interfaces/drsr/compression/index.js';
import { IDL_DRSGetNCChanges } from '../src/interfaces/drsr/types.js';
import { PY } from '../test/harness/peers.js';
import { decompressXpressHuffman } from '../src/interfaces/drsr/compression/index.js';
import { fuzz, fuzzHuffman } from '../test/interfaces/drsr/compression/fuzz.js';
import { encodeHuffman, parse } from '../test/interfaces/drsr/compression/huffman-encoder.js';
import { Rng } from '../test/harness/rng.js';
import { writeFileSync } from 'node:fs';

const SEED = fileURLToPath(new URL('../test/interfaces/drsr/fixtures/getncchanges-v6-page.bin', import.meta.url));
const REPS = Number(process.env.BENCH_REPS ?? 30);
const FUZZ = Number(process.env.BENCH_FUZZ ?? 100_000);

// Builds the streams, compresses them with Samba, writes the V7 stubs and times Samba on them.
const SAMBA = String.raw`
import ctypes, json, os, random, statistics, sys, time, zlib
import samba.ndr as ndr
from samba.dcerpc import drsuapi
seed, out, reps = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3])
lib = ctypes.CDLL("/usr/lib/x86_64-linux-gnu/samba/libndr-samba-samba4.so.0")
lib.lzxpress_decompress.restype = ctypes.c_ssize_t
lib.lzxpress_decompress.argtypes = [ctypes.c_char_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint32]

def page_copies(n):
    """The captured 6-object page, n times over in one ctr6 (distinct unpacked copies chained)."""
    calls = []
    for _ in range(n):
        c = drsuapi.DsGetNCChanges(); ndr.ndr_unpack_out(c, seed); calls.append(c)
    ctr = calls[0].out_ctr
    last, count = ctr.first_object, ctr.object_count
    while last.next_object is not None: last = last.next_object
    for c in calls[1:]:
        last.next_object = c.out_ctr.first_object
        while last.next_object is not None: last = last.next_object
        count += c.out_ctr.object_count
    ctr.object_count = count
    return ctr

def ldif_like(size):
    """One object whose value is LDIF-like text with varying numbers: compressible, not trivially."""
    rnd = random.Random(8)
    lines, total = [], 0
    while total < size:
        n = rnd.randrange(10**6)
        l = f"dn: CN=user{n},OU=Staff,DC=lab,DC=example,DC=com\nobjectSid: S-1-5-21-{rnd.randrange(10**9)}-{n}\nwhenChanged: 2026{rnd.randrange(10**10):010d}.0Z\nmail: user{n}@lab.example.com\n\n"
        lines.append(l); total += len(l)
    v = drsuapi.DsAttributeValue(); v.blob = "".join(lines).encode()[:size]
    a = drsuapi.DsReplicaAttribute(); a.attid = 0x00090000
    a.value_ctr = drsuapi.DsAttributeValueCtr(); a.value_ctr.num_values = 1; a.value_ctr.values = [v]
    o = drsuapi.DsReplicaObject(); o.identifier = drsuapi.DsReplicaObjectIdentifier(); o.identifier.dn = "CN=x"
    o.attribute_ctr = drsuapi.DsReplicaAttributeCtr(); o.attribute_ctr.num_attributes = 1; o.attribute_ctr.attributes = [a]
    item = drsuapi.DsReplicaObjectListItemEx(); item.object = o
    c = drsuapi.DsGetNCChangesCtr6(); c.first_object = item; c.object_count = 1
    return c

def stub(ctr6, level, alg=None):
    f = drsuapi.DsGetNCChanges(); f.result = 0
    if level == 6:
        f.out_level_out = 6; f.out_ctr = ctr6
    else:
        ts = drsuapi.DsGetNCChangesCtr6TS(); ts.ctr6 = ctr6
        inner = drsuapi.DsGetNCChangesMSZIPCtr6() if alg == 2 else drsuapi.DsGetNCChangesXPRESSCtr6()
        inner.ts = ts
        c7 = drsuapi.DsGetNCChangesCtr7(); c7.level = 6; c7.type = alg; c7.ctr = inner
        f.out_level_out = 7; f.out_ctr = c7
    return ndr.ndr_pack_out(f)

def median_ms(fn):
    ts = []
    for _ in range(reps):
        t = time.process_time(); fn(); ts.append((time.process_time() - t) * 1000)
    return statistics.median(ts)

def chunks(blob):
    pos = 0
    while pos < len(blob):
        plain, comp = int.from_bytes(blob[pos:pos+4], "little"), int.from_bytes(blob[pos+4:pos+8], "little")
        yield plain, blob[pos+8:pos+8+comp]
        pos = min((pos + 8 + comp + 3) & ~3, len(blob))

def samba_xpress(blob, size):
    out = ctypes.create_string_buffer(65536)
    total = 0
    for plain, data in chunks(blob):
        n = lib.lzxpress_decompress(data, len(data), out, plain)
        if n != plain: raise SystemExit("lzxpress_decompress failed")
        total += n
    assert total == size

def zlib_mszip(blob, size):
    prev, total = b"", 0
    for plain, data in chunks(blob):
        d = zlib.decompressobj(-15, zdict=prev) if prev else zlib.decompressobj(-15)
        prev = d.decompress(data[2:]); total += len(prev)
    assert total == size

result = []
for name, ctr6 in (("captured page x 40 (240 objects)", page_copies(40)), ("1 MB LDIF-like value", ldif_like(1 << 20))):
    v6 = stub(ctr6, 6)
    t6 = median_ms(lambda: ndr.ndr_unpack_out(drsuapi.DsGetNCChanges(), v6))
    for alg in (2, 3):
        t = time.perf_counter(); s7 = stub(ctr6, 7, alg); tc = time.perf_counter() - t
        path = os.path.join(out, f"{len(result)}.bin"); open(path, "wb").write(s7)
        unc, comp = int.from_bytes(s7[16:20], "little"), int.from_bytes(s7[20:24], "little")
        blob = s7[32:32 + comp]
        raw = median_ms(lambda: (zlib_mszip if alg == 2 else samba_xpress)(blob, unc))
        t7 = median_ms(lambda: ndr.ndr_unpack_out(drsuapi.DsGetNCChanges(), s7))
        result.append(dict(name=name, alg=alg, path=path, uncompressed=unc, compressed=comp, compressS=tc, rawMs=raw, unpack7Ms=t7, unpack6Ms=t6))
print(json.dumps(result))
`;

// libfwnt's LZ77+Huffman decoder on the same stream: the median of `reps` runs, in ms.
const LIBFWNT = String.raw`
import ctypes, statistics, sys, time
lib = ctypes.CDLL("libfwnt.so.1")
f = lib.libfwnt_lzxpress_huffman_decompress
f.restype = ctypes.c_int
f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_void_p)]
comp, n, reps = open(sys.argv[1], "rb").read(), int(sys.argv[2]), int(sys.argv[3])
out = ctypes.create_string_buffer(n)
ts = []
for _ in range(reps + 3):
    size = ctypes.c_size_t(n); e = ctypes.c_void_p()
    t = time.process_time()
    if f(comp, len(comp), out, ctypes.byref(size), ctypes.byref(e)) != 1 or size.value != n: raise SystemExit("libfwnt failed")
    ts.append((time.process_time() - t) * 1000)
print(statistics.median(ts[3:]))
`;

function medianMs(f: () => void, reps = REPS): number {
  for (let i = 0; i < 10; i++) f(); // warm-up: the JIT, not the data
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.cpuUsage();
    f();
    const d = process.cpuUsage(t);
    ts.push((d.user + d.system) / 1000);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const dir = mkdtempSync(join(tmpdir(), 'hw-drsr-compression-'));
try {
  console.log(`load average before: ${load()}  (2 cores, shared)`);
  const samba = JSON.parse(execFileSync(PY, ['-c', SAMBA, SEED, dir, String(REPS)], { encoding: 'utf8', maxBuffer: 1 << 24 })) as {
    name: string; alg: number; path: string; uncompressed: number; compressed: number; compressS: number; rawMs: number; unpack7Ms: number; unpack6Ms: number;
  }[];
  for (const s of samba) {
    const stub = readFileSync(s.path);
    const r = IDL_DRSGetNCChanges.decodeResponse(stub);
    if (r.pmsgOut.tag !== 7) throw new Error('not a V7 stub');
    const v7 = r.pmsgOut.V7;
    const blob = v7.CompressedAny.pbCompressedData!;
    const alg = s.alg === 2 ? 'MSZIP ' : 'XPRESS';
    const raw = medianMs(() => decompressDrsBlob(s.alg, blob, s.uncompressed));
    const whole = medianMs(() => {
      const x = IDL_DRSGetNCChanges.decodeResponse(stub);
      if (x.pmsgOut.tag === 7) decompressGetChgReplyV7(x.pmsgOut.V7);
    });
    const mbps = (ms: number) => (s.uncompressed / 1e6 / (ms / 1000)).toFixed(0).padStart(5);
    const peer = s.alg === 2 ? 'zlib as Samba drives it' : "Samba's lzxpress_decompress";
    console.log(`${alg} ${s.name}: ${s.uncompressed} -> ${s.compressed} bytes (Samba compressed it in ${s.compressS.toFixed(2)} s)`);
    console.log(`  decompress   hivewire ${raw.toFixed(2).padStart(7)} ms (${mbps(raw)} MB/s)   ${peer} ${s.rawMs.toFixed(2)} ms (${mbps(s.rawMs)} MB/s)   ratio ${(s.rawMs / raw).toFixed(2)}x`);
    console.log(`  whole reply  hivewire ${whole.toFixed(2).padStart(7)} ms   Samba ndr_unpack_out ${s.unpack7Ms.toFixed(2)} ms (of which the uncompressed V6 pull is ${s.unpack6Ms.toFixed(2)} ms)   ratio ${(s.unpack7Ms / whole).toFixed(2)}x`);
  }

  // LZ77+Huffman: 1 MB of LDIF-like text, encoded by the test encoder; libfwnt timed through ctypes.
  const rng = new Rng(0x1dea);
  const lines: string[] = [];
  for (let n = 0; n < 1 << 20; ) {
    const u = rng.int(1e6);
    const l = `dn: CN=user${u},OU=Staff,DC=lab,DC=example,DC=com\nobjectSid: S-1-5-21-${rng.int(1e9)}-${u}\nmail: user${u}@lab.example.com\n\n`;
    lines.push(l);
    n += l.length;
  }
  const plain = Buffer.from(lines.join('')).subarray(0, 1 << 20);
  const huff = encodeHuffman(parse(plain, 8192), plain.length);
  const hpath = join(dir, 'huffman.bin');
  writeFileSync(hpath, huff);
  const fwnt = Number(execFileSync(PY, ['-c', LIBFWNT, hpath, String(plain.length), String(REPS)], { encoding: 'utf8' }).trim());
  if (!decompressXpressHuffman(huff, plain.length).equals(plain)) throw new Error('Huffman round trip failed');
  const ours = medianMs(() => decompressXpressHuffman(huff, plain.length));
  const hmb = (ms: number) => (plain.length / 1e6 / (ms / 1000)).toFixed(0).padStart(5);
  console.log(`HUFFMAN 1 MB LDIF-like text: ${plain.length} -> ${huff.length} bytes (test encoder)`);
  console.log(`  decompress   hivewire ${ours.toFixed(2).padStart(7)} ms (${hmb(ours)} MB/s)   libfwnt ${fwnt.toFixed(2)} ms (${hmb(fwnt)} MB/s)   ratio ${(fwnt / ours).toFixed(2)}x`);
  console.log(`load average after timings: ${load()}`);

  const t = process.hrtime.bigint();
  const f = fuzz(FUZZ);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`fuzz: ${f.cases} mutated MSZIP/XPRESS replies in ${secs.toFixed(1)} s: ${f.typed} typed errors, ${f.decoded} decoded, ${f.untyped} untyped failures`);
  for (const line of f.failures) console.log(`  ${line}`);
  const th = process.hrtime.bigint();
  const h = fuzzHuffman(FUZZ);
  const hsecs = Number(process.hrtime.bigint() - th) / 1e9;
  console.log(`fuzz: ${h.cases} mutated LZ77+Huffman streams in ${hsecs.toFixed(1)} s: ${h.typed} typed errors, ${h.decoded} decoded, ${h.untyped} untyped failures`);
  for (const line of h.failures) console.log(`  ${line}`);
  console.log(`load average at the end: ${load()}`);
  if (f.untyped > 0 || h.untyped > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
