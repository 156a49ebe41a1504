// Context handles (C706 App. N; 20 bytes: attributes u32 + uuid) held per association group
// (MS-RPCE §3.3.1.4.1), run down when the last connection of the group goes away (§3.3.3.7.1).
import { randomBytes } from 'node:crypto';
import { RpcFault } from './errors.js';
import { STATUS } from './status.js';

export const CONTEXT_HANDLE_SIZE = 20;

interface Entry {
  value: unknown;
  rundown?: ((value: unknown) => void) | undefined;
}

export class ContextHandleTable {
  private readonly entries = new Map<string, Entry>();

  /** Opens a handle on `value`; `rundown` runs if the association ends while it is still open. */
  create<T>(value: T, rundown?: (value: T) => void): Buffer {
    const handle = Buffer.alloc(CONTEXT_HANDLE_SIZE);
    randomBytes(16).copy(handle, 4);
    this.entries.set(handle.toString('hex'), { value, rundown: rundown as ((v: unknown) => void) | undefined });
    return handle;
  }

  /** The value behind a handle; a NULL, unknown or closed handle is fault nca_s_fault_context_mismatch. */
  get<T>(handle: Buffer): T {
    const e = handle.length === CONTEXT_HANDLE_SIZE ? this.entries.get(handle.toString('hex')) : undefined;
    if (!e) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
    return e.value as T;
  }

  has(handle: Buffer): boolean {
    return handle.length === CONTEXT_HANDLE_SIZE && this.entries.has(handle.toString('hex'));
  }

  /** Closes a handle (no rundown); returns the value. Unknown handles fault like `get`. */
  close<T>(handle: Buffer): T {
    const value = this.get<T>(handle);
    this.entries.delete(handle.toString('hex'));
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Runs every open handle down (the association ended). Rundown errors are swallowed: no one is left to tell. */
  rundownAll(): void {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) {
      try {
        e.rundown?.(e.value);
      } catch {
        // a failing rundown must not keep the other handles from being released
      }
    }
  }
}
