// Our Smb2Client against a Samba AD DC (127.0.0.3): a domain logon (LAB\Administrator) on a server that
// requires signing, and readFile of a Group Policy file from SYSVOL, compared with the DC's own copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Smb2Client } from '../../src/smb2/client.js';
import { startSambaDc, type SambaDc } from '../harness/samba-dc.js';

let dc: SambaDc;
/** The Default Domain Policy, which every provisioned domain has. */
const GPO = '{31B2F340-016D-11D2-945F-00C04FB984F9}';

beforeAll(async () => {
  dc = await startSambaDc();
});

afterAll(async () => {
  await dc?.stop();
});

describe('Smb2Client → Samba AD DC', () => {
  it('reads GPT.INI of the Default Domain Policy from SYSVOL, signed, with a domain account', async () => {
    const c = await Smb2Client.connect({ host: dc.ip, user: dc.user, password: dc.password, domain: dc.domain });
    try {
      expect(c.signed).toBe(true); // an AD DC requires signing
      const got = await c.readFile('SYSVOL', `${dc.realm.toLowerCase()}/Policies/${GPO}/GPT.INI`);
      const onDisk = readFileSync(join(dc.baseDir, 'state', 'sysvol', dc.realm.toLowerCase(), 'Policies', GPO, 'GPT.INI'));
      expect(got.equals(onDisk)).toBe(true);
      expect(got.toString('latin1')).toMatch(/\[General\]/);
      const err = await c.readFile('SYSVOL', `${dc.realm.toLowerCase()}/Policies/${GPO}/Machine/nope.pol`).then(() => null, (e: Error) => e);
      expect(err?.name).toBe('NtStatusError');
    } finally {
      await c.close();
    }
  });
});
