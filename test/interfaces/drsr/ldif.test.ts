import { describe, expect, it } from 'vitest';
import { linksToLdif, objectToLdif } from '../../../src/interfaces/drsr/ldif.js';
import type { ReplicatedLink, ReplicatedObject } from '../../../src/interfaces/drsr/replicate.js';

const BASE = 'DC=lab,DC=example,DC=com';
const G = '11111111-2222-4333-8444-555555555555';

function obj(dn: string, attributes: Record<string, unknown[]>, deleted = false): ReplicatedObject {
  return { kind: 'object', guid: G, dn, parentGuid: null, sid: null, isNCPrefix: false, deleted, attributes };
}
function link(dn: string, value: string, present: boolean, attribute = 'member'): ReplicatedLink {
  return { kind: 'link', guid: G, dn, attribute, value, targetGuid: null, present, timeCreated: '0', version: 1 };
}

describe('LDIF change records', () => {
  it('writes a new object as an add, with its GUID, booleans and base64 for unsafe values', () => {
    const o = obj(`CN=Zoë,CN=Users,${BASE}`, { sAMAccountName: ['zoe'], description: [' leading space'], isCriticalSystemObject: [true], objectClass: ['top', 'user'], gone: [] });
    expect(objectToLdif(o, undefined)).toBe(
      `dn:: ${Buffer.from(`CN=Zoë,CN=Users,${BASE}`).toString('base64')}\nchangetype: add\nobjectGUID: ${G}\n` +
        'sAMAccountName: zoe\n' +
        `description:: ${Buffer.from(' leading space').toString('base64')}\n` +
        'isCriticalSystemObject: TRUE\nobjectClass: top\nobjectClass: user\n\n',
    );
  });

  it('writes a known object as modify/replace (an emptied attribute as a bare replace), after a moddn when it moved', () => {
    const o = obj(`CN=u1,OU=New,${BASE}`, { description: ['x'], telephoneNumber: [] });
    expect(objectToLdif(o, { dn: `CN=u1,OU=Old,${BASE}` })).toBe(
      `dn: CN=u1,OU=Old,${BASE}\nchangetype: moddn\nnewrdn: CN=u1\ndeleteoldrdn: 1\nnewsuperior: OU=New,${BASE}\n\n` +
        `dn: CN=u1,OU=New,${BASE}\nchangetype: modify\nreplace: description\ndescription: x\n-\nreplace: telephoneNumber\n-\n\n`,
    );
    // a rename in place has no newsuperior
    expect(objectToLdif(obj(`OU=B,${BASE}`, {}), { dn: `OU=A,${BASE}` })).toBe(`dn: OU=A,${BASE}\nchangetype: moddn\nnewrdn: OU=B\ndeleteoldrdn: 1\n\n`);
  });

  it('writes a deletion as a delete of the DN the consumer had; an unknown tombstone as a comment', () => {
    const t = obj(`CN=u1\\0ADEL:${G},CN=Deleted Objects,${BASE}`, { isDeleted: [true] }, true);
    expect(objectToLdif(t, { dn: `CN=u1,OU=Old,${BASE}` })).toBe(`dn: CN=u1,OU=Old,${BASE}\nchangetype: delete\n\n`);
    expect(objectToLdif(t, undefined)).toBe(`# deleted, never delivered: ${G}\n\n`);
  });

  it('keeps only the asked attributes', () => {
    const o = obj(`CN=u1,${BASE}`, { sAMAccountName: ['u1'], description: ['d'], unicodePwd: ['aa'] });
    expect(objectToLdif(o, undefined, new Set(['samaccountname']))).toBe(`dn: CN=u1,${BASE}\nchangetype: add\nobjectGUID: ${G}\nsAMAccountName: u1\n\n`);
    expect(objectToLdif(o, { dn: `CN=u1,${BASE}` }, new Set(['nothing']))).toBe('');
    expect(linksToLdif([link(`CN=g,${BASE}`, `CN=u1,${BASE}`, true)], new Set(['samaccountname']))).toBe('');
  });

  it('writes link values as adds (present) and deletes (absent), one modify record per holder', () => {
    const g1 = `CN=g1,${BASE}`;
    const g2 = `CN=g2,${BASE}`;
    expect(
      linksToLdif([link(g1, `CN=a,${BASE}`, true), link(g1, `CN=b,${BASE}`, false), link(g2, `B:8:0102ABCD:CN=c,${BASE}`, true, 'msDS-RevealedUsers')]),
    ).toBe(
      `dn: ${g1}\nchangetype: modify\nadd: member\nmember: CN=a,${BASE}\n-\ndelete: member\nmember: CN=b,${BASE}\n-\n\n` +
        `dn: ${g2}\nchangetype: modify\nadd: msDS-RevealedUsers\nmsDS-RevealedUsers: B:8:0102ABCD:CN=c,${BASE}\n-\n\n`,
    );
    expect(linksToLdif([])).toBe('');
  });
});
