// The embedded backend (default): a data directory holding `snapshot.bin` and `journal.<n>.log`.
// A write is acknowledged only after its journal frame is on disk (fdatasync); writers that commit
// while a sync runs share the next one (group commit). When the journal grows past the snapshot's
// size the tree is written to a new snapshot in the background and the folded journals removed.
// On open: load the snapshot, replay journals after it; a torn/corrupt tail of the last journal is
// truncated and logged, any other damage refuses to open (ERROR_REGISTRY_CORRUPT).

import { promises as fsp, openSync, closeSync, writeSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Win32Error } from '../util/win32.js';
import { MemoryBackend, MemoryTree, type MemoryWriter } from './memory.js';
import { encodeFrameInto, replayFrame, scanJournal } from './journal.js';
import { BinWriter } from './codec.js';
import { decodeSnapshot, encodeSnapshot } from './snapshot.js';

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
  // Frames waiting for the next write + sync, encoded straight into one buffer; two buffers take turns.
  private pending = new BinWriter(1 << 20);
  private spare = new BinWriter(1 << 20);
  private pendingFrames = 0;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private syncing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private failed: unknown;
  private closed = false;
  /** Journal frames written and fdatasync calls made (group commit shares one sync among frames). */
  readonly stats = { frames: 0, syncs: 0, compactions: 0 };
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
    return this.tree.byPath.size === 1 && this.journalBytes === 0;
  }

  protected override commit(w: MemoryWriter): Promise<void> | undefined {
    if (this.failed) throw new Win32Error('ERROR_REGISTRY_IO_FAILED', String(this.failed));
    if (this.closed) throw new Win32Error('ERROR_REGISTRY_IO_FAILED', 'store is closed');
    if (w.ops.length === 0) return undefined;
    this.journalBytes += encodeFrameInto(this.pending, w.ops);
    this.pendingFrames++;
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.syncing) this.syncing = this.syncLoop();
    if (!this.compacting && this.journalBytes > Math.max(this.compactBytes, this.snapshotBytes)) {
      this.compacting = this.compact().finally(() => (this.compacting = undefined));
      this.compacting.catch((e) => this.log(`compaction failed: ${(e as Error).message}`));
    }
    return p;
  }

  // Group commit: everything queued while one sync runs goes out with the next write + sync.
  private async syncLoop(): Promise<void> {
    try {
      while (this.pendingFrames) {
        const batch = this.pending;
        const frames = this.pendingFrames;
        const waiters = this.waiters;
        this.pending = this.spare;
        this.pendingFrames = 0;
        this.waiters = [];
        try {
          const all = batch.result();
          for (let off = 0; off < all.length; ) off += (await this.fh.write(all, off, all.length - off)).bytesWritten;
          await this.fh.datasync();
          this.stats.frames += frames;
          this.stats.syncs++;
        } catch (err) {
          this.failed = err;
          for (const w of waiters) w.reject(new Win32Error('ERROR_REGISTRY_IO_FAILED', (err as Error).message));
          continue;
        } finally {
          batch.pos = 0;
          // keep the buffer for the next turn unless one huge batch grew it
          this.spare = batch.buf.length > 8 << 20 ? new BinWriter(1 << 20) : batch;
        }
        for (const w of waiters) w.resolve();
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
    const folded = this.gen;
    try {
      await this.drain();
      await this.fh.close();
      this.gen++;
      this.fh = await fsp.open(join(this.dir, journalName(this.gen)), 'a');
      this.journalBytes = 0;
      snap = encodeSnapshot(this.tree, folded);
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
