// [in,out] correlations in a response: BaseRegQueryValue (MS-RRP §3.1.5.17) returns lpData before
// lpcbData/lpcbLen, sized and measured by the values it returns, not by the request's.
import { describe, expect, it } from 'vitest';
import { BaseRegQueryValue } from '../../src/interfaces/rrp/types.js';

describe('operation responses with [in,out] size parameters', () => {
  it('checks lpData against the returned lpcbData/lpcbLen when the request values are given', () => {
    const data = Buffer.from('hello\0', 'utf16le');
    const request = { lpType: 0, lpData: Buffer.alloc(0), lpcbData: 512, lpcbLen: 0 };
    const stub = BaseRegQueryValue.encodeResponse({ lpType: 1, lpData: data, lpcbData: data.length, lpcbLen: data.length, returns: 0 } as never, request as never);
    const out = BaseRegQueryValue.decodeResponse(stub, request as never) as unknown as { lpData: Buffer; lpcbLen: number };
    expect(out.lpData.equals(data)).toBe(true);
    expect(out.lpcbLen).toBe(data.length);
  });
});
