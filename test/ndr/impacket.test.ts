// Differential test against impacket's NDR (python3-impacket's dcerpc/v5/ndr.py, a peer we did not
// write). impacket writes random referent ids and 0xAA/0xAB alignment padding, so its bytes are
// compared by value: we decode what impacket builds; impacket decodes what we build.
import { beforeAll, describe, expect, it } from 'vitest';
import { arm, BaseRegQueryValue, IDL_DRSGetNCChanges, ept_map } from './idl.js';
import { IMPACKET_SCRIPT, requirePeer, runPeer } from './peer.js';

let packed: Record<string, any>;
const bytes = (k: string) => Buffer.from(packed[k], 'hex');
const unpack = (k: string, b: Buffer) => JSON.parse(runPeer(IMPACKET_SCRIPT, ['unpack', k, b.toString('hex')]));
const HANDLE = { attributes: 0, uuid: '01234567-89ab-cdef-0123-456789abcdef' };

beforeAll(() => {
  requirePeer('impacket', 'python3-impacket');
  packed = JSON.parse(runPeer(IMPACKET_SCRIPT, ['pack']));
});

describe('impacket builds, we decode', () => {
  it('ept_map request with a tower (as hept_map sends it)', () => {
    const req = ept_map.decodeRequest(bytes('ept_map.in'));
    expect(req).toEqual({
      obj: '00000000-0000-0000-0000-000000000000',
      map_tower: { tower_length: bytes('tower').length, tower_octet_string: bytes('tower') },
      entry_handle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' },
      max_towers: 1,
    });
  });
  it('ept_map response: a conformant varying array of full pointers sized by an [in] parameter', () => {
    const resp = ept_map.decodeResponse(bytes('ept_map.out'), { max_towers: 1 });
    expect(resp).toEqual({
      entry_handle: HANDLE,
      num_towers: 1,
      ITowers: [{ tower_length: bytes('tower2').length, tower_octet_string: bytes('tower2') }],
      status: 0,
    });
  });
  it('BaseRegQueryValue request (as hBaseRegQueryValue sends it)', () => {
    expect(BaseRegQueryValue.decodeRequest(bytes('QueryValue.in'))).toEqual({
      hKey: HANDLE,
      lpValueName: { Length: 24, MaximumLength: 24, Buffer: 'ProductName\0' },
      lpType: 0,
      lpData: Buffer.alloc(16, 0x20),
      lpcbData: 16,
      lpcbLen: 16,
    });
  });
  it('IDL_DRSGetNCChanges V8 (as secretsdump sends it)', () => {
    const req = IDL_DRSGetNCChanges.decodeRequest(bytes('GetNCChanges.in'));
    expect(req.hDrs).toEqual(HANDLE);
    const v8 = arm(req.pmsgIn, 'V8');
    expect(v8.pNC.Guid).toBe('11111111-2222-3333-4444-555555555555');
    expect(v8.pNC.StringName).toBe('\0');
    expect(v8.ulExtendedOp).toBe(6); // EXOP_REPL_OBJ
    expect(v8.pPartialAttrSet?.rgPartialAttr).toEqual(packed['GetNCChanges.attrs']);
    expect(v8.PrefixTableDest.pPrefixEntry?.map((e) => [e.ndx, e.prefix.elements?.toString('hex')])).toEqual(packed['GetNCChanges.prefixes']);
  });
});

describe('we build, impacket decodes', () => {
  it('ept_map request and response', () => {
    const tower = bytes('tower');
    const req = ept_map.encodeRequest({ obj: null, map_tower: { tower_length: tower.length, tower_octet_string: tower }, entry_handle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, max_towers: 4 });
    expect(unpack('ept_map.in', req)).toEqual({ tower: tower.toString('hex'), max_towers: 4, obj: null });
    const t2 = bytes('tower2');
    const resp = ept_map.encodeResponse({ entry_handle: HANDLE, num_towers: 2, ITowers: [{ tower_length: t2.length, tower_octet_string: t2 }, { tower_length: tower.length, tower_octet_string: tower }], status: 0 }, { max_towers: 4 });
    expect(unpack('ept_map.out', resp)).toEqual({ num_towers: 2, status: 0, towers: [t2.toString('hex'), tower.toString('hex')] });
  });
  it('BaseRegQueryValue request', () => {
    const stub = BaseRegQueryValue.encodeRequest({ hKey: HANDLE, lpValueName: { Length: 10, MaximumLength: 10, Buffer: 'Path\0' }, lpType: null, lpData: Buffer.from('xyz'), lpcbData: 3, lpcbLen: 3 });
    expect(unpack('QueryValue.in', stub)).toEqual({ valueName: 'Path\0', lpcbData: 3, lpcbLen: 3, lpData: '78797a' });
  });
  it('IDL_DRSGetNCChanges V8 after a decode/encode round trip', () => {
    const req = IDL_DRSGetNCChanges.decodeRequest(bytes('GetNCChanges.in'));
    arm(req.pmsgIn, 'V8').ulFlags = 0x10;
    const seen = unpack('GetNCChanges.in', IDL_DRSGetNCChanges.encodeRequest(req));
    expect(seen).toEqual({ tag: 8, ulFlags: 0x10, ulExtendedOp: 6, guid: '11111111-2222-3333-4444-555555555555', attrs: packed['GetNCChanges.attrs'], prefixes: packed['GetNCChanges.prefixes'] });
  });
});
