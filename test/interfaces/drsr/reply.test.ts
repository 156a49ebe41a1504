import { describe, expect, it } from 'vitest';
import { decodeGetNCChangesResponse } from '../../../src/interfaces/drsr/client.js';
import { DrsError } from '../../../src/interfaces/drsr/errors.js';
import { decodeReplyPage } from '../../../src/interfaces/drsr/replicate.js';
import { IDL_DRSGetNCChanges } from '../../../src/interfaces/drsr/types.js';
import { fuzz, SEED } from './fuzz.js';

describe('GetNCChanges reply decoding (captured from Samba)', () => {
  it('decodes a V6 page: objects, parents, prefix table, cookie', () => {
    const r = decodeGetNCChangesResponse(SEED);
    expect(r.version).toBe(6);
    expect(r.fMoreData).toBe(1);
    expect(r.cNumObjects).toBe(6);
    const page = decodeReplyPage(r);
    expect(page.objects).toHaveLength(6);
    const root = page.objects[0]!;
    expect(root.isNCPrefix).toBe(true);
    expect(root.dn).toBe('DC=lab,DC=example,DC=com');
    expect(root.sid).toBe('S-1-5-21-1000000001-1000000002-1000000003');
    expect(root.attributes.objectClass).toEqual(['domainDNS', 'domain', 'top']);
    for (const o of page.objects.slice(1)) expect(o.dn.endsWith(',DC=lab,DC=example,DC=com')).toBe(true);
    expect(r.usnvecTo.usnHighObjUpdate).toBeGreaterThan(0n);
  });

  it('re-encodes to a stub that decodes to the same reply (one codec for both directions)', () => {
    const out = IDL_DRSGetNCChanges.decodeResponse(SEED);
    const again = IDL_DRSGetNCChanges.encodeResponse(out);
    expect(again.length).toBe(SEED.length); // same layout; only referent ids may differ from Samba's
    expect(IDL_DRSGetNCChanges.decodeResponse(again)).toEqual(out);
  });

  it('turns an error reply (zeroed V1 arm, return value set) into a DrsError', () => {
    const zero = { usnHighObjUpdate: 0n, usnReserved: 0n, usnHighPropUpdate: 0n };
    const NULL = '00000000-0000-0000-0000-000000000000';
    const V1 = {
      uuidDsaObjSrc: NULL, uuidInvocIdSrc: NULL, pNC: null, usnvecFrom: zero, usnvecTo: zero, pUpToDateVecSrcV1: null,
      PrefixTableSrc: { PrefixCount: 0, pPrefixEntry: null }, ulExtendedRet: 0, cNumObjects: 0, cNumBytes: 0, pObjects: null, fMoreData: 0,
    };
    const stub = IDL_DRSGetNCChanges.encodeResponse({ pdwOutVersion: 1, pmsgOut: { tag: 1, V1 }, returns: 0x2105 });
    let err: unknown;
    try {
      decodeGetNCChangesResponse(stub);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DrsError);
    expect(err).toMatchObject({ code: 'ERR_DRS_STATUS', status: 0x2105, statusName: 'ERROR_DS_DRA_ACCESS_DENIED', source: 'return' });
  });

  it('fuzz sample: 1,000 mutated replies give typed errors only', () => {
    const r = fuzz(1000);
    expect(r.failures).toEqual([]);
    expect(r.typed).toBeGreaterThan(300);
  });
});
