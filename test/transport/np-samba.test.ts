// Our RPC client over an SMB2 named pipe of Samba's standalone server (127.0.0.2, \pipe\winreg):
// bind at each auth level (NTLM and SPNEGO at privacy), OpenLocalMachine (opnum 2) + BaseRegCloseKey
// (opnum 5) with NDR descriptions written here from the MS-RRP IDL (§3.1.5.2, §3.1.5.6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextHandle, operation, ref, u32, unique, wchar } from '../../src/ndr/index.js';
import { ntlmAuth, spnegoAuth } from '../../src/rpc/auth.js';
import type { ClientAuth } from '../../src/rpc/client.js';
import { connectRpc } from '../../src/transport/connect.js';
import { smbPipeOpener } from '../../src/transport/np.js';
import { startSambaRegistry, type SambaRegistry } from '../harness/samba-registry.js';

const WINREG = { uuid: '338cd001-2244-31f1-aaaa-900038001003', version: 1, minor: 0 };
let samba: SambaRegistry;

beforeAll(async () => {
  samba = await startSambaRegistry();
}, 600_000);

afterAll(async () => {
  await samba?.stop();
});

const RPC_HKEY = contextHandle(); // MS-RRP §2.2.1
const OpenLocalMachine = operation(2, { // MS-RRP §3.1.5.2
  in: { ServerName: unique(wchar), samDesired: u32 },
  out: { phKey: ref(RPC_HKEY) },
  returns: u32,
});
const BaseRegCloseKey = operation(5, { // MS-RRP §3.1.5.6
  in: { hKey: ref(RPC_HKEY) },
  out: { hKey: ref(RPC_HKEY) },
  returns: u32,
});
const NULL_KEY = { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' };

async function roundTrip(auth: ClientAuth | undefined): Promise<number> {
  const creds = { user: samba.user, password: samba.password, domain: 'LAB' };
  const c = await connectRpc(`ncacn_np:${samba.ip}[\\pipe\\winreg]`, WINREG, {
    openPipe: smbPipeOpener(creds),
    ...(auth ? { auth } : {}),
    timeoutMs: 30_000,
  });
  try {
    expect(c.secAddr.toLowerCase()).toContain('winreg');
    const opened = OpenLocalMachine.decodeResponse(await c.call(2, OpenLocalMachine.encodeRequest({ ServerName: null, samDesired: 0x02000000 })));
    expect(opened.returns).toBe(0);
    expect(opened.phKey).not.toEqual(NULL_KEY);
    const closed = BaseRegCloseKey.decodeResponse(await c.call(5, BaseRegCloseKey.encodeRequest({ hKey: opened.phKey })));
    expect(closed).toEqual({ hKey: NULL_KEY, returns: 0 });
    return c.authLevel;
  } finally {
    c.close();
  }
}

describe("our client over Samba's \\pipe\\winreg", () => {
  it('OpenLocalMachine + BaseRegCloseKey without RPC auth (the SMB session authenticates)', async () => {
    expect(await roundTrip(undefined)).toBe(0);
  });

  it('connect level: bind accepted, calls refused with access denied (Samba does the same to impacket)', async () => {
    await expect(roundTrip(ntlmAuth({ user: samba.user, domain: 'LAB', password: samba.password }, 2))).rejects.toMatchObject({
      code: 'ERR_RPC_FAULT',
      status: 5,
    });
  });

  for (const level of [5, 6]) {
    it(`OpenLocalMachine + BaseRegCloseKey with NTLM at auth level ${level}`, async () => {
      expect(await roundTrip(ntlmAuth({ user: samba.user, domain: 'LAB', password: samba.password }, level))).toBe(level);
    });
  }

  it('OpenLocalMachine + BaseRegCloseKey with SPNEGO at privacy level', async () => {
    expect(await roundTrip(spnegoAuth({ user: samba.user, domain: 'LAB', password: samba.password }, 6))).toBe(6);
  });
});
