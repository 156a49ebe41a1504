// The read-only HIVES disk share of `hivewire serve --files DIR` (in process on 127.0.0.57): a client
// with SeBackupPrivilege reads back what BaseRegSaveKey wrote; nothing can be written, created,
// listed, or reached outside DIR; accounts without the privilege cannot connect.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom } from '../../src/serve/config.js';
import { HIVES_SHARE, startServe, type RunningServer } from '../../src/serve/server.js';
import { Smb2Client } from '../../src/smb2/client.js';
import * as C from '../../src/smb2/constants.js';
import * as M from '../../src/smb2/messages/index.js';
import { NtStatus as S, NtStatusError } from '../../src/smb2/status.js';

const ADDR = '127.0.0.57';
const ADMIN = { user: 'hiveadmin', password: 'H1ve-Adm1n-Pass' };
const READER = { user: 'hivereader', password: 'H1ve-Read3r-Pass' };
let dir: string;
let srv: RunningServer;
const big = Buffer.alloc(300_000).map((_, i) => (i * 7) & 0xff);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hw-hives-share-'));
  const files = join(dir, 'files');
  mkdirSync(join(files, 'sub'), { recursive: true });
  writeFileSync(join(files, 'small.hiv'), 'regf-small');
  writeFileSync(join(files, 'sub', 'big.hiv'), big);
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  symlinkSync(join(dir, 'outside.txt'), join(files, 'link.hiv'));
  srv = await startServe(configFrom({
    listen: [`np:${ADDR}:445`],
    files,
    logLevel: 'error',
    users: [{ name: ADMIN.user, password: ADMIN.password, admin: true }, { name: READER.user, password: READER.password }],
  }), () => {});
});

afterAll(async () => {
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const connect = (who: { user: string; password: string }) => Smb2Client.connect({ host: ADDR, user: who.user, password: who.password, domain: 'HIVEWIRE' });

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    if (err instanceof NtStatusError) return err.status;
    throw err;
  }
}

describe('the HIVES share', () => {
  it('reads whole files, in several READs when large', async () => {
    const c = await connect(ADMIN);
    try {
      expect((await c.readFile(HIVES_SHARE, 'small.hiv')).toString()).toBe('regf-small');
      expect((await c.readFile(HIVES_SHARE, 'sub\\big.hiv')).equals(big)).toBe(true);
      expect((await c.readFile(HIVES_SHARE.toLowerCase(), 'sub/big.hiv')).length).toBe(big.length);
    } finally {
      await c.close();
    }
  });

  it('refuses writes, creation, directories, escapes and links out of the directory', async () => {
    const c = await connect(ADMIN);
    try {
      const tree = await c.treeConnect(HIVES_SHARE);
      expect(tree.shareType).toBe(C.SMB2_SHARE_TYPE_DISK);
      const open = (name: string, access: number, options = C.FILE_NON_DIRECTORY_FILE) => c.create(tree, name, access, C.FILE_SHARE_READ, options);
      expect(await status(open('small.hiv', C.FILE_WRITE_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('small.hiv', C.FILE_READ_DATA | C.FILE_APPEND_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('sub', C.FILE_READ_DATA, C.FILE_DIRECTORY_FILE))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('sub', C.FILE_READ_DATA))).toBe(S.STATUS_FILE_IS_A_DIRECTORY);
      expect(await status(open('missing.hiv', C.FILE_READ_DATA))).toBe(S.STATUS_OBJECT_NAME_NOT_FOUND);
      expect(await status(open('..\\outside.txt', C.FILE_READ_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('sub\\..\\..\\outside.txt', C.FILE_READ_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('small.hiv:stream', C.FILE_READ_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(open('link.hiv', C.FILE_READ_DATA))).toBe(S.STATUS_ACCESS_DENIED);
      // READ past the end, and a zero-length READ inside the file
      const f = await open('small.hiv', C.FILE_READ_DATA);
      const read = (offset: bigint, length: number) => c.request(C.Smb2Command.READ, M.encodeReadRequest({ padding: 80, flags: 0, length, offset, fileId: f.fileId, minimumCount: 0, channel: 0, remainingBytes: 0 }), { treeId: tree.treeId });
      expect(M.decodeReadResponse((await read(5n, 100)).msg).data.toString()).toBe('small');
      expect(M.decodeReadResponse((await read(0n, 0)).msg).data.length).toBe(0);
      expect(await status(read(10n, 1))).toBe(S.STATUS_END_OF_FILE);
      expect(await status(read(1n << 62n, 1))).toBe(S.STATUS_END_OF_FILE);
      await c.closeFile(tree, f.fileId);
    } finally {
      await c.close();
    }
  });

  it('is closed to accounts without SeBackupPrivilege, and unknown shares do not exist', async () => {
    const c = await connect(READER);
    try {
      expect(await status(c.treeConnect(HIVES_SHARE))).toBe(S.STATUS_ACCESS_DENIED);
      expect(await status(c.treeConnect('C$'))).toBe(S.STATUS_BAD_NETWORK_NAME);
    } finally {
      await c.close();
    }
  });
});
