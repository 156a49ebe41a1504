// The prefix table (MS-DRSR §5.16.4): ATTRTYP <-> OID through a table of BER-encoded OID prefixes.
// A reply's table ends with a schemaInfo pseudo-entry (ndx 0, 21 bytes starting 0xFF) that is removed
// before use (§4.1.10.6.1); Samba also requires it as the last entry of the table a client sends.
import type { SCHEMA_PREFIX_TABLE_t } from './types.js';
import { DrsError } from './errors.js';

/** Default schemaInfo ([MS-ADTS] §3.1.1.2.1, MS-DRSR §5.181): 0xFF then 20 zero bytes. */
export const DEFAULT_SCHEMA_INFO = Buffer.concat([Buffer.from([0xff]), Buffer.alloc(20)]);

// NewPrefixTable (§5.16.4): the indices every Windows DC and Samba start with.
const STANDARD: [number, string][] = [
  [0, '5504'], [1, '5506'], [2, '2a864886f7140102'], [3, '2a864886f7140103'], [4, '6086480165020201'],
  [5, '6086480165020203'], [6, '6086480165020105'], [7, '6086480165020104'], [8, '5505'], [9, '2a864886f7140104'],
  [10, '2a864886f7140105'], [19, '0992268993f22c64'], [20, '6086480186f84203'], [21, '0992268993f22c6401'],
  [22, '6086480186f8420301'], [23, '2a864886f7140105b658'], [24, '5515'], [25, '5512'], [26, '5514'],
];

/** Dotted OID -> BER contents octets (X.690 §8.19). */
export function oidToBer(oid: string): Buffer {
  const arcs = oid.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new DrsError('client', 0x57, `bad OID '${oid}'`);
    return Number(s);
  });
  if (arcs.length < 2 || arcs[0]! > 2) throw new DrsError('client', 0x57, `bad OID '${oid}'`);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift((v & 0x7f) | 0x80);
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from(out);
}

/** BER contents octets -> dotted OID; undefined when malformed. */
export function berToOid(b: Uint8Array): string | undefined {
  if (b.length === 0 || b.length > 64) return undefined;
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === b.length - 1) return undefined;
  }
  return arcs.join('.');
}

export class PrefixTable {
  private readonly byIndex = new Map<number, Buffer>();
  private readonly byPrefix = new Map<string, number>();
  private readonly cache = new Map<number, string | undefined>();
  /** The schemaInfo entry the peer sent (21 bytes), if any. */
  schemaInfo: Buffer | undefined;

  static standard(): PrefixTable {
    const t = new PrefixTable();
    for (const [ndx, hex] of STANDARD) t.add(ndx, Buffer.from(hex, 'hex'));
    return t;
  }

  /** A reply's PrefixTableSrc, its trailing schemaInfo entry taken off. */
  static fromWire(w: SCHEMA_PREFIX_TABLE_t): PrefixTable {
    const t = new PrefixTable();
    const entries = w.pPrefixEntry ?? [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const bytes = e.prefix.elements ?? Buffer.alloc(0);
      if (i === entries.length - 1 && e.ndx === 0 && bytes.length === 21 && bytes[0] === 0xff) {
        t.schemaInfo = Buffer.from(bytes);
        continue;
      }
      t.add(e.ndx, Buffer.from(bytes));
    }
    return t;
  }

  add(ndx: number, prefix: Buffer): void {
    this.byIndex.set(ndx, prefix);
    this.byPrefix.set(prefix.toString('hex'), ndx);
    this.cache.clear();
  }

  get size(): number {
    return this.byIndex.size;
  }

  /** The wire form for a request, with the schemaInfo entry last (what Samba requires). */
  toWire(schemaInfo: Buffer = DEFAULT_SCHEMA_INFO): SCHEMA_PREFIX_TABLE_t {
    const entries = [...this.byIndex].map(([ndx, p]) => ({ ndx, prefix: { length: p.length, elements: p } }));
    entries.push({ ndx: 0, prefix: { length: schemaInfo.length, elements: schemaInfo } });
    return { PrefixCount: entries.length, pPrefixEntry: entries };
  }

  /** OidFromAttid (§5.16.4); undefined for an unmapped index or an msDS-IntId ATTRTYP (>= 0x80000000). */
  oidFromAttid(attr: number): string | undefined {
    if (this.cache.has(attr)) return this.cache.get(attr);
    let oid: string | undefined;
    if (attr >>> 0 < 0x80000000) {
      const prefix = this.byIndex.get(attr >>> 16);
      let lower = attr & 0xffff;
      if (prefix) {
        let tail: number[];
        if (lower < 128) tail = [lower];
        else {
          if (lower >= 0x8000) lower -= 0x8000;
          tail = [((lower >> 7) & 0x7f) | 0x80, lower & 0x7f];
        }
        oid = berToOid(Buffer.concat([prefix, Buffer.from(tail)]));
      }
    }
    this.cache.set(attr, oid);
    return oid;
  }

  /** MakeAttid (§5.16.4): adds the prefix (at the lowest free index) when missing. */
  makeAttid(oid: string): number {
    const ber = oidToBer(oid);
    const arcs = oid.split('.');
    const last = Number(arcs[arcs.length - 1]);
    const cut = last < 128 ? 1 : 2;
    const prefix = ber.subarray(0, ber.length - cut);
    const key = prefix.toString('hex');
    let ndx = this.byPrefix.get(key);
    if (ndx === undefined) {
      ndx = 0;
      while (this.byIndex.has(ndx)) ndx++;
      this.add(ndx, Buffer.from(prefix));
    }
    let lower = last % 16384;
    if (last >= 16384) lower += 0x8000;
    return ((ndx << 16) | lower) >>> 0;
  }
}
