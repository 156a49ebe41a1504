// The embedded backend (default): a data directory holding `snapshot.bin` and `journal.<n>.log`.
// A write is acknowledged only after its journal records are on disk (fdatasync); writers that
// commit while a sync runs share the next one (group commit), and a group is one checksummed frame. When the journal grows past the snapshot's
// size the tree is written to a new snapshot in the background and the folded journals removed.
// On open: load the snapshot, replay journals after it; a torn/corrupt tail of the last journal is
// truncated and logged, any other damage refuses to open (ERROR_REGISTRY_CORRUPT).

import { promises as fsp, openSync, closeSync, writeSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Win32Error } from '../util/win32.js';
import { MemoryBackend, MemoryTree, type MemoryWriter } from './memory.js';
import { closeFrame, encodeOps, openFrame, replayFrame, scanJournal } from './journal.js';
import { BinWriter } from './codec.js';
import { decodeSnapshot, encodeSnapshot, type PackedRange } from './snapshot.js';

export interface EmbeddedOptions {
  /** Where problems found at open (a truncated journal tail) are reported. */
  log?: (message: string) => void;
  /** Compact once the journal exceeds this many bytes and the snapshot's size (default 64 MiB). */
  compactBytes?: number;
}

const SNAPSHOT = 'snapshot.bin';
const journalName = (gen: number) => `journal.${String(gen).padStart(8, '0')}.log`;
const JOURNAL_RE = /^journal\.(\d{8})\.log$/;

export class EmbeddedBackend extends MemoryBackend {
  override readonly kind = 'embedded' as const;
  private fh!: fsp.FileHandle;
  private gen = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  // Records waiting for their write + sync, encoded straight into frames of one buffer (a frame per
  // group; two buffers take turns). Every writer of a group waits on the group's one promise.
  private pending = new BinWriter(1 << 20);
  private spare = new BinWriter(1 << 20);
  /** Offset in `pending` up to which frames have been handed to the sync loop. */
  private taken = 0;
  /** Groups not yet handed to the sync loop, oldest first; the last may still be open. */
  private groups: Group[] = [];
  private open: Group | undefined;
  private syncing: Promise<void> | undefined;
  /** Set while the sync loop waits for its syncs: new writes wake it. */
  private wake: (() => void) | undefined;
  private compacting: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;
  /** Writes journalled, frames written and fdatasync calls made (a frame and a sync per group). */
  readonly stats = { writes: 0, frames: 0, syncs: 0, compactions: 0 };
  private readonly log: (m: string) => void;
  private readonly compactBytes: number;

  private constructor(
    readonly dir: string,
    tree: MemoryTree,
    opts: EmbeddedOptions,
  ) {
    super(tree);
    this.log = opts.log ?? ((m) => process.stderr.write(`hivewire store: ${m}\n`));
    this.compactBytes = opts.compactBytes ?? 64 << 20;
  }

  /** Opens (creating if needed) the store in `dir`; `init` fills a brand-new store. */
  static async open(dir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedBackend> {
    await fsp.mkdir(dir, { recursive: true });
    takeLock(dir);
    const log = opts.log ?? ((m: string) => process.stderr.write(`hivewire store: ${m}\n`));
    let tree = new MemoryTree();
    let gen = 0;
    let snapshotBytes = 0;
    const snapPath = join(dir, SNAPSHOT);
    if (existsSync(snapPath)) {
      const buf = readFileSync(snapPath);
      snapshotBytes = buf.length;
      try {
        const s = decodeSnapshot(buf);
        tree = s.tree;
        gen = s.generation;
      } catch (err) {
        releaseLock(dir);
        throw new Win32Error('ERROR_REGISTRY_CORRUPT', `${snapPath}: ${(err as Error).message}`);
      }
    }
    const names = (await fsp.readdir(dir)).filter((n) => JOURNAL_RE.test(n)).sort();
    const gens = names.map((n) => Number(JOURNAL_RE.exec(n)![1]));
    await fsp.rm(join(dir, SNAPSHOT + '.tmp'), { force: true });
    let last = gen;
    let lastBytes = 0;
    for (let i = 0; i < gens.length; i++) {
      const g = gens[i]!;
      const file = join(dir, journalName(g));
      if (g <= gen) {
        await fsp.rm(file, { force: true }); // folded into the snapshot before a crash
        continue;
      }
      const buf = readFileSync(file);
      let scan;
      try {
        scan = scanJournal(buf, (payload, off) => replayFrame(tree, payload, off, file));
      } catch (err) {
        releaseLock(dir);
        throw new Win32Error('ERROR_REGISTRY_CORRUPT', (err as Error).message);
      }
      if (scan.problem) {
        if (i !== gens.length - 1) {
          releaseLock(dir);
          throw new Win32Error('ERROR_REGISTRY_CORRUPT', `${file}: ${scan.problem} (not the last journal)`);
        }
        log(`${file}: ${scan.problem}; truncated ${buf.length - scan.validEnd} bytes after ${scan.frames} valid frames`);
        await fsp.truncate(file, scan.validEnd);
      }
      last = g;
      lastBytes = scan.validEnd;
    }
    const b = new EmbeddedBackend(dir, tree, opts);
    b.snapshotBytes = snapshotBytes;
    b.gen = last === gen ? gen + 1 : last;
    b.journalBytes = last === gen ? 0 : lastBytes;
    b.fh = await fsp.open(join(dir, journalName(b.gen)), 'a');
    await syncDir(dir);
    return b;
  }

  /** True when nothing has been written yet (the store fills in the predefined keys). */
  get isEmpty(): boolean {
    return this.tree.empty && this.journalBytes === 0;
  }

  protected override commit(w: MemoryWriter): Promise<void> | undefined {
    if (w.ops.length === 0) {
      if (this.failed) throw new Win32Error('ERROR_REGISTRY_IO_FAILED', String(this.failed));
      return undefined;
    }
    return this.journal((buf) => encodeOps(buf, w.ops));
  }

  override journal(encode: (w: BinWriter) => void): Promise<void> {
    if (this.failed) return Promise.reject(new Win32Error('ERROR_REGISTRY_IO_FAILED', String(this.failed)));
    if (this.closed) return Promise.reject(new Win32Error('ERROR_REGISTRY_IO_FAILED', 'store is closed'));
    let g = this.open;
    if (!g) {
      g = this.open = newGroup(openFrame(this.pending));
      this.groups.push(g);
      // Started on the next turn: every write issued in this one can join.
      if (!this.syncing) this.syncing = new Promise<void>((r) => setImmediate(r)).then(() => this.syncLoop());
      else if (this.wake) {
        const wake = this.wake;
        this.wake = undefined;
        wake();
      }
    }
    encode(this.pending);
    this.stats.writes++;
    // A full group is closed: under load, one group is synced while the writers of the previous one
    // prepare their next writes (a pipeline instead of everyone waiting on one sync).
    if (++g.writes >= GROUP_WRITES) this.closeOpen();
    if (!this.compacting && this.journalBytes + this.pending.pos > Math.max(this.compactBytes, this.snapshotBytes)) {
      this.compacting = this.compact().finally(() => (this.compacting = undefined));
      this.compacting.catch((e) => this.log(`compaction failed: ${(e as Error).message}`));
    }
    return g.promise;
  }

  private closeOpen(): void {
    const g = this.open!;
    closeFrame(this.pending, g.start);
    g.end = this.pending.pos;
    this.open = undefined;
  }

  // Group commit. Writes go out in order, one batch at a time (started from idle, the first group
  // alone; then every group queued meanwhile); each batch's fdatasync starts once its write is done
  // and may overlap the next batch's write and sync, and a batch is acknowledged when its own sync
  // returns (it was started after the batch's bytes were written). So a slow sync does not hold back
  // the groups behind it from being written and synced.
  private async syncLoop(): Promise<void> {
    let count = 1;
    const inflight = new Set<Promise<void>>();
    let ordered: Promise<boolean> = Promise.resolve(true);
    try {
      for (;;) {
        while (this.groups.length) {
          const batch = this.groups.splice(0, count);
          count = Infinity;
          const last = batch[batch.length - 1]!;
          if (last === this.open) this.closeOpen();
          const buf = this.pending;
          const from = this.taken;
          const to = last.end;
          this.taken = to;
          const swapped = this.groups.length === 0;
          if (swapped) {
            // Everything handed over: new records go to the other buffer (its last write is done).
            this.pending = this.spare;
            this.taken = 0;
          }
          const all = buf.buf.subarray(from, to);
          try {
            if (this.failed) throw this.failed;
            for (let off = 0; off < all.length; ) off += (await this.fh.write(all, off, all.length - off)).bytesWritten;
          } catch (err) {
            this.failed = err;
            for (const g of batch) g.reject(new Win32Error('ERROR_REGISTRY_IO_FAILED', (err as Error).message));
            continue;
          } finally {
            if (swapped) {
              buf.pos = 0;
              // keep the buffer for the next turn unless one huge batch grew it
              this.spare = buf.buf.length > 8 << 20 ? new BinWriter(1 << 20) : buf;
            }
          }
          this.journalBytes += all.length;
          // Acknowledged in order, and only if every earlier sync succeeded too: replay stops at the
          // first damaged frame, so a batch is durable only with all before it.
          const own = this.fh.datasync().then(
            () => true,
            (err: Error) => {
              this.failed ??= err;
              return false;
            },
          );
          ordered = Promise.all([ordered, own]).then(([a, b]) => a && b);
          const synced: Promise<void> = ordered.then((ok) => {
            if (ok) {
              this.stats.frames += batch.length;
              this.stats.syncs++;
              for (const g of batch) g.resolve();
            } else {
              for (const g of batch) g.reject(new Win32Error('ERROR_REGISTRY_IO_FAILED', String((this.failed as Error)?.message ?? this.failed)));
            }
          });
          inflight.add(synced);
          void synced.then(() => inflight.delete(synced));
        }
        if (inflight.size === 0) break;
        // Until a sync returns or new writes come (on the next turn, so that a burst joins one group).
        await new Promise<void>((resolve) => {
          this.wake = () => setImmediate(resolve);
          void Promise.race(inflight).then(resolve);
        });
        this.wake = undefined;
      }
    } finally {
      this.syncing = undefined;
    }
  }

  private async drain(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  override async flush(): Promise<void> {
    await this.drain();
    if (this.failed) throw new Win32Error('ERROR_REGISTRY_IO_FAILED', String(this.failed));
    await this.fh.datasync();
  }

  /** Writes a snapshot of the tree as of now and drops the journals it folds in. */
  async compact(): Promise<void> {
    const wait = this.lock.acquire();
    if (wait) await wait;
    let snap: Buffer;
    let journalBytes = 0;
    const folded = this.gen;
    try {
      await this.drain();
      await this.fh.close();
      this.gen++;
      this.fh = await fsp.open(join(this.dir, journalName(this.gen)), 'a');
      journalBytes = this.journalBytes;
      this.journalBytes = 0;
      // Sized for what the snapshot and journal hold now, plus a margin: no regrowing while encoding.
      const ranges: PackedRange[] = [];
      snap = encodeSnapshot(this.tree, folded, Math.ceil((this.snapshotBytes + journalBytes) * 1.1), ranges);
      this.tree.repack(snap, ranges);
    } finally {
      this.lock.release();
    }
    const tmp = join(this.dir, SNAPSHOT + '.tmp');
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(snap);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, join(this.dir, SNAPSHOT));
    await syncDir(this.dir);
    this.snapshotBytes = snap.length;
    this.stats.compactions++;
    for (let g = folded; g >= 1; g--) {
      const f = join(this.dir, journalName(g));
      if (!existsSync(f)) break;
      await fsp.rm(f, { force: true });
    }
  }

  /** Waits for a background compaction, if one runs (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.compacting) await this.compacting.catch(() => undefined);
    await this.drain();
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    this.closed = true;
    await this.fh.datasync().catch(() => undefined);
    await this.fh.close();
    releaseLock(this.dir);
  }
}

/** Writes per group at most (see journal()). */
const GROUP_WRITES = 256;

interface Group {
  /** Offset of the group's frame in the pending buffer, and its end once closed. */
  start: number;
  end: number;
  writes: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function newGroup(start: number): Group {
  const g = { start, end: -1, writes: 0 } as Group;
  g.promise = new Promise<void>((resolve, reject) => {
    g.resolve = resolve;
    g.reject = reject;
  });
  // A failed group is reported to each writer that awaits it; none is left unhandled.
  g.promise.catch(() => undefined);
  return g;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the file syncs still hold
  } finally {
    await fh.close();
  }
}

// One process per data directory: a LOCK file holding the owner's pid; a dead owner's lock is taken over.
function takeLock(dir: string): void {
  const file = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Win32Error('ERROR_BUSY', `${dir} is open in process ${pid}`);
      }
      if (pid === process.pid) throw new Win32Error('ERROR_BUSY', `${dir} is already open in this process`);
      try {
        rmSync(file);
      } catch {
        /* raced with another opener */
      }
    }
  }
  throw new Win32Error('ERROR_BUSY', `${dir}: could not take the LOCK file`);
}

function releaseLock(dir: string): void {
  try {
    const file = join(dir, 'LOCK');
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
  } catch {
    /* already gone */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
