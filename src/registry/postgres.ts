// The PostgreSQL backend: several processes (on several machines) share one registry. Keys and values
// live in two tables; every write runs in one SQL transaction (READ COMMITTED) and locks only the key
// rows it depends on, so writes to independent keys run at the same time from any number of
// processes while the store's read-check-write rules hold as if writes ran one at a time:
//  - every key a write reads (the chain from \Registry down, the handle's key) is locked FOR KEY
//    SHARE: it cannot be deleted (nor renamed) until the write commits, but others may still change
//    its values and last-write time;
//  - a key whose values a write reads is locked FOR NO KEY UPDATE first (writes to one key's values
//    take turns, so a read-modify-write of a value loses nothing), then read with a fresh snapshot;
//  - a key whose subkey list or descriptor a write reads to change (delete, set security) is locked
//    FOR UPDATE first (lockKey), which waits for and then excludes the KEY SHARE holders;
//  - values are upserted per (key, name) and last-write times updated in place (row locks).
// Two writes racing to create the same key, or a deadlock between two multi-key writes, abort one of
// them, which runs again (the first has committed by then). Commit is the durability point
// (synchronous_commit as the server sets it). Committed changes are announced with
// NOTIFY so that other processes' watchers fire. Volatile keys carry the server's start time and are
// dropped when the server has restarted since (§3.1.1.2: not preserved across a restart).

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Win32Error } from '../util/win32.js';
import { upcase, parentPath, type ChangeEvent, type KeyRecord, type NewKey, type StorageBackend, type StoreReader, type StoreWriter, type ValueRecord } from './backend.js';
import { KEYF_VOLATILE } from './constants.js';

const CHANNEL = 'hivewire_registry';
const LOCK_ID = 0x68697665; // 'hive'
// SQLSTATEs after which a write runs again: deadlock_detected, serialization_failure,
// unique_violation (two writes created the same key).
const RETRY = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 50;
// NOTIFY payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hw_keys (
  id bigserial PRIMARY KEY,
  upath text COLLATE "C" NOT NULL UNIQUE,
  parent text COLLATE "C" NOT NULL,
  path text NOT NULL,
  class text NOT NULL,
  last_write bigint NOT NULL,
  flags integer NOT NULL,
  sd bytea NOT NULL,
  boot text
);
CREATE INDEX IF NOT EXISTS hw_keys_parent ON hw_keys (parent, upath);
CREATE TABLE IF NOT EXISTS hw_values (
  key_id bigint NOT NULL REFERENCES hw_keys (id) ON DELETE CASCADE,
  uname text COLLATE "C" NOT NULL,
  name text NOT NULL,
  type bigint NOT NULL,
  data bytea NOT NULL,
  ord bigserial,
  PRIMARY KEY (key_id, uname)
);
CREATE INDEX IF NOT EXISTS hw_values_ord ON hw_values (key_id, ord);
`;

type Query = (text: string, params?: unknown[]) => Promise<pg.QueryResult>;

interface KeyRow {
  id: string;
  path: string;
  class: string;
  last_write: string;
  flags: number;
  sd: Buffer;
}

const KEY_COLS = 'id, path, class, last_write, flags, sd';

function keyOf(r: KeyRow & { upath?: string }): KeyRecord {
  return { id: Number(r.id), path: r.path, ...(r.upath ? { upath: r.upath } : {}), className: r.class, lastWrite: BigInt(r.last_write), flags: r.flags, sd: r.sd };
}

function valueOf(r: { name: string; type: string; data: Buffer }): ValueRecord {
  return { name: r.name, type: Number(r.type), data: r.data };
}

class PgReader implements StoreReader {
  constructor(
    protected readonly q: Query,
    /** ' FOR KEY SHARE' in a write: the keys it reads stay until it commits. */
    private readonly hold = '',
  ) {}
  async key(upath: string): Promise<KeyRecord | undefined> {
    const r = await this.q(`SELECT ${KEY_COLS} FROM hw_keys WHERE upath = $1${this.hold}`, [upath]);
    return r.rows[0] ? keyOf(r.rows[0] as KeyRow) : undefined;
  }
  async subkeys(upath: string): Promise<KeyRecord[]> {
    const r = await this.q(`SELECT ${KEY_COLS} FROM hw_keys WHERE parent = $1 ORDER BY upath`, [upath]);
    return (r.rows as KeyRow[]).map(keyOf);
  }
  async subkeyCount(upath: string): Promise<number> {
    const r = await this.q(`SELECT count(*)::int AS n FROM hw_keys WHERE parent = $1`, [upath]);
    return (r.rows[0] as { n: number }).n;
  }
  async values(upath: string): Promise<ValueRecord[]> {
    const r = await this.q(`SELECT v.name, v.type, v.data FROM hw_values v JOIN hw_keys k ON k.id = v.key_id WHERE k.upath = $1 ORDER BY v.ord`, [upath]);
    return r.rows.map(valueOf);
  }
  async value(upath: string, uname: string): Promise<ValueRecord | undefined> {
    const r = await this.q(`SELECT v.name, v.type, v.data FROM hw_values v JOIN hw_keys k ON k.id = v.key_id WHERE k.upath = $1 AND v.uname = $2`, [upath, uname]);
    return r.rows[0] ? valueOf(r.rows[0]) : undefined;
  }
  async keyValue(upath: string, keyId: number, uname: string): Promise<ValueRecord | undefined | 'gone'> {
    const r = await this.q(`SELECT k.id, v.name, v.type, v.data FROM hw_keys k LEFT JOIN hw_values v ON v.key_id = k.id AND v.uname = $2 WHERE k.upath = $1`, [upath, uname]);
    const row = r.rows[0] as { id: string; name: string | null; type: string; data: Buffer } | undefined;
    if (!row || Number(row.id) !== keyId) return 'gone';
    return row.name === null ? undefined : valueOf(row as { name: string; type: string; data: Buffer });
  }
  async keyValues(upath: string, keyId: number): Promise<ValueRecord[] | 'gone'> {
    const r = await this.q(`SELECT k.id, v.name, v.type, v.data FROM hw_keys k LEFT JOIN hw_values v ON v.key_id = k.id WHERE k.upath = $1 ORDER BY v.ord`, [upath]);
    const rows = r.rows as { id: string; name: string | null; type: string; data: Buffer }[];
    if (!rows.length || Number(rows[0]!.id) !== keyId) return 'gone';
    return rows[0]!.name === null ? [] : rows.map((x) => valueOf(x as { name: string; type: string; data: Buffer }));
  }
  async chain(usegs: readonly string[]): Promise<(KeyRecord | undefined)[]> {
    const upaths: string[] = [];
    for (const seg of usegs) upaths.push(upaths.length ? upaths[upaths.length - 1] + '\\' + seg : seg);
    const r = await this.q(`SELECT upath, ${KEY_COLS} FROM hw_keys WHERE upath = ANY($1::text[])${this.hold}`, [upaths]);
    const by = new Map<string, KeyRecord>();
    for (const row of r.rows as (KeyRow & { upath: string })[]) by.set(row.upath, keyOf(row));
    return upaths.map((p) => by.get(p));
  }
}

class PgWriter extends PgReader implements StoreWriter {
  readonly changes: ChangeEvent[] = [];
  constructor(
    q: Query,
    private readonly boot: string,
  ) {
    super(q, ' FOR KEY SHARE');
  }
  async lockKey(upath: string): Promise<KeyRecord | undefined> {
    const r = await this.q(`SELECT ${KEY_COLS} FROM hw_keys WHERE upath = $1 FOR UPDATE`, [upath]);
    this.owned.add(upath);
    return r.rows[0] ? keyOf(r.rows[0] as KeyRow) : undefined;
  }
  // Keys whose values this write holds (see the header): locked once, in a statement of its own so
  // that the value read after it sees what the write it waited for committed.
  private readonly owned = new Set<string>();
  private async own(upath: string): Promise<void> {
    if (this.owned.has(upath)) return;
    await this.q(`SELECT 1 FROM hw_keys WHERE upath = $1 FOR NO KEY UPDATE`, [upath]);
    this.owned.add(upath);
  }
  override async values(upath: string): Promise<ValueRecord[]> {
    await this.own(upath);
    return super.values(upath);
  }
  override async value(upath: string, uname: string): Promise<ValueRecord | undefined> {
    await this.own(upath);
    return super.value(upath, uname);
  }
  override async keyValue(upath: string, keyId: number, uname: string): Promise<ValueRecord | undefined | 'gone'> {
    await this.own(upath);
    return super.keyValue(upath, keyId, uname);
  }
  override async keyValues(upath: string, keyId: number): Promise<ValueRecord[] | 'gone'> {
    await this.own(upath);
    return super.keyValues(upath, keyId);
  }
  async createKey(k: NewKey): Promise<KeyRecord> {
    const up = upcase(k.path);
    const r = await this.q(
      `INSERT INTO hw_keys (upath, parent, path, class, last_write, flags, sd, boot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [up, upcase(parentPath(k.path)), k.path, k.className, k.lastWrite.toString(), k.flags, k.sd, k.flags & KEYF_VOLATILE ? this.boot : null],
    );
    return { id: Number((r.rows[0] as { id: string }).id), path: k.path, className: k.className, lastWrite: k.lastWrite, flags: k.flags, sd: k.sd };
  }
  async updateKey(upath: string, patch: { lastWrite?: bigint; sd?: Buffer; className?: string }): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [upath];
    if (patch.lastWrite !== undefined) {
      params.push(patch.lastWrite.toString());
      sets.push(`last_write = $${params.length}`);
    }
    if (patch.sd) {
      params.push(patch.sd);
      sets.push(`sd = $${params.length}`);
    }
    if (patch.className !== undefined) {
      params.push(patch.className);
      sets.push(`class = $${params.length}`);
    }
    if (sets.length) await this.q(`UPDATE hw_keys SET ${sets.join(', ')} WHERE upath = $1`, params);
  }
  async deleteKey(upath: string): Promise<void> {
    // Descendants are exactly the paths between "<p>\" and "<p>]" in byte order ('\' is 0x5C, ']' 0x5D).
    await this.q(`DELETE FROM hw_keys WHERE upath = $1 OR (upath > $1 || '\\' AND upath < $1 || ']')`, [upath]);
  }
  async setValue(upath: string, v: ValueRecord): Promise<void> {
    await this.q(
      `INSERT INTO hw_values (key_id, uname, name, type, data) SELECT id, $2, $3, $4, $5 FROM hw_keys WHERE upath = $1
       ON CONFLICT (key_id, uname) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, data = EXCLUDED.data`,
      [upath, upcase(v.name), v.name, v.type, v.data],
    );
  }
  async deleteValue(upath: string, uname: string): Promise<boolean> {
    const r = await this.q(`DELETE FROM hw_values v USING hw_keys k WHERE k.id = v.key_id AND k.upath = $1 AND v.uname = $2`, [upath, uname]);
    return (r.rowCount ?? 0) > 0;
  }
}

export interface PostgresOptions {
  log?: (message: string) => void;
  /** Pool size (default 16: independent writes run at the same time). */
  max?: number;
}

export class PostgresBackend implements StorageBackend {
  readonly kind = 'postgres' as const;
  private readonly origin = randomUUID();
  private readonly listeners: ((c: ChangeEvent[]) => void)[] = [];
  private listenClient: pg.Client | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly boot: string,
    private readonly url: string,
  ) {}

  static async open(url: string, opts: PostgresOptions = {}): Promise<PostgresBackend> {
    const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 16 });
    pool.on('error', (e) => opts.log?.(`postgres: ${e.message}`));
    try {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query(`SELECT pg_advisory_xact_lock(${LOCK_ID})`);
        await c.query(SCHEMA);
        const boot = String((await c.query(`SELECT pg_postmaster_start_time()::text AS t`)).rows[0].t);
        // Volatile keys of an earlier server run are gone (§3.1.1.2).
        await c.query(`DELETE FROM hw_keys WHERE boot IS NOT NULL AND boot <> $1`, [boot]);
        await c.query('COMMIT');
        const b = new PostgresBackend(pool, boot, url);
        return b;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        c.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Win32Error('ERROR_REGISTRY_IO_FAILED', `postgres: ${(err as Error).message}`);
    }
  }

  async read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T> {
    return fn(new PgReader((text, params) => this.pool.query(prepared(text, params))));
  }

  async write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        const w = new PgWriter((text, params) => c.query(prepared(text, params)), this.boot);
        const result = await fn(w);
        for (const payload of chunkChanges(this.origin, w.changes)) await c.query(`SELECT pg_notify($1, $2)`, [CHANNEL, payload]);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && RETRY.has(code) && attempt < MAX_ATTEMPTS) {
          // Lost a race with another write that has committed or will: run again, a little later.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
          continue;
        }
        if (err instanceof Error && !(err instanceof Win32Error) && 'severity' in err) {
          throw new Win32Error('ERROR_REGISTRY_IO_FAILED', `postgres: ${err.message}`);
        }
        throw err;
      } finally {
        c.release();
      }
    }
  }

  async flush(): Promise<void> {
    // Every acknowledged write is a committed transaction: nothing is pending here.
  }

  onRemoteChanges(listener: (changes: ChangeEvent[]) => void): void {
    this.listeners.push(listener);
    if (this.listenClient) return;
    const client = new pg.Client({ connectionString: this.url });
    this.listenClient = client;
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const m = JSON.parse(msg.payload) as { o: string; c: ChangeEvent[] };
        if (m.o === this.origin) return;
        for (const l of this.listeners) l(m.c);
      } catch {
        /* not ours */
      }
    });
    client.on('error', () => undefined);
    this.listening = client.connect().then(() => client.query(`LISTEN ${CHANNEL}`)).then(() => undefined);
    this.listening.catch(() => undefined);
  }

  /** Resolves once LISTEN is active (tests wait for it before writing from another process). */
  listening: Promise<void> | undefined;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.listenClient) await this.listenClient.end().catch(() => undefined);
    await this.pool.end();
  }
}

// Statements by text, each prepared once per connection under its name: the server then parses and
// plans it once instead of at every call (a look-up costs a round trip plus that work).
const statements = new Map<string, string>();
function prepared(text: string, values: unknown[] | undefined): pg.QueryConfig {
  let name = statements.get(text);
  if (!name) statements.set(text, (name = `hw${statements.size}`));
  return { name, text, values: values ?? [] };
}

function chunkChanges(origin: string, changes: readonly ChangeEvent[]): string[] {
  const out: string[] = [];
  let batch: ChangeEvent[] = [];
  let size = 0;
  for (const c of changes) {
    const len = JSON.stringify(c).length;
    if (len > MAX_PAYLOAD) continue; // a path this long cannot be announced; watchers poll instead
    if (size + len > MAX_PAYLOAD && batch.length) {
      out.push(JSON.stringify({ o: origin, c: batch }));
      batch = [];
      size = 0;
    }
    batch.push(c);
    size += len + 1;
  }
  if (batch.length) out.push(JSON.stringify({ o: origin, c: batch }));
  return out;
}
