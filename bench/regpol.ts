// bench/regpol: parse and serialize a 10 MB and a 100 MB registry.pol, ours against Samba's parser
// (python3-samba) on the same file in the same run. End to end = decoding plus reading every entry's
// key, value name and data. Run: npm run bench:regpol

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iteratePol, parsePol, readPolFile, serializePol, type PolInstruction } from '../src/formats/regpol/index.js';
import { encodeValue } from '../src/formats/value.js';
import { rng } from '../test/formats/regpol/corpus.js';

const PY = '/usr/bin/python3';
const SAMBA = new URL('./regpol_samba.py', import.meta.url).pathname;
const RUNS = 3;

// What GPO files look like: a few keys per policy area, DWORD-heavy, strings and lists, a directive now and then.
function realisticEntries(targetBytes: number): PolInstruction[] {
  const r = rng(42);
  const areas = ['Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU', 'Software\\Policies\\Microsoft\\Edge', 'Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Security', 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System', 'Software\\Policies\\Google\\Chrome\\ExtensionInstallForcelist'];
  const out: PolInstruction[] = [];
  let size = 8;
  for (let i = 0; size < targetBytes; i++) {
    const key = `${areas[i % areas.length]}\\Area${Math.floor(i / 40)}`;
    const kind = r();
    let e: PolInstruction;
    if (kind < 0.5) e = { key, valueName: `Setting${i}`, type: 4, data: encodeValue(4, Math.floor(r() * 100)) };
    else if (kind < 0.75) e = { key, valueName: `Path${i}`, type: 1, data: encodeValue(1, `C:\\Program Files\\Vendor\\Product ${i}\\bin`) };
    else if (kind < 0.85) e = { key, valueName: `List${i}`, type: 7, data: encodeValue(7, ['https://intranet.example.com', 'https://portal.example.com']) };
    else if (kind < 0.9) e = { key, valueName: `Blob${i}`, type: 3, data: Buffer.alloc(64, i & 0xff) };
    else if (kind < 0.95) e = { key, valueName: `**del.Old${i}`, type: 1, data: encodeValue(1, ' ') };
    else e = { key, valueName: `Quota${i}`, type: 11, data: encodeValue(11, BigInt(i) << 20n) };
    size += 24 + 2 * (e.key.length + e.valueName.length) + e.data.length;
    out.push(e);
  }
  return out;
}

function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;
const fmt = (x: number) => x.toFixed(1).padStart(7);

async function peakStreamRss(path: string): Promise<{ entries: number; peakMiB: number; baseMiB: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  let entries = 0;
  for await (const e of readPolFile(path)) {
    entries++;
    if ((entries & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    void e.key;
  }
  return { entries, peakMiB: (peak - base) / 2 ** 20, baseMiB: base / 2 ** 20 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hivewire-bench-regpol-'));
  try {
    const sambaOk = (() => {
      try {
        execFileSync(PY, ['-c', 'import samba.dcerpc.preg']);
        return true;
      } catch {
        return false;
      }
    })();
    if (!sambaOk) throw new Error('python3-samba is missing: apt-get install -y python3-samba');
    console.log(`registry.pol benchmark (best of ${RUNS}); Samba = python3-samba ndr_unpack/ndr_pack (C NDR under Python)`);
    for (const mb of [10, 100]) {
      const buf = serializePol(realisticEntries(mb * 1e6));
      const path = join(dir, `bench-${mb}MB.pol`);
      writeFileSync(path, buf);
      const file = readFileSync(path);
      let entries = 0;
      let sink = 0;
      const parseEndToEnd = best(() => {
        entries = 0;
        for (const e of iteratePol(file)) {
          sink += e.key.length + e.valueName.length + e.data.length;
          entries++;
        }
      });
      let parsed = parsePol(file).entries;
      const serialize = best(() => {
        sink += serializePol(parsed).length;
      });
      if (!serializePol(parsed).equals(file)) throw new Error('our round trip is not byte-identical');
      parsed = [];
      const samba = JSON.parse(execFileSync(PY, [SAMBA, path, String(RUNS)], { maxBuffer: 1 << 20 }).toString());
      if (samba.entries !== entries) throw new Error(`entry counts differ: ours ${entries}, Samba ${samba.entries}`);
      const size = file.length;
      console.log(`\n${(size / 1e6).toFixed(1)} MB, ${entries} entries`);
      console.log(`  parse end to end   ours ${fmt(mbps(size, parseEndToEnd))} MB/s   samba ${fmt(mbps(size, samba.endToEnd))} MB/s   ratio ${(samba.endToEnd / parseEndToEnd).toFixed(1)}x`);
      console.log(`  parse vs bare      ours ${fmt(mbps(size, parseEndToEnd))} MB/s   samba ${fmt(mbps(size, samba.unpack))} MB/s   ratio ${(samba.unpack / parseEndToEnd).toFixed(1)}x  (Samba's bare ndr_unpack, nothing read)`);
      console.log(`  serialize          ours ${fmt(mbps(size, serialize))} MB/s   samba ${fmt(mbps(size, samba.pack))} MB/s   ratio ${(samba.pack / serialize).toFixed(1)}x`);
      if (mb === 100) {
        const m = await peakStreamRss(path);
        console.log(`  streaming read     ${m.entries} entries, peak RSS growth ${m.peakMiB.toFixed(1)} MiB over ${m.baseMiB.toFixed(0)} MiB (file ${(size / 2 ** 20).toFixed(0)} MiB)`);
      }
    }

  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(String(err));
  process.exitCode = 1;
});
