// Differential test against Samba's security descriptor code (python3-samba: descriptor.from_sddl,
// as_sddl, ndr_pack/ndr_unpack), a peer we did not write. For every SDDL string of the corpus:
//  1. our binary equals Samba's ndr_pack bytes (after one normalisation, see aclRevisionsTo),
//  2. Samba unpacks our binary to the descriptor it built itself (same as_sddl),
//  3. our SDDL of Samba's bytes parses back in Samba to the same bytes,
//  4. we parse Samba's SDDL output to the same binary.
// For the binary fixtures: Samba's re-pack of the bytes equals our NDR-order encoding of them.
// And accessCheck agrees with samba.security.access_check (se_access_check) on random cases.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessCheck, KEY_GENERIC_MAPPING, makeToken, REGISTRY_DEFAULT_SDDL, SecurityDescriptor, Sid, userHiveSddl, type SddlOptions,
} from '../../src/security/index.js';
import { randomSddlCorpus as randomCorpus, rng } from './corpus.js';
import { fixture } from './helpers.js';

const PYTHON = '/usr/bin/python3'; // pyenv's python3 on PATH has no samba module
const SCRIPT = fileURLToPath(new URL('./samba-sd.py', import.meta.url));
const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const domainSid = Sid.parse(DOMAIN);

interface SambaAnswer {
  hex?: string;
  sddl?: string;
  error?: string;
  granted?: number;
  denied?: number;
}

function samba(requests: object[]): SambaAnswer[] {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`samba-sd.py failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as SambaAnswer[];
}

const readSddl = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8').trim();

const CORPUS: string[] = [
  ...Object.values(REGISTRY_DEFAULT_SDDL),
  userHiveSddl(Sid.parse('S-1-5-21-1-2-3-1001')),
  'O:BAG:BAD:P(A;OICI;GRGX;;;BU)(A;OICI;GA;;;BA)(A;OICI;GA;;;SY)(A;OICI;GA;;;CO)S:P(AU;FA;GR;;;WD)',
  'O:DAG:DUD:AI(A;ID;KA;;;LA)(A;CIIOID;GA;;;CO)(D;OICINPIOID;KW;;;AN)(A;;0x1200a9;;;BU)(A;;FA;;;SY)',
  'D:PARAI(OA;CI;RP;bf967aba-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;DA)(OD;;WP;;4828cc14-1437-45bc-9b07-ad6f015e5f28;AU)',
  'S:AI(AU;SAFA;KA;;;WD)(OU;CISA;WP;f30e3bbe-9ff0-11d1-b603-0000f80367c1;bf967aa5-0de6-11d0-a285-00aa003049e2;WD)',
  'O:SYG:SYD:S:',
  'D:(A;;;;;BA)(A;;0x100000;;;WD)(A;;GAGRGWGX;;;S-1-5-21-9-9-9-1000)',
  readSddl('msadts-adminsdholder-v30.sddl'),
  readSddl('msadts-adminsdholder-v44.sddl'),
  ...randomCorpus(300, domainSid),
];

/** Samba stamps ACL revision 4 on every ACL it builds from SDDL; Windows (and we) use 2 unless there are object ACEs. */
function aclRevisionsTo(sambaBytes: Buffer, ours: Buffer): Buffer {
  const b = Buffer.from(sambaBytes);
  for (const field of [12, 16]) {
    const off = b.readUInt32LE(field);
    if (off === 0 || off >= b.length) continue;
    expect(b[off]).toBe(4);
    b[off] = ours[ours.readUInt32LE(field)]!;
  }
  return b;
}

describe('differential: Samba security descriptors (python3-samba)', () => {
  beforeAll(() => {
    const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import samba.dcerpc.security, samba.ndr'], { encoding: 'utf8' }) : undefined;
    if (!probe || probe.status !== 0) {
      throw new Error(
        `python3-samba is missing (${PYTHON} cannot import samba.dcerpc.security): install it with ` +
          '`apt-get install -y --no-install-recommends python3-samba` (it is in .ci/run)',
      );
    }
  });

  it(`agrees on ${CORPUS.length} SDDL strings, both ways`, () => {
    const opts: SddlOptions = { domainSid };
    const ours = CORPUS.map((s) => SecurityDescriptor.fromSddl(s, opts));
    // Samba 4.17 does not know the KA/KR/KW/KX aliases: give it masks spelled with single rights.
    const forSamba = ours.map((sd) => sd.toSddl({ domainSid, compositeRights: false }));
    const built = samba(forSamba.map((sddl) => ({ op: 'from_sddl', sddl, domain: DOMAIN })));
    const unpacked = samba(ours.map((sd) => ({ op: 'unpack', hex: sd.toBinary().toString('hex'), domain: DOMAIN })));

    const reprinted: string[] = [];
    for (let i = 0; i < CORPUS.length; i++) {
      const ctx = { sddl: CORPUS[i] };
      const b = built[i]!;
      expect({ ...ctx, error: b.error }).toEqual({ ...ctx, error: undefined });
      const ourBytes = ours[i]!.toBinary();
      const sambaBytes = Buffer.from(b.hex!, 'hex');
      // 1. same bytes
      expect({ ...ctx, hex: aclRevisionsTo(sambaBytes, ourBytes).toString('hex') }).toEqual({ ...ctx, hex: ourBytes.toString('hex') });
      // 2. Samba reads our bytes as the descriptor it built
      expect({ ...ctx, sddl: unpacked[i]!.sddl, error: unpacked[i]!.error }).toEqual({ ...ctx, sddl: b.sddl, error: undefined });
      expect({ ...ctx, hex: unpacked[i]!.hex }).toEqual({ ...ctx, hex: ourBytes.toString('hex') });
      // 4. we read Samba's SDDL as the same descriptor
      expect({ ...ctx, hex: SecurityDescriptor.fromSddl(b.sddl!, opts).toBinary().toString('hex') }).toEqual({ ...ctx, hex: ourBytes.toString('hex') });
      // 3. (below) our SDDL of Samba's bytes, back through Samba
      reprinted.push(SecurityDescriptor.fromBinary(sambaBytes).toSddl({ domainSid, compositeRights: false }));
    }
    const again = samba(reprinted.map((sddl) => ({ op: 'from_sddl', sddl, domain: DOMAIN })));
    for (let i = 0; i < CORPUS.length; i++) {
      expect({ sddl: reprinted[i], hex: again[i]!.hex }).toEqual({ sddl: reprinted[i], hex: built[i]!.hex });
    }
  });

  it.each(['msdtyp-2.5.1.4.hex', 'msdrsr-5.16.3.16.hex', 'samba-registry-hklm-software.hex'])(
    'reads fixture %s like Samba does',
    (name) => {
      const bytes = fixture(name);
      const [a] = samba([{ op: 'unpack', hex: bytes.toString('hex'), domain: DOMAIN }]);
      expect(a!.error).toBeUndefined();
      const sd = SecurityDescriptor.fromBinary(bytes);
      expect(sd.toBinary({ layout: 'ndr' }).toString('hex')).toBe(a!.hex);
      // Samba's SDDL of these bytes and ours name the same descriptor
      expect(SecurityDescriptor.fromSddl(a!.sddl!, { domainSid }).toSddl({ domainSid })).toBe(
        // SDDL has no place for SI without a SACL (the MS-DRSR sample has it); neither side prints it
        sd.toSddl({ domainSid }),
      );
    },
  );

  it('rejects what Samba rejects among truncated fixtures', () => {
    const bytes = fixture('msdrsr-5.16.3.16.hex');
    const cuts = [0, 10, 19, 20, 40, 100, bytes.length - 1];
    const answers = samba(cuts.map((n) => ({ op: 'unpack', hex: bytes.subarray(0, n).toString('hex'), domain: DOMAIN })));
    cuts.forEach((n, i) => {
      expect({ n, sambaRejects: answers[i]!.error !== undefined }).toEqual({ n, sambaRejects: true });
      expect(() => SecurityDescriptor.fromBinary(bytes.subarray(0, n))).toThrow(/security descriptor/);
    });
  });

  it('agrees with samba.security.access_check on random descriptors, tokens and requests (sample)', () => {
    const next = rng(0xacce55);
    const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)]!;
    const pool = ['S-1-5-21-1-2-3-1001', 'S-1-5-21-1-2-3-1002', 'S-1-1-0', 'S-1-5-11', 'S-1-5-32-544', 'S-1-5-32-545', 'S-1-5-18', 'S-1-3-4', 'S-1-3-0'];
    const privs = ['SeSecurityPrivilege', 'SeTakeOwnershipPrivilege', 'SeBackupPrivilege', 'SeRestorePrivilege'];
    const rights = [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x10000, 0x20000, 0x40000, 0x80000, 0x20019, 0xf003f, 0x20006];
    const cases: { sddl: string; sids: string[]; privileges: string[]; desired: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      let dacl = '';
      for (let k = next(6); k > 0; k--) {
        const m = rights.filter(() => next(4) === 0).reduce((a, b) => a | b, 0) || pick(rights);
        dacl += `(${pick(['A', 'A', 'D'])};${pick(['', '', 'CI', 'CIIO', 'ID'])};0x${m.toString(16)};;;${pick(pool)})`;
      }
      // NULL DACLs only without MAXIMUM_ALLOWED and ACCESS_SYSTEM_SECURITY: Samba 4.17 grants everything asked
      // (even ACCESS_SYSTEM_SECURITY without SeSecurityPrivilege) and 0 for MAXIMUM_ALLOWED there, while
      // MS-DTYP §2.5.3.2 checks the privilege first and Windows grants GENERIC_ALL.
      const nullDacl = next(20) === 0;
      // OWNER RIGHTS and CREATOR OWNER are placeholders in ACEs, never SIDs of a token
      const sids = pool.filter((sid) => next(3) === 0 && !sid.startsWith('S-1-3-'));
      if (sids.length === 0) sids.push(pick(pool));
      let desired = rights.filter(() => next(5) === 0).reduce((a, b) => a | b, 0);
      if (!nullDacl && next(4) === 0) desired |= 0x02000000; // MAXIMUM_ALLOWED
      if (!nullDacl && next(10) === 0) desired |= 0x01000000; // ACCESS_SYSTEM_SECURITY
      cases.push({
        sddl: `O:${pick(pool)}G:SYD:${nullDacl ? 'NO_ACCESS_CONTROL' : dacl}`,
        sids,
        privileges: privs.filter(() => next(4) === 0),
        desired: desired >>> 0,
      });
    }
    const answers = samba(
      cases.map((c) => ({ op: 'access', hex: SecurityDescriptor.fromSddl(c.sddl).toBinary().toString('hex'), sids: c.sids, privileges: c.privileges, desired: c.desired })),
    );
    let allowed = 0;
    cases.forEach((c, i) => {
      const a = answers[i]!;
      const [user, ...groups] = c.sids;
      const ours = accessCheck(makeToken(user!, groups, c.privileges), SecurityDescriptor.fromSddl(c.sddl), c.desired, KEY_GENERIC_MAPPING);
      // Samba answers MAXIMUM_ALLOWED with success and 0 granted where MS-DTYP §2.5.3.2 (and we) deny.
      const theirs = a.granted !== undefined && !(a.granted === 0 && c.desired & 0x02000000) ? { granted: a.granted, allowed: true } : { granted: 0, allowed: false };
      expect({ ...c, result: ours }).toEqual({ ...c, result: theirs });
      if (ours.allowed) allowed++;
    });
    expect(allowed).toBeGreaterThan(300);
    expect(allowed).toBeLessThan(2700);
  });
});
