// Where a hive reader gets its bytes: a Buffer already in memory, or a file read with positional
// reads through a small page cache, so that a hive larger than memory can be walked key by key.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface HiveSource {
  readonly size: number;
  /** `length` bytes at `position`; the caller has checked the range against `size`. The result may
   * share memory with a cache: read it, don't write it. */
  read(position: number, length: number): Buffer;
  close(): void;
}

export class BufferSource implements HiveSource {
  readonly size: number;
  constructor(private readonly buf: Buffer) {
    this.size = buf.length;
  }
  read(position: number, length: number): Buffer {
    return this.buf.subarray(position, position + length);
  }
  close(): void {}
}

export interface FileSourceOptions {
  /** Bytes per cached page (default 64 KiB). */
  pageSize?: number;
  /** Pages kept (default 256: 16 MiB with the default page size). */
  maxPages?: number;
}

export class FileSource implements HiveSource {
  readonly size: number;
  private fd: number | undefined;
  private readonly pageSize: number;
  private readonly maxPages: number;
  private readonly pages = new Map<number, Buffer>();
  private lastIndex = -1;
  private lastPage: Buffer | undefined;

  constructor(path: string, opts: FileSourceOptions = {}) {
    this.fd = openSync(path, 'r');
    try {
      this.size = fstatSync(this.fd).size;
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
    this.pageSize = opts.pageSize ?? 65536;
    this.maxPages = Math.max(2, opts.maxPages ?? 256);
  }

  read(position: number, length: number): Buffer {
    const first = Math.floor(position / this.pageSize);
    const last = Math.floor((position + length - 1) / this.pageSize);
    if (length > 0 && first === last) {
      const page = this.page(first);
      const start = position - first * this.pageSize;
      return page.subarray(start, start + length);
    }
    const out = Buffer.allocUnsafe(length);
    this.readInto(out, position);
    return out;
  }

  private page(index: number): Buffer {
    // reads cluster: most land in the page the previous read used
    if (index === this.lastIndex) return this.lastPage!;
    const hit = this.pages.get(index);
    if (hit) {
      this.lastIndex = index;
      this.lastPage = hit;
      return hit;
    }
    const start = index * this.pageSize;
    const buf = Buffer.allocUnsafe(Math.min(this.pageSize, this.size - start));
    this.readInto(buf, start);
    // first in, first out: hives are mostly read in file order, where that is as good as LRU
    if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
    this.pages.set(index, buf);
    this.lastIndex = index;
    this.lastPage = buf;
    return buf;
  }

  private readInto(buf: Buffer, position: number): void {
    if (this.fd === undefined) throw new Error('hive file is closed');
    let done = 0;
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, position + done);
      if (n === 0) throw new Error(`hive file shrank while reading at ${position + done}`);
      done += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pages.clear();
    this.lastIndex = -1;
    this.lastPage = undefined;
  }
}
