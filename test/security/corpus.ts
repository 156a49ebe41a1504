// Fixtures and random security descriptors for the tests and bench/security.ts (no vitest imports here).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SecurityDescriptor, type Sid } from '../../src/security/index.js';

/** A hex fixture from ./fixtures ('#' lines are comments). */
export function fixture(name: string): Buffer {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
  const hex = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  return Buffer.from(hex, 'hex');
}

/** Deterministic pseudo-random numbers (a fixed LCG). */
export function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** Random descriptors in our canonical SDDL, limited to what Samba 4.17's SDDL parser knows. */
export function randomSddlCorpus(count: number, domainSid: Sid): string[] {
  const next = rng(0xd1ff);
  const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)]!;
  const sids = ['BA', 'SY', 'BU', 'WD', 'CO', 'CG', 'AU', 'RC', 'AC', 'PS', 'AN', 'NS', 'LS', 'OW', 'DA', 'DU', 'EA', 'LA', 'S-1-5-80-0', 'S-1-5-21-9-8-7-1105', 'S-1-15-3-1024-1065365936-1281604716-3511738428-1654721687-432734479-3232135806-4053264122-3456934681'];
  const guids = ['bf967aba-0de6-11d0-a285-00aa003049e2', 'ab721a53-1e2f-11d0-9819-00aa0040529b', '4828cc14-1437-45bc-9b07-ad6f015e5f28'];
  const flagBits = ['OI', 'CI', 'NP', 'IO', 'ID'];
  const mask = () => {
    const kind = next(4);
    if (kind === 0) return pick([0xf003f, 0x20019, 0x20006, 0x10000000, 0x80000000, 0xa0000000, 0x1f01ff, 0x120089]);
    if (kind === 1) return next(0x100) | (next(16) << 16);
    return (next(0x10000) | (next(0x10000) << 16)) >>> 0;
  };
  const ace = (types: string[], audit: boolean) => {
    const type = pick(types);
    let flags = flagBits.filter(() => next(3) === 0).join('');
    if (audit) flags += pick(['SA', 'FA', 'SAFA']);
    const isObject = type.startsWith('O');
    const obj = isObject && next(2) ? pick(guids) : '';
    const inh = isObject && next(2) ? pick(guids) : '';
    const m = mask();
    return `(${type};${flags};${m === 0 ? '' : '0x' + m.toString(16)};${obj};${inh};${pick(sids)})`;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    if (next(4)) s += 'O:' + pick(sids);
    if (next(4)) s += 'G:' + pick(sids);
    if (next(5)) {
      const flags = pick(['', 'P', 'AI', 'PAI', 'AR', 'PARAI']);
      // Samba 4.17 cannot parse ACL flags with no ACE before the next section ('D:PS:' fails): give it one ACE.
      s += 'D:' + flags;
      for (let k = Math.max(next(6), flags ? 1 : 0); k > 0; k--) s += ace(['A', 'D', 'A', 'D', 'OA', 'OD'], false);
    }
    if (next(3) === 0) {
      s += 'S:' + pick(['', 'P', 'AI']);
      for (let k = next(3); k > 0; k--) s += ace(['AU', 'AU', 'OU'], true);
    }
    // reprint through our parser so that the corpus is in our canonical spelling
    out.push(SecurityDescriptor.fromSddl(s, { domainSid }).toSddl({ domainSid }));
  }
  return out;
}

