// Our client against Samba's AD DC on 127.0.0.3: resolve drsuapi's dynamic port through Samba's
// endpoint mapper (ept_map), bind to drsuapi over ncacn_ip_tcp with NTLM at each auth level, and run
// IDL_DRSBind + IDL_DRSUnbind (hand-built NDR stubs) through the signed/sealed association.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NtlmClient } from '../../src/auth/ntlm/index.js';
import { EpmClient, resolvePort } from '../../src/interfaces/epm/client.js';
import { EPM_UUID } from '../../src/interfaces/epm/types.js';
import { ntlmAuth, spnegoAuth } from '../../src/rpc/auth.js';
import { RpcClient } from '../../src/rpc/client.js';
import { RpcBindError } from '../../src/rpc/errors.js';
import { conformantArray, contextHandle, GUID, operation, range, ref, struct, u32, u8, unique } from '../../src/ndr/index.js';
import { connectTcp } from '../../src/transport/tcp.js';
import { waitFor } from '../harness/peers.js';
import { startSambaDc, type SambaDc } from '../harness/samba-dc.js';

const DRSUAPI = { uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', version: 4, minor: 0 };
let dc: SambaDc;
let port = 0;

beforeAll(async () => {
  dc = await startSambaDc();
  // the dynamic RPC listeners come up shortly after 135: ask until drsuapi is mapped
  await waitFor(
    async () => {
      port = await resolvePort(dc.ip, DRSUAPI.uuid, DRSUAPI.version).catch(() => 0);
      return port > 0;
    },
    { timeoutMs: 60_000, what: 'drsuapi in the Samba DC endpoint map' },
  );
}, 600_000);

afterAll(async () => {
  await dc?.stop();
});

const DRS_EXTENSIONS = struct({ // MS-DRSR §5.39
  cb: range(u32, 1, 10000),
  rgb: conformantArray(u8, { size: 'cb' }),
});
const DRS_HANDLE = contextHandle(); // MS-DRSR §5.45
const IDL_DRSBind = operation(0, { // MS-DRSR §4.1.3
  in: { puuidClientDsa: unique(GUID), pextClient: unique(DRS_EXTENSIONS) },
  out: { ppextServer: ref(unique(DRS_EXTENSIONS)), phDrs: ref(DRS_HANDLE) },
  returns: u32,
});
const IDL_DRSUnbind = operation(1, { // MS-DRSR §4.1.25
  in: { phDrs: ref(DRS_HANDLE) },
  out: { phDrs: ref(DRS_HANDLE) },
  returns: u32,
});
const NULL_HANDLE = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };

/** IDL_DRSBind request: NTDSAPI_CLIENT_GUID and a 28-byte DRS_EXTENSIONS_INT (dwFlags only). */
function drsBindStub(): Buffer {
  const rgb = Buffer.alloc(28);
  rgb.writeUInt32LE(0x04000000 | 0x00008000, 0); // DRS_EXT_GETCHGREPLY_V6 | DRS_EXT_STRONG_ENCRYPTION (any flags do for a bind)
  return IDL_DRSBind.encodeRequest({ puuidClientDsa: 'e24d201a-4fd6-11d1-a3da-0000f875ae0d', pextClient: { cb: 28, rgb } });
}

function ntlm(): NtlmClient {
  return new NtlmClient({ user: dc.user, domain: dc.domain, password: dc.password });
}

function creds() {
  return { user: dc.user, domain: dc.domain, password: dc.password };
}

describe('our client against the Samba AD DC', () => {
  it("resolves drsuapi's TCP port with ept_map on Samba's endpoint mapper", async () => {
    expect(port).toBeGreaterThan(1024);
    const epm = await EpmClient.connect(dc.ip);
    try {
      const towers = await epm.map(DRSUAPI);
      const t = towers[0]!;
      // Samba puts 0.0.0.0 in the address floor; clients use the host they asked
      expect({ protocol: t.protocol, port: t.port, interface: t.interface }).toEqual({ protocol: 'ncacn_ip_tcp', port, interface: DRSUAPI });
    } finally {
      epm.close();
    }
  });

  for (const level of [2, 5, 6]) {
    it(`binds to Samba's endpoint mapper with NTLM at auth level ${level} and calls ept_map`, async () => {
      const epm = await EpmClient.connect(dc.ip, { auth: ntlmAuth(creds(), level), timeoutMs: 30_000 });
      try {
        expect(epm.rpc.authLevel).toBe(level);
        const towers = await epm.map(DRSUAPI);
        expect(towers[0]?.port).toBe(port);
      } finally {
        epm.close();
      }
    });
  }

  for (const [name, auth] of [
    ['NTLM', ntlmAuth],
    ['SPNEGO', spnegoAuth],
  ] as const) {
    it(`binds to drsuapi with ${name} at privacy level and calls IDL_DRSBind / IDL_DRSUnbind`, async () => {
      const sock = await connectTcp(dc.ip, port);
      const c = await RpcClient.bind(sock, DRSUAPI, { auth: auth(creds(), 6), timeoutMs: 30_000 });
      try {
        expect(c.authLevel).toBe(6);
        const bound = IDL_DRSBind.decodeResponse(await c.call(0, drsBindStub()));
        expect(bound.returns).toBe(0);
        expect(bound.ppextServer?.cb).toBeGreaterThanOrEqual(24); // the DC's DRS_EXTENSIONS_INT
        expect(bound.phDrs).not.toEqual(NULL_HANDLE);
        const un = IDL_DRSUnbind.decodeResponse(await c.call(1, IDL_DRSUnbind.encodeRequest({ phDrs: bound.phDrs })));
        expect(un).toEqual({ phDrs: NULL_HANDLE, returns: 0 });
      } finally {
        c.close();
      }
    });
  }

  it('gets the access-denied fault Samba gives drsuapi calls below privacy (bind itself accepted)', async () => {
    const sock = await connectTcp(dc.ip, port);
    const c = await RpcClient.bind(sock, DRSUAPI, { auth: { context: ntlm(), level: 5 }, timeoutMs: 30_000 });
    try {
      await expect(c.call(0, drsBindStub())).rejects.toMatchObject({ code: 'ERR_RPC_FAULT', status: 5 });
    } finally {
      c.close();
    }
  });

  it('is refused with a wrong password and for an unknown interface', async () => {
    const sock = await connectTcp(dc.ip, port);
    const bad = new NtlmClient({ user: dc.user, domain: dc.domain, password: 'wrong' });
    const attempt = RpcClient.bind(sock, DRSUAPI, { auth: { context: bad, level: 6 }, timeoutMs: 30_000 }).then((c) => c.call(0, drsBindStub()));
    await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/ERR_RPC_(FAULT|CLOSED|BIND)/) });
    const sock2 = await connectTcp(dc.ip, 135);
    await expect(RpcClient.bind(sock2, { uuid: '11111111-2222-3333-4444-555555555555', version: 1, minor: 0 })).rejects.toBeInstanceOf(RpcBindError);
  });

  it('binds to the epmapper itself (e1af8308 v3) on 135', async () => {
    const sock = await connectTcp(dc.ip, 135);
    const c = await RpcClient.bind(sock, { uuid: EPM_UUID, version: 3, minor: 0 });
    expect(c.assocGroupId).toBeGreaterThan(0);
    c.close();
  });
});
