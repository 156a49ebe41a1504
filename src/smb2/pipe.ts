// Named pipes between the SMB2 server and the RPC layer.
//
// How the RPC layer uses it:
//
//   server.registerPipe('winreg', (pipe, info) => { ... });
//
// - The name is matched case-insensitively against the CREATE name (`winreg`, `\pipe\winreg` and
//   `PIPE\winreg` all name the same pipe).
// - The handler runs once per pipe instance, i.e. once per SMB2 CREATE; each instance is one RPC
//   transport connection.
// - `pipe` is a Node `Duplex` in message mode:
//     * every client WRITE, and the write half of an FSCTL_PIPE_TRANSCEIVE, arrives as exactly one
//       'data' chunk (a Buffer);
//     * every `pipe.write(buf)` by the RPC server is one pipe message. A client READ returns at most
//       one message; when the client's read is smaller than the message, it gets the first part with
//       STATUS_BUFFER_OVERFLOW and reads the rest with further READs.
//     * `pipe.end()` by the RPC server: once the queued messages are read, the client gets
//       STATUS_PIPE_BROKEN.
// - When the client closes the file, disconnects the tree, logs off, or the connection drops, the
//   Duplex ends ('end' then 'close'), so RPC can run down the context handles of that association.
// - `info` says who is on the other end: the SMB session's authenticated identity (for an
//   unauthenticated RPC bind over the pipe), its session key, the client's address and the dialect.
import { Duplex } from 'node:stream';
import type { AuthIdentity } from '../auth/types.js';

export interface PipeInfo {
  /** The pipe name as registered (lower case, no `\pipe\` prefix). */
  pipeName: string;
  /** Who the SMB session authenticated. */
  identity: AuthIdentity;
  /** Session.SessionKey (MS-SMB2 §3.3.1.8): the first 16 bytes of the GSS session key. */
  sessionKey: Buffer;
  /** SMB 3.x Session.ApplicationKey (§3.3.5.5.3); equal to `sessionKey` for 2.x dialects. */
  applicationKey: Buffer;
  /** Remote address of the TCP connection. */
  clientAddress: string;
  /** Negotiated dialect, e.g. 0x0311. */
  dialect: number;
}

export type PipeHandler = (pipe: Duplex, info: PipeInfo) => void;

/** Normalises a CREATE name or a registration name to the key pipes are registered under. */
export function pipeKey(name: string): string {
  let n = name.replace(/\//g, '\\').toLowerCase();
  while (n.startsWith('\\')) n = n.slice(1);
  if (n.startsWith('pipe\\')) n = n.slice(5);
  return n;
}

/**
 * The server's end of one pipe instance. The SMB2 server calls `deliver`, `take`, `waitReadable` and
 * `closeFromClient`; the RPC handler sees an ordinary Duplex.
 */
export class ServerPipe extends Duplex {
  private readonly queue: Buffer[] = [];
  /** Bytes of queue[0] already handed out by a partial read. */
  private headOffset = 0;
  private queuedBytes = 0;
  private writeEnded = false;
  private waiters: Array<() => void> = [];
  /** Most bytes the RPC side may queue before its writes wait for the client to read. */
  private readonly maxQueuedBytes: number;
  private pendingWrite: (() => void) | null = null;
  /** Bytes the client wrote that the RPC side has not read yet, and how many may wait. */
  private inboundBytes = 0;
  private readonly maxInboundBytes: number;

  constructor(maxQueuedBytes = 4 * 1024 * 1024, maxInboundBytes = 4 * 1024 * 1024) {
    super({ readableObjectMode: true, writableObjectMode: true, allowHalfOpen: true });
    this.maxQueuedBytes = maxQueuedBytes;
    this.maxInboundBytes = maxInboundBytes;
  }

  // Counts what leaves the readable buffer, so a client cannot pile up writes the RPC side never reads.
  override read(size?: number): any {
    const chunk: unknown = super.read(size);
    if (Buffer.isBuffer(chunk)) this.inboundBytes -= chunk.length;
    return chunk;
  }

  // --- RPC side (Duplex) ---

  override _read(): void {
    // data is pushed when the client writes; nothing to pull
  }

  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!Buffer.isBuffer(chunk)) {
      cb(new TypeError('pipe messages must be Buffers'));
      return;
    }
    if (chunk.length > 0) {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
      this.wake();
    }
    if (this.queuedBytes > this.maxQueuedBytes) this.pendingWrite = () => cb();
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.writeEnded = true;
    this.wake();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.writeEnded = true;
    this.wake();
    const w = this.pendingWrite;
    this.pendingWrite = null;
    w?.();
    cb(err);
  }

  // --- SMB2 server side ---

  /**
   * A client WRITE (or the input of a TRANSCEIVE): one message to the RPC server. 'closed' when the
   * pipe is gone, 'full' when the RPC side has left too much unread.
   */
  deliver(data: Buffer): 'ok' | 'closed' | 'full' {
    if (this.destroyed || this.readableEnded) return 'closed';
    if (this.inboundBytes + data.length > this.maxInboundBytes) return 'full';
    const before = this.readableLength;
    this.push(Buffer.from(data));
    // a chunk handed straight to a 'data' listener never sat in the buffer
    if (this.readableLength > before) this.inboundBytes += data.length;
    return 'ok';
  }

  /** True when a READ would return at once (data queued, or the pipe is broken). */
  get ready(): boolean {
    return this.queue.length > 0 || this.broken;
  }

  /** The RPC server has ended its side and everything it wrote has been read. */
  get broken(): boolean {
    return this.queue.length === 0 && (this.writeEnded || this.destroyed);
  }

  /** Bytes of the next message not yet read (FilePipeLocalInformation.ReadDataAvailable). */
  get available(): number {
    return this.queue.length ? this.queue[0]!.length - this.headOffset : 0;
  }

  /**
   * Up to `max` bytes of the next message. `more` is true when the message did not fit
   * (the caller answers STATUS_BUFFER_OVERFLOW). Returns null when nothing is queued.
   */
  takeMessage(max: number): { data: Buffer; more: boolean } | null {
    const head = this.queue[0];
    if (!head) return null;
    const rest = head.length - this.headOffset;
    if (rest <= max) {
      const data = this.headOffset ? head.subarray(this.headOffset) : head;
      this.queue.shift();
      this.headOffset = 0;
      this.queuedBytes -= head.length;
      if (this.pendingWrite && this.queuedBytes <= this.maxQueuedBytes) {
        const w = this.pendingWrite;
        this.pendingWrite = null;
        w();
      }
      return { data, more: false };
    }
    const data = head.subarray(this.headOffset, this.headOffset + max);
    this.headOffset += max;
    return { data, more: true };
  }

  /** Calls `cb` once when data arrives or the pipe breaks; returns a function that cancels the wait. */
  waitReadable(cb: () => void): () => void {
    if (this.ready) {
      queueMicrotask(cb);
      return () => {};
    }
    this.waiters.push(cb);
    return () => {
      const i = this.waiters.indexOf(cb);
      if (i >= 0) this.waiters.splice(i, 1);
    };
  }

  /** The client closed the file (or its tree/session/connection went away). */
  closeFromClient(): void {
    if (!this.readableEnded && !this.destroyed) this.push(null);
    this.writeEnded = true;
    this.wake();
    // let 'end' be emitted to the RPC side before tearing down
    setImmediate(() => this.destroy());
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const cb of w) cb();
  }
}
