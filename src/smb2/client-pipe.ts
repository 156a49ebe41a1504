// The client's end of a named pipe: a message-mode Duplex over SMB2 WRITE/READ/IOCTL.
//
// - `pipe.write(buf)` sends one WRITE (one pipe message).
// - Reading ('data' events, async iteration) keeps one READ outstanding; a message larger than a READ
//   (STATUS_BUFFER_OVERFLOW) is read to its end and emitted as one Buffer.
// - `pipe.transact(buf)` does FSCTL_PIPE_TRANSCEIVE: writes one message and resolves with the whole
//   reply message (MS-SMB2 §3.2.4.20.4). Use either transact() or the readable side on one pipe, not both
//   at once: an outstanding READ would take the reply.
// - With `{ transceive: true }` the pipe is a byte stream for a protocol that frames its own messages
//   (DCE/RPC): every write is an FSCTL_PIPE_TRANSCEIVE whose output is pushed in the order the
//   responses arrive. One SMB2 request per RPC call instead of a WRITE and a READ halves the messages
//   both ends handle, and several calls stay in flight. Reads are not matched to writes: a write that
//   gets no answer of its own (rpc_auth_3, a first fragment) leaves its read waiting for the next bytes
//   the server writes, which is right for a byte stream; and whenever no read is left waiting, one READ
//   is sent, for answers longer than one output buffer or written as several messages. Waiting reads
//   are cancelled when the pipe closes. A server that refuses a TRANSCEIVE while reads wait on the pipe
//   (STATUS_PIPE_BUSY, STATUS_INVALID_PIPE_STATE, or no TRANSCEIVE at all) gets that message again as a
//   WRITE, and the pipe goes on with WRITEs and one READ at a time.
// - `pipe.end()` / `pipe.destroy()` close the file (SMB2 CLOSE); a waiting READ is cancelled.
import { Duplex } from 'node:stream';
import type { Smb2Client, Tree } from './client.js';
import * as C from './constants.js';
import * as M from './messages/index.js';
import { NtStatus as S, NtStatusError, Smb2ConnectionError } from './status.js';

/** A server's answers to a TRANSCEIVE it will not do on this pipe (now): fall back to WRITE + READ. */
const TRANSCEIVE_REFUSED = new Set<number>([S.STATUS_PIPE_BUSY, S.STATUS_INVALID_PIPE_STATE, S.STATUS_INVALID_DEVICE_REQUEST, S.STATUS_NOT_SUPPORTED]);

export interface PipeOptions {
  /** Writes as FSCTL_PIPE_TRANSCEIVE, replies pushed as a byte stream (see above). */
  transceive?: boolean;
}

export class Smb2Pipe extends Duplex {
  readonly name: string;
  readonly fileId: Buffer;
  private transceiveMode: boolean;
  private readonly client: Smb2Client;
  private readonly tree: Tree;
  private readInFlight = false;
  /** READs and TRANSCEIVEs waiting for data, cancelled on close. */
  private readonly waiting = new Set<bigint>();
  private fileClosed = false;

  constructor(client: Smb2Client, tree: Tree, fileId: Buffer, name: string, opts: PipeOptions = {}) {
    super({ readableObjectMode: true, writableObjectMode: true, allowHalfOpen: false });
    this.client = client;
    this.tree = tree;
    this.fileId = fileId;
    this.name = name;
    this.transceiveMode = opts.transceive === true;
  }

  /** Whether writes still go as FSCTL_PIPE_TRANSCEIVE (false after a server refused one). */
  get transceive(): boolean {
    return this.transceiveMode;
  }

  private get readSize(): number {
    return Math.min(this.client.maxReadSize, 65536);
  }

  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!Buffer.isBuffer(chunk)) {
      cb(new TypeError('pipe messages must be Buffers'));
      return;
    }
    if (this.transceiveMode) {
      this.streamRequest(C.Smb2Command.IOCTL, M.encodeIoctlRequest({ ctlCode: C.FSCTL_PIPE_TRANSCEIVE, fileId: this.fileId, input: chunk, maxInputResponse: 0, maxOutputResponse: this.readSize, flags: C.SMB2_0_IOCTL_IS_FSCTL }),
        Math.ceil(Math.max(chunk.length, this.readSize) / 65536), cb, chunk);
      return;
    }
    this.sendWrite(chunk, cb);
  }

  private sendWrite(chunk: Buffer, cb: (err?: Error | null) => void): void {
    this.client
      .request(C.Smb2Command.WRITE, M.encodeWriteRequest({ offset: 0n, fileId: this.fileId, channel: 0, remainingBytes: 0, flags: 0, data: chunk }), {
        treeId: this.tree.treeId,
        creditCharge: Math.ceil(chunk.length / 65536),
      })
      .then(() => cb(), (err: Error) => cb(err));
  }

  /**
   * Transceive mode: sends a TRANSCEIVE (or a READ for the rest of an overflowing message) and pushes
   * its output when it comes. `sent` is called once the request has been written, so writes leave in
   * order.
   */
  private streamRequest(command: number, body: Buffer, creditCharge: number, sent?: (err?: Error | null) => void, input?: Buffer): void {
    let id: bigint | null = null;
    this.client
      .request(command, body, {
        treeId: this.tree.treeId,
        ok: [S.STATUS_BUFFER_OVERFLOW],
        timeout: false,
        creditCharge,
        onMessageId: (m) => {
          id = m;
          this.waiting.add(m);
          // not before this request is on the wire: `sent` lets the Writable start the next write
          // at once, which would otherwise leave before this one (and break RPC's sequence numbers)
          if (sent) process.nextTick(sent);
        },
      })
      .then(
        (res) => {
          if (id !== null) this.waiting.delete(id);
          if (this.fileClosed) return; // an answer that came after close: nobody reads it any more
          const out = command === C.Smb2Command.IOCTL ? M.decodeIoctlResponse(res.msg).output : M.decodeReadResponse(res.msg).data;
          if (out.length > 0) this.push(Buffer.from(out));
          // Some read must always be waiting: an answer may be longer than one output buffer
          // (STATUS_BUFFER_OVERFLOW) or come as several messages (one per RPC fragment).
          if (this.waiting.size === 0 && !this.fileClosed) this.streamRequest(C.Smb2Command.READ, this.readRequest(), Math.ceil(this.readSize / 65536));
        },
        (err: Error) => {
          if (id !== null) this.waiting.delete(id);
          if (id === null) sent?.(err);
          if (this.fileClosed) return;
          if (input && err instanceof NtStatusError && TRANSCEIVE_REFUSED.has(err.status)) {
            this.transceiveMode = false;
            this.sendWrite(input, (e) => e && this.destroy(e));
            this._read();
            return;
          }
          if (err instanceof NtStatusError && (err.status === S.STATUS_PIPE_BROKEN || err.status === S.STATUS_PIPE_DISCONNECTED)) this.push(null);
          else this.destroy(err);
        },
      );
  }

  private readRequest(): Buffer {
    return M.encodeReadRequest({ padding: 80, flags: 0, length: this.readSize, offset: 0n, fileId: this.fileId, minimumCount: 0, channel: 0, remainingBytes: 0 });
  }

  override _read(): void {
    // transceive mode: data comes with the answers to writes
    if (this.transceiveMode || this.readInFlight || this.fileClosed) return;
    this.readInFlight = true;
    this.readMessage().then(
      (msg) => {
        this.readInFlight = false;
        if (msg === null) this.push(null);
        else if (this.push(msg)) this._read();
      },
      (err: Error) => {
        this.readInFlight = false;
        if (this.fileClosed) return;
        if (err instanceof NtStatusError && (err.status === S.STATUS_PIPE_BROKEN || err.status === S.STATUS_PIPE_DISCONNECTED)) this.push(null);
        else this.destroy(err);
      },
    );
  }

  /** One whole message via READs; null when the pipe was closed while waiting. */
  private async readMessage(): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    for (;;) {
      let id: bigint | null = null;
      const res = await this.client.request(C.Smb2Command.READ, this.readRequest(), {
        treeId: this.tree.treeId,
        ok: [S.STATUS_BUFFER_OVERFLOW],
        timeout: false,
        creditCharge: Math.ceil(this.readSize / 65536),
        onMessageId: (m) => this.waiting.add((id = m)),
      }).catch((err: unknown) => {
        if (this.fileClosed && err instanceof NtStatusError && err.status === S.STATUS_CANCELLED) return null;
        throw err;
      }).finally(() => {
        if (id !== null) this.waiting.delete(id);
      });
      if (res === null) return null;
      parts.push(Buffer.from(M.decodeReadResponse(res.msg).data));
      if (res.hdr.status !== S.STATUS_BUFFER_OVERFLOW) return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    }
  }

  /** FSCTL_PIPE_TRANSCEIVE: one request message in, the whole reply message out. */
  async transact(message: Buffer, maxOutput = 65536): Promise<Buffer> {
    const res = await this.client.request(
      C.Smb2Command.IOCTL,
      M.encodeIoctlRequest({ ctlCode: C.FSCTL_PIPE_TRANSCEIVE, fileId: this.fileId, input: message, maxInputResponse: 0, maxOutputResponse: maxOutput, flags: C.SMB2_0_IOCTL_IS_FSCTL }),
      { treeId: this.tree.treeId, ok: [S.STATUS_BUFFER_OVERFLOW], creditCharge: Math.ceil(Math.max(message.length, maxOutput) / 65536) },
    );
    const first = Buffer.from(M.decodeIoctlResponse(res.msg).output);
    if (res.hdr.status !== S.STATUS_BUFFER_OVERFLOW) return first;
    const rest = await this.readMessage();
    return rest ? Buffer.concat([first, rest]) : first;
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.closeFile().then(() => cb(), (err: Error) => cb(err));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.closeFile().then(() => cb(err), () => cb(err));
  }

  private async closeFile(): Promise<void> {
    if (this.fileClosed) return;
    this.fileClosed = true;
    for (const id of this.waiting) this.client.cancel(id);
    try {
      await this.client.closeFile(this.tree, this.fileId);
    } catch (err) {
      // the connection went first (the client closed it, or the peer): the file went with it
      if (!(err instanceof Smb2ConnectionError)) throw err;
    } finally {
      this.push(null);
    }
  }
}
