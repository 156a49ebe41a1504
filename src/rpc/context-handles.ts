// Context handles (C706 App. N; 20 bytes: attributes u32 + uuid) held per association group
// (MS-RPCE §3.3.1.4.1), run down when the last connection of the group goes away (§3.3.3.7.1).
//
// Handles are keyed by their uuid in the string form the NDR layer decodes them to, so that a server
// looking up a decoded handle converts nothing. The uuids are random (16 bytes from a pool refilled
// with randomFillSync): a handle cannot be guessed, and one from another association is unknown here.
import { randomFillSync } from 'node:crypto';
import { RpcFault } from './errors.js';
import { STATUS } from './status.js';

export const CONTEXT_HANDLE_SIZE = 20;

/** A context handle as the NDR layer decodes it (`contextHandle()` in src/ndr). */
export interface ContextHandleValue {
  attributes: number;
  uuid: string;
}

interface Entry {
  value: unknown;
  rundown?: ((value: unknown) => void) | undefined;
}

const POOL_SIZE = 16 * 256;
let pool = Buffer.alloc(0);
let poolAt = POOL_SIZE;

const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const scratch = Buffer.from('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', 'latin1');
// where each of the 16 packet bytes goes in the string form (Data1..3 little-endian, Data4 as is)
const SLOT = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];

/** The uuid of the 16 bytes at `p` in the lower-case form the NDR layer produces (MS-DTYP §2.3.4.3). */
function uuidAt(b: Buffer, p: number): string {
  for (let i = 0; i < 16; i++) {
    const v = b[p + i]!;
    scratch[SLOT[i]!] = DIGITS[v >> 4]!;
    scratch[SLOT[i]! + 1] = DIGITS[v & 15]!;
  }
  return scratch.toString('latin1', 0, 36);
}

function randomUuid(): string {
  if (poolAt === POOL_SIZE) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    poolAt = 0;
  }
  const u = uuidAt(pool, poolAt);
  poolAt += 16;
  return u;
}

/** The 20 wire bytes of a handle value. */
export function contextHandleBytes(h: ContextHandleValue): Buffer {
  const b = Buffer.alloc(CONTEXT_HANDLE_SIZE);
  b.writeUInt32LE(h.attributes >>> 0, 0);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(h.uuid)) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
  for (let i = 0; i < 16; i++) b[4 + i] = parseInt(h.uuid.substr(SLOT[i]!, 2), 16);
  return b;
}

/** The handle value of 20 wire bytes. */
export function contextHandleValue(b: Buffer): ContextHandleValue {
  return { attributes: b.readUInt32LE(0), uuid: uuidAt(b, 4) };
}

export class ContextHandleTable {
  private readonly entries = new Map<string, Entry>();

  /** Opens a handle on `value`; `rundown` runs if the association ends while it is still open. */
  open<T>(value: T, rundown?: (value: T) => void): ContextHandleValue {
    let uuid = randomUuid();
    while (this.entries.has(uuid)) uuid = randomUuid();
    this.entries.set(uuid, { value, rundown: rundown as ((v: unknown) => void) | undefined });
    return { attributes: 0, uuid };
  }

  /** The value behind a handle; a NULL, unknown or closed handle is fault nca_s_fault_context_mismatch. */
  lookup<T>(h: ContextHandleValue): T {
    const e = h.attributes === 0 ? this.entries.get(h.uuid) : undefined;
    if (!e) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
    return e.value as T;
  }

  contains(h: ContextHandleValue): boolean {
    return h.attributes === 0 && this.entries.has(h.uuid);
  }

  /** Closes a handle (no rundown); returns the value. Unknown handles fault like `lookup`. */
  remove<T>(h: ContextHandleValue): T {
    const value = this.lookup<T>(h);
    this.entries.delete(h.uuid);
    return value;
  }

  // The same on the 20 wire bytes, for servers that keep handles as Buffers.

  create<T>(value: T, rundown?: (value: T) => void): Buffer {
    return contextHandleBytes(this.open(value, rundown));
  }

  get<T>(handle: Buffer): T {
    if (handle.length !== CONTEXT_HANDLE_SIZE) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
    return this.lookup<T>(contextHandleValue(handle));
  }

  has(handle: Buffer): boolean {
    return handle.length === CONTEXT_HANDLE_SIZE && this.contains(contextHandleValue(handle));
  }

  close<T>(handle: Buffer): T {
    if (handle.length !== CONTEXT_HANDLE_SIZE) throw new RpcFault(STATUS.nca_s_fault_context_mismatch);
    return this.remove<T>(contextHandleValue(handle));
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
