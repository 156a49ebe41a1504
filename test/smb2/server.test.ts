// Smb2Server driven by Smb2Client and by raw frames, on 127.0.0.20 (ephemeral ports).
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Smb2Client } from '../../src/smb2/client.js';
import * as C from '../../src/smb2/constants.js';
import { FrameParser, encodeFrame } from '../../src/smb2/framer.js';
import * as M from '../../src/smb2/messages/index.js';
import type { PipeInfo } from '../../src/smb2/pipe.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { NtStatus, NtStatusError } from '../../src/smb2/status.js';
import { addLoopback, removeLoopback } from '../harness/peers.js';

const IP = '127.0.0.20';
const USER = { user: 'alice', password: 'Wonder.Land1' };

let addedIp = false;
let server: Smb2Server;
let port = 0;
const infos: PipeInfo[] = [];
const ended: string[] = [];
/** Messages the 'big' pipe answers with, by request text. */
const big = Buffer.alloc(100_000).map((_, i) => i & 0xff);

beforeAll(async () => {
  addedIp = addLoopback(IP);
  server = new Smb2Server({ accounts: [{ user: 'alice', password: USER.password }], maxAsyncRequests: 64 });
  server.registerPipe('echo', (pipe, info) => {
    infos.push(info);
    pipe.on('data', (d: Buffer) => pipe.write(Buffer.concat([Buffer.from('re:'), d])));
    pipe.on('end', () => ended.push('echo'));
  });
  server.registerPipe('\\PIPE\\Big', (pipe) => {
    pipe.on('data', () => pipe.write(big));
  });
  server.registerPipe('later', (pipe) => {
    // answers 150 ms late: the READ goes async (STATUS_PENDING interim)
    pipe.on('data', (d: Buffer) => setTimeout(() => pipe.write(d), 150));
  });
  server.registerPipe('deaf', () => {
    // never reads what the client writes
  });
  server.registerPipe('closer', (pipe) => {
    pipe.on('data', (d: Buffer) => pipe.end(d));
  });
  ({ port } = await server.listen(0, IP));
});

afterAll(async () => {
  await server?.close();
  if (addedIp) removeLoopback(IP);
});

const client = (o: Partial<Parameters<typeof Smb2Client.connect>[0]> = {}) =>
  Smb2Client.connect({ host: IP, port, ...USER, ...o });

async function rejectsWith(p: Promise<unknown>, status: number): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(NtStatusError);
  expect((err as NtStatusError).statusName).toBe(Object.entries(NtStatus).find(([, v]) => v === status)![0]);
}

describe('every dialect, signed and unsigned', () => {
  for (const dialect of C.ALL_DIALECTS) {
    for (const signing of ['enabled', 'required'] as const) {
      it(`${C.dialectName(dialect)} signing ${signing}`, async () => {
        const c = await client({ dialects: [dialect], signing });
        try {
          expect(c.dialect).toBe(dialect);
          expect(c.signed).toBe(signing === 'required');
          const p = await c.openPipe('echo');
          expect((await p.transact(Buffer.from('ping'))).toString()).toBe('re:ping');
          p.write(Buffer.from('one'));
          const got = await new Promise<Buffer>((r) => p.once('data', r));
          expect(got.toString()).toBe('re:one');
          await c.echo();
          const info = infos[infos.length - 1]!;
          expect(info.identity.user.toLowerCase()).toBe('alice');
          expect(info.dialect).toBe(dialect);
          expect(info.sessionKey.length).toBe(16);
          expect(info.sessionKey.equals(c.sessionKeys!.sessionKey)).toBe(true);
          expect(info.applicationKey.equals(c.sessionKeys!.applicationKey)).toBe(true);
          p.destroy();
        } finally {
          await c.close();
        }
      });
    }
  }
});

describe('encryption (SMB 3.x TRANSFORM_HEADER)', () => {
  for (const dialect of [C.Dialect.SMB300, C.Dialect.SMB302, C.Dialect.SMB311]) {
    it(`${C.dialectName(dialect)}: a client that asks for encryption gets it`, async () => {
      const c = await client({ dialects: [dialect], encrypt: true });
      try {
        expect(c.encrypted).toBe(true);
        const p = await c.openPipe('big');
        expect((await p.transact(Buffer.from('x'), 4096)).equals(big)).toBe(true); // overflow + READs, all encrypted
        const e = await c.openPipe('echo');
        e.write(Buffer.from('sealed'));
        expect((await new Promise<Buffer>((r) => e.once('data', r))).toString()).toBe('re:sealed');
        p.destroy();
        e.destroy();
      } finally {
        await c.close();
      }
    });
  }

  it("'required': the server flags the session, the client follows; clients that cannot encrypt are refused", async () => {
    const s = new Smb2Server({ accounts: [{ user: 'alice', password: USER.password }], encryption: 'required' });
    s.registerPipe('echo', (pipe) => pipe.on('data', (d: Buffer) => pipe.write(d)));
    const { port: p2 } = await s.listen(0, IP);
    try {
      const c = await Smb2Client.connect({ host: IP, port: p2, ...USER, dialects: [C.Dialect.SMB311] });
      expect(c.encrypted).toBe(true);
      const p = await c.openPipe('echo');
      expect((await p.transact(Buffer.from('ok'))).toString()).toBe('ok');
      // the same session sending in clear text is refused
      (c as unknown as { encrypting: boolean }).encrypting = false;
      await rejectsWith(c.echo(), NtStatus.STATUS_ACCESS_DENIED);
      c.destroy();
      await rejectsWith(Smb2Client.connect({ host: IP, port: p2, ...USER, dialects: [C.Dialect.SMB210] }), NtStatus.STATUS_ACCESS_DENIED);
    } finally {
      await s.close();
    }
  });

  it("'off': not offered, so a client that insists fails; a tampered ciphertext ends the connection", async () => {
    const s = new Smb2Server({ accounts: [{ user: 'alice', password: USER.password }], encryption: 'off' });
    const { port: p2 } = await s.listen(0, IP);
    try {
      const err = await Smb2Client.connect({ host: IP, port: p2, ...USER, encrypt: true }).then(() => null, (e: unknown) => e);
      expect((err as Error).name).toBe('Smb2ConnectionError');
    } finally {
      await s.close();
    }
    const c = await client({ encrypt: true });
    const internal = c as unknown as { keys: { c2sKey: Buffer } };
    internal.keys.c2sKey = Buffer.alloc(16, 7); // the server's decryption fails
    const e2 = await c.echo().then(() => null, (e: unknown) => e);
    expect((e2 as Error).name).toBe('Smb2ConnectionError');
    c.destroy();
  });
});

describe('sessions and trees', () => {
  it('wrong password: STATUS_LOGON_FAILURE', async () => {
    await rejectsWith(client({ password: 'nope' }), NtStatus.STATUS_LOGON_FAILURE);
  });

  it('anonymous: refused unless allowed; when allowed the pipe sees an anonymous identity and nothing is signed', async () => {
    await rejectsWith(client({ user: '', password: '' }), NtStatus.STATUS_LOGON_FAILURE);
    const s = new Smb2Server({ accounts: [], allowAnonymous: true, signing: 'required' });
    let who: PipeInfo | null = null;
    s.registerPipe('echo', (pipe, info) => {
      who = info;
      pipe.on('data', (d: Buffer) => pipe.write(d));
    });
    const { port: p2 } = await s.listen(0, IP);
    try {
      const c = await Smb2Client.connect({ host: IP, port: p2, user: '' });
      expect(c.signed).toBe(false);
      const p = await c.openPipe('echo');
      expect((await p.transact(Buffer.from('anon'))).toString()).toBe('anon');
      expect(who!.identity.anonymous).toBe(true);
      p.destroy();
      await c.close();
    } finally {
      await s.close();
    }
  });

  it('a share other than IPC$: STATUS_BAD_NETWORK_NAME; unknown pipe: STATUS_OBJECT_NAME_NOT_FOUND', async () => {
    const c = await client();
    try {
      await rejectsWith(c.treeConnect('C$'), NtStatus.STATUS_BAD_NETWORK_NAME);
      await rejectsWith(c.readFile('data', 'x.txt'), NtStatus.STATUS_BAD_NETWORK_NAME);
      await rejectsWith(c.openPipe('nosuchpipe'), NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
      const p = await c.openPipe('\\pipe\\ECHO'); // case-insensitive, prefix allowed
      p.destroy();
    } finally {
      await c.close();
    }
  });

  it('signing required: unsigned and forged requests get STATUS_ACCESS_DENIED', async () => {
    const c = await client({ signing: 'required' });
    try {
      const internal = c as unknown as { signing: boolean; keys: { signingKey: Buffer } };
      internal.signing = false;
      await rejectsWith(c.echo(), NtStatus.STATUS_ACCESS_DENIED);
      internal.signing = true;
      const real = internal.keys.signingKey;
      internal.keys.signingKey = Buffer.alloc(16, 9);
      await rejectsWith(c.echo(), NtStatus.STATUS_ACCESS_DENIED);
      internal.keys.signingKey = real;
      await c.echo();
    } finally {
      await c.close();
    }
  });

  it('closing the file, the tree, the session or the connection ends the pipe Duplex', async () => {
    const c = await client();
    const endedBefore = ended.length;
    const p1 = await c.openPipe('echo');
    await p1.transact(Buffer.from('a'));
    p1.destroy();
    const p2 = await c.openPipe('echo');
    await p2.transact(Buffer.from('b'));
    await c.treeDisconnect((await c.treeConnect('IPC$')));
    const p3 = await c.openPipe('echo');
    await p3.transact(Buffer.from('c'));
    await c.logoff();
    c.destroy();
    const c2 = await client();
    const p4 = await c2.openPipe('echo');
    await p4.transact(Buffer.from('d'));
    c2.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(ended.length - endedBefore).toBe(4);
  });
});

describe('pipe semantics', () => {
  it('a message larger than the READ: STATUS_BUFFER_OVERFLOW, then the rest', async () => {
    const c = await client();
    try {
      const p = await c.openPipe('big');
      // transact: first 1024 bytes with BUFFER_OVERFLOW, the client READs the rest into one message
      const whole = await p.transact(Buffer.from('go'), 1024);
      expect(whole.equals(big)).toBe(true);
      // by hand: READ 10 bytes of the next message
      p.write(Buffer.from('again'));
      await new Promise((r) => setTimeout(r, 20));
      const tree = await c.treeConnect('IPC$');
      const res = await c.request(C.Smb2Command.READ, M.encodeReadRequest({ padding: 80, flags: 0, length: 10, offset: 0n, fileId: p.fileId, minimumCount: 0, channel: 0, remainingBytes: 0 }),
        { treeId: tree.treeId, ok: [NtStatus.STATUS_BUFFER_OVERFLOW] });
      expect(res.hdr.status).toBe(NtStatus.STATUS_BUFFER_OVERFLOW);
      expect(M.decodeReadResponse(res.msg).data.equals(big.subarray(0, 10))).toBe(true);
      // the readable side reads the remainder as one message
      const rest = await new Promise<Buffer>((r) => p.once('data', r));
      expect(rest.equals(big.subarray(10))).toBe(true);
      p.destroy();
    } finally {
      await c.close();
    }
  });

  it('a READ that waits goes async and completes; CANCEL ends a waiting READ', async () => {
    const c = await client({ signing: 'required' });
    try {
      const p = await c.openPipe('later');
      const t0 = Date.now();
      expect((await p.transact(Buffer.from('slow'))).toString()).toBe('slow');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      const tree = await c.treeConnect('IPC$');
      for (const wait of [0, 60]) {
        let id = -1n;
        const read = c.request(C.Smb2Command.READ, M.encodeReadRequest({ padding: 80, flags: 0, length: 100, offset: 0n, fileId: p.fileId, minimumCount: 0, channel: 0, remainingBytes: 0 }),
          { treeId: tree.treeId, timeout: false, onMessageId: (m) => (id = m) });
        await new Promise((r) => setTimeout(r, wait)); // 0: cancel by MessageId; 60: after the interim, by AsyncId
        c.cancel(id);
        await rejectsWith(read, NtStatus.STATUS_CANCELLED);
      }
      p.destroy();
    } finally {
      await c.close();
    }
  });

  it('after the RPC side ends, reads get STATUS_PIPE_BROKEN and the readable side ends', async () => {
    const c = await client();
    try {
      const p = await c.openPipe('closer');
      p.write(Buffer.from('bye'));
      const chunks: string[] = [];
      p.on('data', (d: Buffer) => chunks.push(d.toString()));
      await new Promise((r) => p.once('end', r));
      expect(chunks).toEqual(['bye']);
    } finally {
      await c.close();
    }
  });

  it('QUERY_INFO pipe information and SET_INFO message mode', async () => {
    const c = await client();
    try {
      const p = await c.openPipe('echo');
      const tree = await c.treeConnect('IPC$');
      const q = async (cls: number) => M.decodeQueryInfoResponse((await c.request(C.Smb2Command.QUERY_INFO,
        M.encodeQueryInfoRequest({ infoType: C.SMB2_0_INFO_FILE, fileInfoClass: cls, outputBufferLength: 1024, input: Buffer.alloc(0), additionalInformation: 0, flags: 0, fileId: p.fileId }),
        { treeId: tree.treeId })).msg);
      expect(M.decodeFilePipeInformation(await q(C.FilePipeInformation))).toEqual({ readMode: 1, completionMode: 0 });
      expect(M.decodeFilePipeLocalInformation(await q(C.FilePipeLocalInformation))).toMatchObject({ namedPipeType: 1, namedPipeState: 3, namedPipeEnd: 1 });
      expect(M.decodeFileStandardInformation(await q(C.FileStandardInformation))).toMatchObject({ numberOfLinks: 1, directory: false });
      await rejectsWith(q(C.FileBasicInformation), NtStatus.STATUS_INVALID_INFO_CLASS);
      await c.request(C.Smb2Command.SET_INFO, M.encodeSetInfoRequest({ infoType: 1, fileInfoClass: C.FilePipeInformation, buffer: M.encodeFilePipeInformation({ readMode: 1, completionMode: 0 }), additionalInformation: 0, fileId: p.fileId }), { treeId: tree.treeId });
      p.destroy();
    } finally {
      await c.close();
    }
  });

  it('compound: related CREATE + WRITE + READ + CLOSE, and unrelated ECHO + ECHO', async () => {
    for (const signing of ['enabled', 'required'] as const) {
      const c = await client({ signing, dialects: [C.Dialect.SMB311] });
      try {
        const tree = await c.treeConnect('IPC$');
        const F = C.RELATED_FILE_ID;
        const rs = await c.requestCompound([
          { command: C.Smb2Command.CREATE, treeId: tree.treeId, body: M.encodeCreateRequest({ securityFlags: 0, requestedOplockLevel: 0, impersonationLevel: 2, smbCreateFlags: 0n, desiredAccess: 0x12019f, fileAttributes: 0, shareAccess: 3, createDisposition: 1, createOptions: 0x40, name: 'echo', createContexts: Buffer.alloc(0) }) },
          { command: C.Smb2Command.WRITE, body: M.encodeWriteRequest({ offset: 0n, fileId: F, channel: 0, remainingBytes: 0, flags: 0, data: Buffer.from('compound') }) },
          { command: C.Smb2Command.READ, body: M.encodeReadRequest({ padding: 80, flags: 0, length: 1000, offset: 0n, fileId: F, minimumCount: 0, channel: 0, remainingBytes: 0 }) },
        ], true);
        for (const r of rs) expect(r).not.toBeInstanceOf(Error);
        const read = rs[2] as { msg: Buffer };
        expect(M.decodeReadResponse(read.msg).data.toString()).toBe('re:compound');
        const fileId = M.decodeCreateResponse((rs[0] as { msg: Buffer }).msg).fileId;
        await c.closeFile(tree, Buffer.from(fileId));
        const echoes = await c.requestCompound([{ command: C.Smb2Command.ECHO, body: M.encodeEcho() }, { command: C.Smb2Command.ECHO, body: M.encodeEcho() }], false);
        expect(echoes.every((e) => !(e instanceof Error))).toBe(true);
        // a related chain whose CREATE fails fails as a whole
        const bad = await c.requestCompound([
          { command: C.Smb2Command.CREATE, treeId: tree.treeId, body: M.encodeCreateRequest({ securityFlags: 0, requestedOplockLevel: 0, impersonationLevel: 2, smbCreateFlags: 0n, desiredAccess: 0x12019f, fileAttributes: 0, shareAccess: 3, createDisposition: 1, createOptions: 0x40, name: 'missing', createContexts: Buffer.alloc(0) }) },
          { command: C.Smb2Command.CLOSE, body: M.encodeCloseRequest({ flags: 0, fileId: F }) },
        ], true);
        expect(bad.map((e) => (e as NtStatusError).statusName)).toEqual(['STATUS_OBJECT_NAME_NOT_FOUND', 'STATUS_OBJECT_NAME_NOT_FOUND']);
      } finally {
        await c.close();
      }
    }
  });

  it('many requests in flight on many pipes: all answered, credits never run out', async () => {
    const c = await client({ signing: 'required' });
    try {
      const pipes = await Promise.all(Array.from({ length: 20 }, () => c.openPipe('echo')));
      const replies = await Promise.all(Array.from({ length: 600 }, (_, i) => pipes[i % 20]!.transact(Buffer.from(`m${i}`))));
      expect(replies.map((r) => r.toString())).toEqual(Array.from({ length: 600 }, (_, i) => `re:m${i}`));
      for (const p of pipes) p.destroy();
    } finally {
      await c.close();
    }
  });
});

/** A bare connection for sending hand-made frames. */
class Raw {
  readonly socket: Socket;
  readonly frames: Buffer[] = [];
  private readonly parser = new FrameParser();
  closed = false;
  private waiting: (() => void) | null = null;
  constructor() {
    this.socket = connect({ host: IP, port });
    this.socket.on('data', (d) => this.parser.parse(d, (f) => {
      this.frames.push(Buffer.from(f));
      this.waiting?.();
    }));
    this.socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    this.socket.on('error', () => {});
  }
  ready(): Promise<void> {
    return new Promise((r) => this.socket.once('connect', () => r()));
  }
  send(payload: Buffer): void {
    this.socket.write(encodeFrame(payload));
  }
  async next(timeoutMs = 2000): Promise<Buffer | null> {
    const end = Date.now() + timeoutMs;
    while (!this.frames.length && !this.closed && Date.now() < end) {
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 50);
      });
    }
    return this.frames.shift() ?? null;
  }
  async closedWithin(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.closed && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }
}

const negotiateBody = (dialects: number[]) => M.encodeNegotiateRequest({
  securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16, 1), dialects,
  negotiateContexts: dialects.includes(0x311) ? [M.encodePreauthIntegrity({ hashAlgorithms: [1], salt: Buffer.alloc(32) })] : [],
});

describe('negotiation details', () => {
  it('SMB1 multi-protocol negotiate → 0x02FF, then the SMB2 NEGOTIATE with MessageId 1', async () => {
    const r = new Raw();
    await r.ready();
    r.send(M.encodeSmb1Negotiate({ dialects: ['NT LM 0.12', 'SMB 2.002', 'SMB 2.???'] }));
    const first = M.decodeNegotiateResponse((await r.next())!);
    expect(first.dialectRevision).toBe(C.Dialect.SMB2_WILDCARD);
    expect(first.securityBuffer[0]).toBe(0x60);
    r.send(M.encodeMessage(M.header({ command: 0, messageId: 1n, credits: 1 }), negotiateBody([0x202, 0x210, 0x300])));
    const resp = (await r.next())!;
    expect(M.decodeHeader(resp).messageId).toBe(1n);
    expect(M.decodeNegotiateResponse(resp).dialectRevision).toBe(C.Dialect.SMB300);
    r.socket.destroy();
  });

  it('SMB1 negotiate offering only "SMB 2.002" → dialect 0x0202 at once; without SMB2 strings → disconnect', async () => {
    const r = new Raw();
    await r.ready();
    r.send(M.encodeSmb1Negotiate({ dialects: ['NT LM 0.12', 'SMB 2.002'] }));
    expect(M.decodeNegotiateResponse((await r.next())!).dialectRevision).toBe(C.Dialect.SMB202);
    r.socket.destroy();
    const r2 = new Raw();
    await r2.ready();
    r2.send(M.encodeSmb1Negotiate({ dialects: ['NT LM 0.12'] }));
    expect(await r2.closedWithin(2000)).toBe(true);
  });

  it('3.1.1 without preauth context: STATUS_INVALID_PARAMETER; no common dialect: STATUS_NOT_SUPPORTED', async () => {
    const r = new Raw();
    await r.ready();
    r.send(M.encodeMessage(M.header({ command: 0, credits: 1 }), M.encodeNegotiateRequest({ securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16), dialects: [0x311], negotiateContexts: [] })));
    expect(M.decodeHeader((await r.next())!).status).toBe(NtStatus.STATUS_INVALID_PARAMETER);
    r.socket.destroy();
    const r2 = new Raw();
    await r2.ready();
    r2.send(M.encodeMessage(M.header({ command: 0, credits: 1 }), negotiateBody([0x222])));
    expect(M.decodeHeader((await r2.next())!).status).toBe(NtStatus.STATUS_NOT_SUPPORTED);
    r2.socket.destroy();
  });

  it('a request before NEGOTIATE, or a MessageId outside the credit window, ends the connection', async () => {
    const r = new Raw();
    await r.ready();
    r.send(M.encodeMessage(M.header({ command: C.Smb2Command.ECHO }), M.encodeEcho()));
    expect(await r.closedWithin(2000)).toBe(true);
    const r2 = new Raw();
    await r2.ready();
    r2.send(M.encodeMessage(M.header({ command: 0, credits: 1 }), negotiateBody([0x210])));
    expect(M.decodeHeader((await r2.next())!).credits).toBeGreaterThanOrEqual(1);
    r2.send(M.encodeMessage(M.header({ command: C.Smb2Command.ECHO, messageId: 1000n }), M.encodeEcho()));
    expect(await r2.closedWithin(2000)).toBe(true);
  });
});

describe('malicious clients do not take the server down', () => {
  async function stillServing(): Promise<void> {
    const c = await client();
    const p = await c.openPipe('echo');
    expect((await p.transact(Buffer.from('alive'))).toString()).toBe('re:alive');
    p.destroy();
    await c.close();
  }

  it('garbage, a huge length prefix, a bad first byte, bad headers: that connection only is dropped', async () => {
    const watcher = await client();
    const wp = await watcher.openPipe('echo');
    const attacks: Buffer[] = [
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      Buffer.from([0x00, 0xff, 0xff, 0xff, 1, 2, 3]),
      Buffer.from([0x85, 0, 0, 0]),
      encodeFrame(Buffer.alloc(64, 0x41)),
      encodeFrame(Buffer.from([0xfe, 0x53, 0x4d, 0x42])),
    ];
    for (const a of attacks) {
      const r = new Raw();
      await r.ready();
      r.socket.write(a);
      expect(await r.closedWithin(2000)).toBe(true);
      expect((await wp.transact(Buffer.from('x'))).toString()).toBe('re:x');
    }
    wp.destroy();
    await watcher.close();
    await stillServing();
  });

  it('half a frame then silence is cut after partialFrameTimeoutMs; others keep being served', async () => {
    const s = new Smb2Server({ accounts: [{ user: 'alice', password: USER.password }], partialFrameTimeoutMs: 300 });
    const { port: p2 } = await s.listen(0, IP);
    try {
      const sock = connect({ host: IP, port: p2 });
      sock.on('error', () => {});
      await new Promise((r) => sock.once('connect', r));
      sock.write(Buffer.from([0, 0, 1, 0, 0xfe, 0x53]));
      const t0 = Date.now();
      await new Promise((r) => sock.once('close', r));
      expect(Date.now() - t0).toBeLessThan(3000);
      await new Promise((r) => setTimeout(r, 50));
      expect(s.connectionCount).toBe(0);
    } finally {
      await s.close();
    }
    await stillServing();
  });

  it('writes the RPC side never reads are bounded (STATUS_INSUFFICIENT_RESOURCES), others are unaffected', async () => {
    const c = await client();
    try {
      const p = await c.openPipe('deaf');
      const tree = await c.treeConnect('IPC$');
      const mb = Buffer.alloc(1024 * 1024, 1);
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) {
        outcomes.push(await c.request(C.Smb2Command.WRITE, M.encodeWriteRequest({ offset: 0n, fileId: p.fileId, channel: 0, remainingBytes: 0, flags: 0, data: mb }),
          { treeId: tree.treeId, creditCharge: 16 }).then(() => 'ok', (e: NtStatusError) => e.statusName));
      }
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'STATUS_INSUFFICIENT_RESOURCES', 'STATUS_INSUFFICIENT_RESOURCES']);
      const e = await c.openPipe('echo');
      expect((await e.transact(Buffer.from('fine'))).toString()).toBe('re:fine');
    } finally {
      await c.close();
    }
  });

  it('an idle connection is closed after idleTimeoutMs (its pipes end)', async () => {
    const s = new Smb2Server({ accounts: [{ user: 'alice', password: USER.password }], idleTimeoutMs: 400 });
    let pipeEnded = false;
    s.registerPipe('echo', (pipe) => {
      pipe.on('data', (d: Buffer) => pipe.write(d));
      pipe.on('end', () => (pipeEnded = true));
      pipe.resume();
    });
    const { port: p2 } = await s.listen(0, IP);
    try {
      const c = await Smb2Client.connect({ host: IP, port: p2, ...USER });
      const p = await c.openPipe('echo');
      await p.transact(Buffer.from('x'));
      await c.echo();
      await new Promise((r) => setTimeout(r, 900));
      const err = await c.echo().then(() => null, (e: unknown) => e);
      expect((err as Error).name).toBe('Smb2ConnectionError');
      expect(pipeEnded).toBe(true);
      expect(s.connectionCount).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('thousands of outstanding requests: waiting READs beyond the limit are refused, a 5000-ECHO burst is answered, a reused MessageId ends that connection', async () => {
    const c = await client();
    const p = await c.openPipe('later');
    const tree = await c.treeConnect('IPC$');
    const reads = Array.from({ length: 300 }, () => c.request(C.Smb2Command.READ,
      M.encodeReadRequest({ padding: 80, flags: 0, length: 100, offset: 0n, fileId: p.fileId, minimumCount: 0, channel: 0, remainingBytes: 0 }),
      { treeId: tree.treeId, timeout: false }).then(() => 'ok', (e: NtStatusError) => e.statusName));
    await new Promise((r) => setTimeout(r, 300));
    await stillServing();
    c.destroy();
    const outcomes = await Promise.all(reads);
    // 64 may wait (maxAsyncRequests), the rest are refused at once
    expect(outcomes.filter((o) => o === 'STATUS_INSUFFICIENT_RESOURCES').length).toBeGreaterThanOrEqual(300 - 64);

    // a raw client firing 5000 ECHOs at once: answered in order while another client is served
    const r = new Raw();
    await r.ready();
    r.send(M.encodeMessage(M.header({ command: 0, credits: 1 }), negotiateBody([0x210])));
    await r.next();
    const flood = Buffer.concat(Array.from({ length: 5000 }, (_, i) => encodeFrame(M.encodeMessage(M.header({ command: C.Smb2Command.ECHO, messageId: BigInt(i + 1), creditCharge: 1 }), M.encodeEcho()))));
    r.socket.write(flood);
    await stillServing();
    let answered = 0;
    while (answered < 5000 && (await r.next(3000))) answered++;
    expect(answered).toBe(5000);
    // ...and the same MessageId twice ends that connection
    r.send(M.encodeMessage(M.header({ command: C.Smb2Command.ECHO, messageId: 7n }), M.encodeEcho()));
    expect(await r.closedWithin(3000)).toBe(true);
    await stillServing();
  });
});
