// The client pipe's transceive mode (FSCTL_PIPE_TRANSCEIVE per write, answers as a byte stream) against
// our own SMB2 server on 127.0.0.67: many writes in flight, answers written as several messages,
// answers longer than one output buffer, writes that get no answer, and closing with reads waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Smb2Client, type RequestOptions, type Response } from '../../src/smb2/client.js';
import { Smb2Pipe } from '../../src/smb2/client-pipe.js';
import * as C from '../../src/smb2/constants.js';
import * as M from '../../src/smb2/messages/index.js';
import { NtStatus, NtStatusError } from '../../src/smb2/status.js';
import { Smb2Server } from '../../src/smb2/server.js';
import { addLoopback, removeLoopback } from '../harness/peers.js';

const IP = '127.0.0.67';
const USER = { user: 'alice', password: 'Pipe-Test-1' };
let server: Smb2Server;
let port = 0;
let addedIp = false;

/** The bytes the 'answers' pipe writes for one request: `count` messages of `size` bytes, tagged. */
function answer(tag: number, count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, m) => Buffer.from(Array.from({ length: size }, (_, i) => (tag * 31 + m * 7 + i) & 0xff)));
}

beforeAll(async () => {
  addedIp = addLoopback(IP);
  server = new Smb2Server({ accounts: [{ user: USER.user, password: USER.password }] });
  // request: u16 tag, u16 message count, u32 message size; count 0 = no answer at all
  server.registerPipe('answers', (pipe) => {
    pipe.on('data', (d: Buffer) => {
      for (const m of answer(d.readUInt16LE(0), d.readUInt16LE(2), d.readUInt32LE(4))) pipe.write(m);
    });
  });
  ({ port } = await server.listen(0, IP));
});

afterAll(async () => {
  await server?.close();
  if (addedIp) removeLoopback(IP);
});

const req = (tag: number, count: number, size: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(count, 2);
  b.writeUInt32LE(size, 4);
  return b;
};

/** Collects the pipe's bytes until `n` have come (or fails after 10 s). */
function collect(pipe: Smb2Pipe, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got} of ${n} bytes came`)), 10_000);
    pipe.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        clearTimeout(timer);
        resolve(Buffer.concat(parts));
      }
    });
  });
}

/** Closes the pipe (cancelling its waiting reads), then the SMB2 connection. */
async function shut(smb: Smb2Client, pipe: Smb2Pipe): Promise<void> {
  if (!pipe.destroyed) {
    const closed = new Promise<void>((resolve) => pipe.once('close', () => resolve()));
    pipe.destroy();
    await closed;
  }
  await smb.close();
}

async function open(): Promise<{ smb: Smb2Client; pipe: Smb2Pipe }> {
  const smb = await Smb2Client.connect({ host: IP, port, ...USER });
  return { smb, pipe: await smb.openPipe('answers', { transceive: true }) };
}

describe('Smb2Pipe in transceive mode', () => {
  it('keeps many writes in flight and delivers every answer byte in the order the server wrote them', async () => {
    const { smb, pipe } = await open();
    try {
      const expected = Buffer.concat(Array.from({ length: 40 }, (_, t) => answer(t, 1, 100 + t)).flat());
      const done = collect(pipe, expected.length);
      for (let t = 0; t < 40; t++) pipe.write(req(t, 1, 100 + t));
      expect((await done).equals(expected)).toBe(true);
    } finally {
      await shut(smb, pipe);
    }
  });

  it('reads answers written as several messages, and answers longer than one output buffer', async () => {
    const { smb, pipe } = await open();
    try {
      // 5 messages for one write (as RPC fragments are), then one message of 150,000 bytes (> 64 KiB)
      const expected = Buffer.concat([...answer(1, 5, 3000), ...answer(2, 1, 150_000)]);
      const done = collect(pipe, expected.length);
      pipe.write(req(1, 5, 3000));
      pipe.write(req(2, 1, 150_000));
      expect((await done).equals(expected)).toBe(true);
    } finally {
      await shut(smb, pipe);
    }
  });

  it('a write with no answer leaves its read for the next answer; closing cancels the reads still waiting', async () => {
    const { smb, pipe } = await open();
    try {
      const expected = Buffer.concat(answer(3, 1, 64));
      const done = collect(pipe, expected.length);
      pipe.write(req(9, 0, 0)); // no answer
      pipe.write(req(3, 1, 64));
      expect((await done).equals(expected)).toBe(true);
      // reads are waiting (the one of the unanswered write, at least): closing must not hang or throw
      await shut(smb, pipe);
      expect(pipe.destroyed).toBe(true);
    } finally {
      await smb.close();
    }
  });

  it('without transceive the pipe stays message mode: one data event per message', async () => {
    const smb = await Smb2Client.connect({ host: IP, port, ...USER });
    const pipe = await smb.openPipe('answers');
    try {
      const got: number[] = [];
      const done = new Promise<void>((resolve) => pipe.on('data', (d: Buffer) => got.push(d.length) === 3 && resolve()));
      pipe.write(req(4, 3, 500));
      await done;
      expect(got).toEqual([500, 500, 500]);
    } finally {
      await shut(smb, pipe);
    }
  });
});

describe('Smb2Pipe when the server refuses TRANSCEIVE', () => {
  it('sends the refused message again as a WRITE and goes on with WRITE + READ', async () => {
    // a server whose pipe says STATUS_PIPE_BUSY to every TRANSCEIVE and echoes WRITEs through READs
    const answers: Buffer[] = [];
    const readers: Array<(r: Response) => void> = [];
    const seen: string[] = [];
    let nextId = 1n;
    const readResponse = (data: Buffer): Response => {
      const msg = M.encodeMessage(M.header({ command: C.Smb2Command.READ }), M.encodeReadResponse({ data, dataRemaining: 0 }));
      return { hdr: M.decodeHeader(msg), msg };
    };
    const serve = () => {
      while (answers.length && readers.length) readers.shift()!(readResponse(answers.shift()!));
    };
    const fake = {
      maxReadSize: 65536,
      cancel: () => undefined,
      closeFile: async () => undefined,
      request: async (command: number, body: Buffer, o: RequestOptions = {}): Promise<Response> => {
        o.onMessageId?.(nextId++);
        seen.push(command === C.Smb2Command.IOCTL ? 'IOCTL' : command === C.Smb2Command.WRITE ? 'WRITE' : command === C.Smb2Command.READ ? 'READ' : String(command));
        if (command === C.Smb2Command.IOCTL) throw new NtStatusError(NtStatus.STATUS_PIPE_BUSY, 'IOCTL');
        if (command === C.Smb2Command.WRITE) {
          const data = M.decodeWriteRequest(M.encodeMessage(M.header({ command }), body)).data;
          answers.push(Buffer.concat([Buffer.from('re:'), data]));
          serve();
          return readResponse(Buffer.alloc(0));
        }
        return new Promise((resolve) => {
          readers.push(resolve);
          serve();
        });
      },
    } as unknown as Smb2Client;
    const pipe = new Smb2Pipe(fake, { treeId: 1, shareType: 2, share: 'IPC$' }, Buffer.alloc(16), 'x', { transceive: true });
    const got: string[] = [];
    const done = new Promise<void>((resolve) => pipe.on('data', (d: Buffer) => got.push(d.toString()) === 2 && resolve()));
    pipe.write(Buffer.from('one'));
    await new Promise((r) => setTimeout(r, 10));
    pipe.write(Buffer.from('two'));
    await done;
    expect(got).toEqual(['re:one', 're:two']);
    expect(pipe.transceive).toBe(false);
    expect(seen.slice(0, 2)).toEqual(['IOCTL', 'WRITE']);
    expect(seen.filter((c) => c === 'IOCTL')).toHaveLength(1); // the second message went as a WRITE straight away
    pipe.destroy();
  });
});

describe('Smb2Pipe transceive writes leave in order', () => {
  it('when the first request waits for credits and the next ones are buffered meanwhile', async () => {
    // a client that, like Smb2Client, assigns the MessageId (onMessageId) and then writes the frame;
    // the first request has to wait (no credits), the others go at once
    const wire: string[] = [];
    let first = true;
    let nextId = 1n;
    const fake = {
      maxReadSize: 65536,
      cancel: () => undefined,
      closeFile: async () => undefined,
      request: async (command: number, body: Buffer, o: RequestOptions = {}): Promise<Response> => {
        if (first && command === C.Smb2Command.IOCTL) {
          first = false;
          await new Promise((r) => setTimeout(r, 20));
        }
        o.onMessageId?.(nextId++);
        if (command === C.Smb2Command.IOCTL) {
          const input = M.decodeIoctlRequest(M.encodeMessage(M.header({ command }), body)).input;
          wire.push(input.toString()); // "writeFrame"
        }
        return new Promise(() => undefined); // answers do not matter here
      },
    } as unknown as Smb2Client;
    const pipe = new Smb2Pipe(fake, { treeId: 1, shareType: 2, share: 'IPC$' }, Buffer.alloc(16), 'x', { transceive: true });
    for (let i = 0; i < 5; i++) pipe.write(Buffer.from(`m${i}`));
    await new Promise((r) => setTimeout(r, 60));
    expect(wire).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    pipe.destroy();
  });
});
