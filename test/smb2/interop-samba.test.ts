// Our Smb2Client against Samba's smbd (a server we did not write) on 127.0.0.2: every dialect Samba
// offers, signing, IPC$ + \pipe\winreg with a hand-built DCE/RPC bind, and a file read from a share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Smb2Client } from '../../src/smb2/client.js';
import * as C from '../../src/smb2/constants.js';
import { NtStatusError } from '../../src/smb2/status.js';
import { startSambaRegistry, type SambaRegistry } from '../harness/samba-registry.js';
import { NDR, guidBytes, parseBindAck, winregBind } from './winreg-bind.js';

let samba: SambaRegistry;
const policy = Buffer.concat([Buffer.from('PReg\x01\x00\x00\x00', 'latin1'), Buffer.alloc(300_000).map((_, i) => (i * 7) & 0xff)]);

beforeAll(async () => {
  samba = await startSambaRegistry({ files: { 'hello.txt': 'hello from samba\n', 'Registry.pol': policy } });
});

afterAll(async () => {
  await samba?.stop();
  if (samba) expect(samba.pids()).toEqual([]);
});

const connect = (o: Partial<Parameters<typeof Smb2Client.connect>[0]> = {}) =>
  Smb2Client.connect({ host: samba.ip, user: samba.user, password: samba.password, ...o });

describe('Smb2Client → Samba smbd', () => {
  for (const dialect of C.ALL_DIALECTS) {
    it(`dialect ${C.dialectName(dialect)}, signing required: winreg bind and a file read`, async () => {
      const c = await connect({ dialects: [dialect], signing: 'required' });
      try {
        expect(c.dialect).toBe(dialect);
        expect(c.signed).toBe(true);
        const pipe = await c.openPipe('winreg');
        const ack = parseBindAck(await pipe.transact(winregBind(1)));
        expect(ack.ptype).toBe(12); // bind_ack
        expect(ack.callId).toBe(1);
        expect(ack.secondaryAddress.toLowerCase()).toBe('\\pipe\\winreg');
        expect(ack.assocGroupId).not.toBe(0);
        expect(ack.results).toHaveLength(1);
        expect(ack.results[0]!.result).toBe(0); // acceptance
        expect(ack.results[0]!.transferSyntax.equals(guidBytes(NDR.uuid))).toBe(true);
        expect(ack.results[0]!.transferVersion).toBe(2);
        // the same bind through WRITE + READ on a second pipe instance
        const p2 = await c.openPipe('\\PIPE\\winreg');
        p2.write(winregBind(7));
        const ack2 = parseBindAck(await new Promise<Buffer>((r) => p2.once('data', r)));
        expect([ack2.ptype, ack2.callId, ack2.results[0]!.result]).toEqual([12, 7, 0]);
        pipe.destroy();
        p2.destroy();
        expect((await c.readFile('lab', 'hello.txt')).toString()).toBe('hello from samba\n');
        const pol = await c.readFile('lab', '/Registry.pol');
        expect(pol.equals(policy)).toBe(true);
        await c.echo();
      } finally {
        await c.close();
      }
    });
  }

  for (const dialect of [C.Dialect.SMB300, C.Dialect.SMB302, C.Dialect.SMB311]) {
    it(`dialect ${C.dialectName(dialect)}, encrypted session: winreg bind and a file read`, async () => {
      const c = await connect({ dialects: [dialect], encrypt: true });
      try {
        expect(c.encrypted).toBe(true);
        const pipe = await c.openPipe('winreg');
        const ack = parseBindAck(await pipe.transact(winregBind(2)));
        expect([ack.ptype, ack.callId, ack.results[0]!.result]).toEqual([12, 2, 0]);
        pipe.destroy();
        expect((await c.readFile('lab', 'Registry.pol')).equals(policy)).toBe(true);
      } finally {
        await c.close();
      }
    });
  }

  it('default negotiation picks 3.1.1; unsigned session when nobody requires signing', async () => {
    const c = await connect();
    try {
      expect(c.dialect).toBe(C.Dialect.SMB311);
      expect(c.signed).toBe(false);
      expect((await c.readFile('lab', 'hello.txt')).toString()).toBe('hello from samba\n');
    } finally {
      await c.close();
    }
  });

  it('wrong password: NtStatusError STATUS_LOGON_FAILURE; missing file and share: their statuses', async () => {
    const err = await connect({ password: 'wrong' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NtStatusError);
    expect((err as NtStatusError).statusName).toBe('STATUS_LOGON_FAILURE');
    const c = await connect({ signing: 'required' });
    try {
      const e1 = await c.readFile('lab', 'nope.txt').then(() => null, (e: unknown) => e);
      expect((e1 as NtStatusError).statusName).toBe('STATUS_OBJECT_NAME_NOT_FOUND');
      const e2 = await c.treeConnect('nosuchshare').then(() => null, (e: unknown) => e);
      expect((e2 as NtStatusError).statusName).toBe('STATUS_BAD_NETWORK_NAME');
    } finally {
      await c.close();
    }
  });
});
