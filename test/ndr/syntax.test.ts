// Transfer syntax identifiers exported for the RPC layer (MS-RPCE §2.2.4.12, §2.2.5.1, §2.2.2.14).
import { describe, expect, it } from 'vitest';
import { BIND_TIME_FEATURE_PREFIX, GUID, isBindTimeFeatureSyntax, ndrEncode, NDR20_SYNTAX, NDR64_SYNTAX } from '../../src/ndr/index.js';

describe('transfer syntaxes', () => {
  it('NDR 2.0 as it appears in a bind PDU (C706 App. I, version 2)', () => {
    expect(ndrEncode(GUID, NDR20_SYNTAX.uuid).toString('hex')).toBe('045d888aeb1cc9119fe808002b104860');
    expect(NDR20_SYNTAX.version).toBe(2);
  });
  it('NDR64 (declined) and the bind-time feature negotiation prefix', () => {
    expect(ndrEncode(GUID, NDR64_SYNTAX.uuid).toString('hex')).toBe('33057171babe37498319b5dbef9ccc36');
    expect(NDR64_SYNTAX.version).toBe(1);
    expect(isBindTimeFeatureSyntax('6CB71C2C-9812-4540-0300-000000000000')).toBe(true);
    expect(isBindTimeFeatureSyntax(NDR20_SYNTAX.uuid)).toBe(false);
    expect(BIND_TIME_FEATURE_PREFIX).toBe('6cb71c2c-9812-4540');
  });
});
