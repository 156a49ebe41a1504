// Change notification (RegNotifyChangeKeyValue; MS-RRP has no notify opnum, the server may offer it
// later): watch a key, or its subtree, for name (subkey added/removed), last-set (value changed) and
// security changes. A Watcher is an EventEmitter ('change') and an async iterator.

import { EventEmitter } from 'node:events';
import { upcase, parentPath, type ChangeEvent } from './backend.js';
import {
  REG_NOTIFY_CHANGE_ATTRIBUTES,
  REG_NOTIFY_CHANGE_LAST_SET,
  REG_NOTIFY_CHANGE_NAME,
  REG_NOTIFY_CHANGE_SECURITY,
} from './constants.js';

export interface WatchOptions {
  /** Also report changes anywhere below the key (bWatchSubtree). */
  subtree?: boolean;
  /** REG_NOTIFY_CHANGE_* bits; default all four. */
  filter?: number;
}

/** One change: `path` is the key that changed (below \Registry, e.g. "Machine\SOFTWARE\X"). */
export interface Notification {
  filter: number;
  kind: ChangeEvent['kind'];
  path: string;
  name?: string;
}

export class Watcher extends EventEmitter implements AsyncIterable<Notification> {
  private queue: Notification[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  constructor(
    readonly upath: string,
    readonly subtree: boolean,
    readonly filter: number,
    private readonly onClose: (w: Watcher) => void,
  ) {
    super();
  }
  /** @internal */
  deliver(n: Notification): void {
    if (this.closed) return;
    this.emit('change', n);
    this.queue.push(n);
    this.wake?.();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Notification> {
    while (true) {
      while (this.queue.length) yield this.queue.shift()!;
      if (this.closed) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export class NotifyHub {
  private readonly watchers = new Set<Watcher>();

  watch(path: string, opts: WatchOptions = {}): Watcher {
    const filter = opts.filter ?? REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_ATTRIBUTES | REG_NOTIFY_CHANGE_LAST_SET | REG_NOTIFY_CHANGE_SECURITY;
    const w = new Watcher(upcase(path), opts.subtree ?? false, filter, (x) => this.watchers.delete(x));
    this.watchers.add(w);
    return w;
  }

  get size(): number {
    return this.watchers.size;
  }

  dispatch(changes: readonly ChangeEvent[]): void {
    if (this.watchers.size === 0) return;
    for (const c of changes) {
      // The key whose state changed: a subkey added/removed changes its parent's name list.
      const named = c.kind === 'key-created' || c.kind === 'key-deleted';
      const filter = named ? REG_NOTIFY_CHANGE_NAME : c.kind === 'security' ? REG_NOTIFY_CHANGE_SECURITY : REG_NOTIFY_CHANGE_LAST_SET;
      const changed = upcase(named ? parentPath(c.path) : c.path);
      const self = upcase(c.path);
      for (const w of this.watchers) {
        if (!(w.filter & filter)) continue;
        const hit =
          w.upath === changed ||
          (c.kind === 'key-deleted' && w.upath === self) ||
          (w.subtree && (changed.startsWith(w.upath + '\\') || (named && self.startsWith(w.upath + '\\'))));
        if (hit) w.deliver({ filter, kind: c.kind, path: c.path, ...('name' in c ? { name: c.name } : {}) });
      }
    }
  }
}
