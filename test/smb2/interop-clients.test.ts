// Third-party SMB clients against our Smb2Server on 127.0.0.20:445: impacket's SMBConnection (Python)
// and Samba's smbclient. Signing is required by the server, so every request they send is checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as C from '../../src/smb2/constants.js';
import type { PipeInfo } from '../../src/smb2/pipe.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { addLoopback, ensurePackages, portOpen, removeLoopback, run, runPython } from '../harness/peers.js';
import { parseBindAck, winregBind } from './winreg-bind.js';

const IP = '127.0.0.20';
const USER = 'alice';
const PASS = 'Wonder.Land1';
let addedIp = false;
let server: Smb2Server;
const seen: PipeInfo[] = [];

beforeAll(async () => {
  ensurePackages(['python3-impacket', 'smbclient']);
  addedIp = addLoopback(IP);
  if (await portOpen(IP, 445)) throw new Error(`${IP}:445 is already taken`);
  server = new Smb2Server({ accounts: [{ user: USER, password: PASS }], signing: 'required', serverName: 'HIVEWIRE', domain: 'WORKGROUP' });
  server.registerPipe('echo', (pipe, info) => {
    seen.push(info);
    pipe.on('data', (d: Buffer) => pipe.write(Buffer.concat([Buffer.from('re:'), d])));
  });
  // answers a DCE/RPC bind the way an RPC server would, to check the bytes survive both directions
  server.registerPipe('winreg', (pipe) => {
    pipe.on('data', (d: Buffer) => pipe.write(Buffer.concat([Buffer.from([5, 0, 12]), d.subarray(3)])));
  });
  await server.listen(445, IP);
});

afterAll(async () => {
  await server?.close();
  if (addedIp) removeLoopback(IP);
});

// impacket: login with NTLM, IPC$, open the echo pipe, write/read and a transceive
const IMPACKET = `
import sys, json
from impacket.smbconnection import SMBConnection
from impacket import smb3structs as s3
ip, user, pw, dialect = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
pref = None if dialect == 'default' else int(dialect, 16)
c = SMBConnection(ip, ip, preferredDialect=pref, timeout=10)
c.login(user, pw)
out = {'dialect': c.getDialect(), 'signing': c.isSigningRequired()}
tid = c.connectTree('IPC$')
fid = c.openFile(tid, '\\\\echo', desiredAccess=s3.FILE_READ_DATA | s3.FILE_WRITE_DATA, creationOption=0x40)
c.writeFile(tid, fid, b'written')
out['read'] = c.readFile(tid, fid).decode()
out['transceive'] = c.getSMBServer().TransactNamedPipe(tid, fid, b'transceived').decode()
c.closeFile(tid, fid)
try:
    c.connectTree('C$')
    out['c'] = 'connected'
except Exception as e:
    out['c'] = str(e)
try:
    c.openFile(tid, '\\\\nosuchpipe')
    out['nopipe'] = 'opened'
except Exception as e:
    out['nopipe'] = str(e)
c.disconnectTree(tid)
c.logoff()
print(json.dumps(out))
`;

describe('impacket SMBConnection → our server', () => {
  // impacket 0.10's SMBConnection offers no way to ask for 3.0.2 or 3.1.1
  for (const dialect of ['default', '0x0202', '0x0210', '0x0300']) {
    it(`dialect ${dialect}: NTLM login, IPC$, pipe write/read/transceive, signing required`, async () => {
      const before = seen.length;
      const r = await runPython(IMPACKET, [IP, USER, PASS, dialect], { timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      const want = dialect === 'default' ? undefined : Number(dialect);
      if (want !== undefined) expect(out.dialect).toBe(want);
      else expect(out.dialect).toBe(C.Dialect.SMB300);
      expect(out.signing).toBe(true);
      expect(out.read).toBe('re:written');
      expect(out.transceive).toBe('re:transceived');
      expect(out.c).toMatch(/STATUS_BAD_NETWORK_NAME/);
      expect(out.nopipe).toMatch(/STATUS_OBJECT_NAME_NOT_FOUND/);
      expect(seen.length).toBe(before + 1);
      expect(seen[seen.length - 1]!.identity.user.toLowerCase()).toBe(USER);
    });
  }

  it('wrong password: STATUS_LOGON_FAILURE', async () => {
    const r = await runPython(`
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection(sys.argv[1], sys.argv[1], timeout=10)
try:
    c.login('alice', 'wrong')
    print('logged in')
except Exception as e:
    print(e)
`, [IP]);
    expect(r.stdout).toMatch(/STATUS_LOGON_FAILURE/);
  });
});

describe('smbclient → our server', () => {
  const smbclient = (args: string[]) => run('smbclient', ['-s', '/dev/null', `//${IP}/IPC$`, '-p', '445', ...args], { timeoutMs: 60_000 });

  for (const proto of ['SMB3', 'SMB2', 'SMB3_00']) {
    it(`-m ${proto} -c exit succeeds`, async () => {
      const r = await smbclient(['-U', `${USER}%${PASS}`, '-m', proto, '-c', 'exit']);
      expect(r.stderr + r.stdout).not.toMatch(/NT_STATUS/);
      expect(r.code).toBe(0);
    });
  }

  for (const proto of ['SMB3', 'SMB3_00']) {
    it(`-m ${proto} --client-protection=encrypt: an encrypted session`, async () => {
      const r = await smbclient(['-U', `${USER}%${PASS}`, '-m', proto, '--client-protection=encrypt', '-c', 'exit']);
      expect(r.stderr + r.stdout).not.toMatch(/NT_STATUS|failing/);
      expect(r.code).toBe(0);
    });
  }

  it("against a server with encryption 'required' (127.0.0.21): SMB3 encrypts, SMB2 is refused", async () => {
    const ip2 = '127.0.0.21';
    const added = addLoopback(ip2);
    const s2 = new Smb2Server({ accounts: [{ user: USER, password: PASS }], encryption: 'required', domain: 'WORKGROUP' });
    try {
      await s2.listen(445, ip2);
      const base = ['-s', '/dev/null', `//${ip2}/IPC$`, '-p', '445', '-U', `${USER}%${PASS}`, '-c', 'exit'];
      const ok = await run('smbclient', [...base, '-m', 'SMB3'], { timeoutMs: 60_000 });
      expect(ok.code).toBe(0);
      const refused = await run('smbclient', [...base, '-m', 'SMB2'], { timeoutMs: 60_000 });
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/NT_STATUS_ACCESS_DENIED/);
    } finally {
      await s2.close();
      if (added) removeLoopback(ip2);
    }
  });

  it('SMB1 multi-protocol negotiate first (client min protocol = NT1), then SMB2', async () => {
    const r = await smbclient(['-U', `${USER}%${PASS}`, '--option=client min protocol=NT1', '-m', 'SMB3', '-c', 'exit']);
    expect(r.stderr + r.stdout).not.toMatch(/NT_STATUS/);
    expect(r.code).toBe(0);
  });

  it('wrong password: NT_STATUS_LOGON_FAILURE', async () => {
    const r = await smbclient(['-U', `${USER}%wrong`, '-m', 'SMB3', '-c', 'exit']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/NT_STATUS_LOGON_FAILURE/);
  });

  it('a bind PDU through our pipe comes back intact (hand-built DCE/RPC over impacket)', async () => {
    const r = await runPython(`
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection(sys.argv[1], sys.argv[1], timeout=10)
c.login('alice', sys.argv[2])
tid = c.connectTree('IPC$')
fid = c.openFile(tid, '\\\\winreg', creationOption=0x40)
sys.stdout.write(c.getSMBServer().TransactNamedPipe(tid, fid, bytes.fromhex(sys.argv[3])).hex())
`, [IP, PASS, winregBind(3).toString('hex')]);
    expect(r.stderr).toBe('');
    const back = Buffer.from(r.stdout, 'hex');
    expect(back[2]).toBe(12);
    expect(parseBindAck(back).callId).toBe(3);
  });
});
