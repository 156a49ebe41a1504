// The GET_TGT retry of replicate() against a scripted DC: replies built from a page captured from Samba,
// with link values added. A link whose target is in the NC but unknown makes the client ask for the page
// again with DRS_GET_TGT, once; links into other NCs (configuration -> domain, a child NC) never do.
import { describe, expect, it } from 'vitest';
import { decodeGetNCChangesResponse, type GetNCChangesReply, type GetNCChangesRequest } from '../../../src/interfaces/drsr/client.js';
import { PrefixTable } from '../../../src/interfaces/drsr/prefix-table.js';
import { DRS_GET_TGT, inNc, replicate, type Page, type ReplicationSource } from '../../../src/interfaces/drsr/replicate.js';
import type { REPLENTINFLIST_t } from '../../../src/interfaces/drsr/types.js';
import { SEED } from './fuzz.js';

const NC = 'DC=lab,DC=example,DC=com';
const NEW_USER = '0a1b2c3d-0000-4000-8000-00000000abcd';

/** A packed DSNAME value (§5.50) naming `guid` and `dn`. */
function dsnameValue(guid: string, dn: string): Buffer {
  const b = Buffer.alloc(56 + 2 * (dn.length + 1));
  b.writeUInt32LE(b.length, 0);
  const h = Buffer.from(guid.replace(/-/g, ''), 'hex');
  Buffer.concat([h.subarray(0, 4).reverse(), h.subarray(4, 6).reverse(), h.subarray(6, 8).reverse(), h.subarray(8)]).copy(b, 8);
  b.writeUInt32LE(dn.length, 52);
  b.write(dn, 56, 'utf16le');
  return b;
}

/** The captured first page, made the last one, with `member` links from its second object to `targets`. */
function page(targets: { guid: string; dn: string }[], extraObject?: { guid: string; dn: string }): GetNCChangesReply {
  const r = decodeGetNCChangesResponse(SEED);
  const holder = r.pObjects!.pNextEntInf!.Entinf.pName!;
  const member = PrefixTable.fromWire(r.PrefixTableSrc).makeAttid('2.5.4.31');
  r.fMoreData = 0;
  r.rgValues = targets.map((t) => ({
    pObject: holder,
    attrTyp: member,
    Aval: { valLen: 0, pVal: dsnameValue(t.guid, t.dn) },
    fIsPresent: 1,
    MetaData: { timeCreated: 1n, MetaData: { dwVersion: 1, timeChanged: 1n, uuidDsaOriginating: NEW_USER, usnOriginating: 1n }, unused1: 0, unused2: 0, unused3: 0, timeExpired: 0n },
  })) as GetNCChangesReply['rgValues'];
  r.rgValues!.forEach((v) => (v.Aval.valLen = v.Aval.pVal!.length));
  r.cNumValues = targets.length;
  if (extraObject) {
    // the target, sent first (what a DC does with GET_TGT): a copy of the last object under a new GUID
    let last = r.pObjects!;
    while (last.pNextEntInf) last = last.pNextEntInf;
    let copy: REPLENTINFLIST_t = decodeGetNCChangesResponse(SEED).pObjects!;
    while (copy.pNextEntInf) copy = copy.pNextEntInf;
    copy.Entinf.pName = { ...copy.Entinf.pName!, Guid: extraObject.guid, StringName: `${extraObject.dn}\0`, NameLen: extraObject.dn.length };
    copy.pMetaDataExt = null;
    copy.pNextEntInf = null;
    last.pNextEntInf = copy;
    r.cNumObjects++;
  }
  return r;
}

function scriptedDc(replies: GetNCChangesReply[]): ReplicationSource & { requests: GetNCChangesRequest[] } {
  const requests: GetNCChangesRequest[] = [];
  return {
    requests,
    requestVersion: 10,
    useCompression: false,
    sessionKey: Buffer.alloc(16),
    async getNCChanges(req: GetNCChangesRequest) {
      requests.push({ ...req });
      const r = replies.shift();
      if (!r) throw new Error('the scripted DC has no more replies');
      return r;
    },
  };
}

async function run(dc: ReplicationSource): Promise<Page[]> {
  const pages: Page[] = [];
  await replicate(dc, { nc: NC, onPage: (p) => void pages.push(p) });
  return pages;
}

describe('DRS_GET_TGT retry', () => {
  it('asks for the page again with GET_TGT when a link names an unknown object of the NC, and gets it', async () => {
    const target = { guid: NEW_USER, dn: `CN=late,OU=LabUsers,${NC}` };
    const dc = scriptedDc([page([target]), page([target], target)]);
    const pages = await run(dc);
    expect(dc.requests.map((r) => r.ulMoreFlags)).toEqual([0, DRS_GET_TGT]);
    // the same request otherwise: same cookie, same flags
    expect({ ...dc.requests[1], ulMoreFlags: 0 }).toEqual(dc.requests[0]);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.retries).toEqual(['GET_TGT']);
    expect(pages[0]!.missingTargets).toEqual([]);
    expect(pages[0]!.objects.map((o) => o.guid)).toContain(NEW_USER);
    expect(pages[0]!.links.map((l) => l.targetGuid)).toEqual([NEW_USER]);
  });

  it('retries once only: a target still absent after GET_TGT is reported, not asked for again', async () => {
    const target = { guid: NEW_USER, dn: `CN=gone,OU=LabUsers,${NC}` };
    const dc = scriptedDc([page([target]), page([target])]);
    const pages = await run(dc);
    expect(dc.requests).toHaveLength(2);
    expect(pages[0]!.retries).toEqual(['GET_TGT']);
    expect(pages[0]!.missingTargets).toEqual([NEW_USER]);
    expect(pages[0]!.links).toHaveLength(1);
  });

  it('never retries for links into other NCs or to objects already received', async () => {
    const r = decodeGetNCChangesResponse(SEED);
    const known = r.pObjects!.pNextEntInf!.pNextEntInf!.Entinf.pName!;
    const dc = scriptedDc([
      page([
        { guid: NEW_USER, dn: `CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${NC}` },
        { guid: '0a1b2c3d-0000-4000-8000-00000000abce', dn: 'DC=elsewhere,DC=example,DC=org' },
        { guid: known.Guid, dn: known.StringName.replace(/\0$/, '') },
      ]),
    ]);
    const pages = await run(dc);
    expect(dc.requests).toHaveLength(1);
    expect(pages[0]!.retries).toEqual([]);
    expect(pages[0]!.missingTargets).toEqual([]);
    expect(pages[0]!.links).toHaveLength(3);
  });

  it('does not retry with a V8-only DC (no ulMoreFlags to carry GET_TGT)', async () => {
    const dc = { ...scriptedDc([page([{ guid: NEW_USER, dn: `CN=late,${NC}` }])]), requestVersion: 8 as const };
    const pages = await run(dc);
    expect(pages[0]!.retries).toEqual([]);
    expect(pages[0]!.missingTargets).toEqual([NEW_USER]);
  });

  it('tells NC membership by DN, child NCs excluded', () => {
    const children = [`OU=Mounted,${NC}`];
    expect(inNc(`CN=x,OU=LabUsers,${NC}`, NC, children)).toBe(true);
    expect(inNc('cn=x, dc=LAB,dc=example, DC=com', NC, children)).toBe(true);
    expect(inNc(NC, NC, children)).toBe(true);
    expect(inNc(`CN=Sites,CN=Configuration,${NC}`, NC, children)).toBe(false);
    expect(inNc(`DC=x,DC=DomainDnsZones,${NC}`, NC, children)).toBe(false);
    expect(inNc(`CN=x,DC=notlab,DC=example,DC=com`, NC, children)).toBe(false);
    expect(inNc(`CN=x,OU=Mounted,${NC}`, NC, children)).toBe(false);
    expect(inNc(`CN=x,DC=child,${NC}`, NC)).toBe(false);
    expect(inNc(`CN=x,CN=Schema,CN=Configuration,${NC}`, `CN=Configuration,${NC}`)).toBe(false);
    expect(inNc(`CN=Sites,CN=Configuration,${NC}`, `CN=Configuration,${NC}`)).toBe(true);
    expect(inNc(`CN=x,OU=a\\,b,${NC}`, NC)).toBe(true);
    expect(inNc(`CN=Administrator,CN=Users,${NC}`, `CN=Configuration,${NC}`, [])).toBe(false);
  });
});
