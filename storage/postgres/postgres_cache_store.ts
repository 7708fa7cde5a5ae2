/**
 * The response cache's persistent tier in PostgreSQL, shared by every
 * instance: entries in `writeit_cache_entries` (keyed by workspace and
 * content-addressed key, with their expiry), the epoch and persisted
 * statistics in `writeit_cache_meta`.
 *
 * The CacheStore interface reads synchronously (`get`, `epoch`, `size`,
 * `readStats`: the engine looks entries up on its hot path), so this store
 * keeps a mirror of the workspace's entries in the process and reads from
 * it; writes go to the database first and then to the mirror. Every write
 * draws a new `revision` from one sequence and notifies `writeit_cache`
 * with the workspace's name; on a notification (and on a slow poll, in case
 * one was dropped) the mirror reads the rows with a newer revision, and
 * reloads everything when the epoch moved (another process cleared the
 * cache). A delete leaves a tombstone row (no entry) so other mirrors learn
 * of it; `prune` removes expired entries and tombstones. So each process's
 * memory tier (engine/cache/) sees `epoch()` move soon after any process
 * clears the cache, and drops what it remembers.
 *
 * The mirror holds the workspace's whole persistent tier in memory; a tier
 * too large for that needs an asynchronous `CacheStore.get`.
 *
 * @example
 * ```ts
 * const store = await PostgresCacheStore.open(sql, { workspace: "default" });
 * const cache = new ResponseCache({ store, now: () => Date.now() });
 * ```
 */
import { clearInterval, setInterval } from "node:timers";
import type { CachedResponse, CacheStore, CacheStoreSize } from "../../engine/cache/cache_store.ts";
import { addCacheStats, type CacheStats, emptyCacheStats } from "../../engine/cache/cache_stats.ts";
import { databaseError, type Sql, withDatabaseErrors } from "./postgres_connection.ts";

/** The channel cache writes notify. */
export const CACHE_CHANNEL = "writeit_cache";

/** Options of the PostgreSQL cache tier. */
export interface PostgresCacheStoreOptions {
  workspace: string;
  /** How often the mirror reads other processes' writes besides notifications (default 5000 ms). */
  pollIntervalMs?: number;
  /** The database URL, for error messages. */
  url?: string;
}

interface EntryRow {
  key: string;
  entry: CachedResponse | null;
  revision: number;
}

/** The PostgreSQL-backed `CacheStore` of a workspace. */
export class PostgresCacheStore implements CacheStore {
  readonly #sql: Sql;
  readonly #workspace: string;
  readonly #url: string;
  readonly #entries = new Map<string, CachedResponse>();
  #revision = 0;
  #epoch = 0;
  #stats: CacheStats = emptyCacheStats();
  #syncing?: Promise<void>;
  #again = false;
  #poller?: ReturnType<typeof setInterval>;
  #unlisten?: () => Promise<void>;
  #closed = false;

  /** Loads the workspace's entries and starts following other processes' writes. */
  static async open(sql: Sql, options: PostgresCacheStoreOptions): Promise<PostgresCacheStore> {
    const store = new PostgresCacheStore(sql, options);
    try {
      await sql`insert into writeit_cache_meta (workspace) values (${options.workspace})
        on conflict do nothing`;
      await store.#sync();
      const listening = await sql.listen(CACHE_CHANNEL, (payload) => {
        if (payload === options.workspace) store.refresh();
      }, () => store.refresh());
      store.#unlisten = () => listening.unlisten();
    } catch (error) {
      throw databaseError(store.#url, error);
    }
    store.#poller = setInterval(() => store.refresh(), options.pollIntervalMs ?? 5000);
    store.#poller.unref();
    return store;
  }

  private constructor(sql: Sql, options: PostgresCacheStoreOptions) {
    this.#sql = sql;
    this.#workspace = options.workspace;
    this.#url = options.url ?? "postgres";
  }

  /** Reads what other processes wrote since the last read (in the background). */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#sync();
        } while (this.#again && !this.#closed);
      } catch {
        // The next notification or poll tries again.
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const [meta] = await this.#sql<{ epoch: number; stats: CacheStats }[]>`
      select epoch, stats from writeit_cache_meta where workspace = ${this.#workspace}`;
    if (meta) {
      this.#stats = addCacheStats(emptyCacheStats(), meta.stats);
      if (meta.epoch !== this.#epoch) {
        this.#epoch = meta.epoch;
        this.#entries.clear();
        this.#revision = 0;
      }
    }
    // A full load (at open, or after a clear) skips tombstones.
    const full = this.#revision === 0 && this.#entries.size === 0;
    const rows = await this.#sql<EntryRow[]>`
      select key, entry, revision from writeit_cache_entries
      where workspace = ${this.#workspace} and revision > ${this.#revision}
        ${full ? this.#sql`and entry is not null` : this.#sql``}
      order by revision`;
    for (const row of rows) {
      if (row.entry === null) this.#entries.delete(row.key);
      else this.#entries.set(row.key, row.entry);
      this.#revision = Math.max(this.#revision, row.revision);
    }
  }

  /** Records a write of this process at `revision`: when nothing came between, the mirror is current. */
  #wrote(revision: number): void {
    if (revision === this.#revision + 1) this.#revision = revision;
  }

  get(key: string, nowMs: number): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#entries.delete(key);
      // Remove only if it is still the same expired entry (another process may have refreshed it).
      this.#sql`delete from writeit_cache_entries
        where workspace = ${this.#workspace} and key = ${key} and expires_at <= ${nowMs}`
        .catch(() => undefined);
      return undefined;
    }
    return entry;
  }

  async put(key: string, response: CachedResponse): Promise<void> {
    this.#entries.set(key, response);
    const [row] = await this.#guard(() =>
      this.#sql<{ revision: number }[]>`
        with written as (
          insert into writeit_cache_entries (workspace, key, entry, expires_at)
          values (${this.#workspace}, ${key}, ${JSON.stringify(response)}::text::json,
            ${response.expiresAt})
          on conflict (workspace, key) do update set entry = excluded.entry,
            expires_at = excluded.expires_at, revision = nextval('writeit_cache_revision')
          returning revision
        )
        select revision, pg_notify(${CACHE_CHANNEL}, ${this.#workspace}) from written`
    );
    if (row) this.#wrote(row.revision);
  }

  async delete(key: string): Promise<boolean> {
    const had = this.#entries.delete(key);
    const rows = await this.#guard(() =>
      this.#sql<{ revision: number; had: boolean }[]>`
        with old as (
          select entry is not null as had from writeit_cache_entries
          where workspace = ${this.#workspace} and key = ${key}
        ), written as (
          update writeit_cache_entries set entry = null,
            revision = nextval('writeit_cache_revision')
          where workspace = ${this.#workspace} and key = ${key}
          returning revision
        )
        select written.revision, old.had, pg_notify(${CACHE_CHANNEL}, ${this.#workspace})
        from written, old`
    );
    if (rows[0]) this.#wrote(rows[0].revision);
    return rows[0]?.had ?? had;
  }

  async prune(nowMs: number): Promise<number> {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= nowMs) this.#entries.delete(key);
    }
    const [row] = await this.#guard(() =>
      this.#sql<{ removed: number }[]>`
        with gone as (
          delete from writeit_cache_entries
          where workspace = ${this.#workspace} and (expires_at <= ${nowMs} or entry is null)
          returning entry is not null as expired
        )
        select count(*) filter (where expired)::integer as removed from gone`
    );
    return row?.removed ?? 0;
  }

  async clear(): Promise<number> {
    const removed = await this.#guard(() =>
      this.#sql.begin(async (tx) => {
        const [meta] = await tx<{ epoch: number }[]>`
          update writeit_cache_meta set epoch = epoch + 1
          where workspace = ${this.#workspace} returning epoch`;
        const [row] = await tx<{ removed: number }[]>`
          with gone as (
            delete from writeit_cache_entries where workspace = ${this.#workspace}
            returning entry is not null as live
          )
          select count(*) filter (where live)::integer as removed from gone`;
        await tx`select pg_notify(${CACHE_CHANNEL}, ${this.#workspace})`;
        this.#epoch = meta?.epoch ?? this.#epoch + 1;
        return row?.removed ?? 0;
      })
    );
    this.#entries.clear();
    this.#revision = 0;
    return removed;
  }

  epoch(): number {
    return this.#epoch;
  }

  size(): CacheStoreSize {
    let bytes = 0;
    for (const entry of this.#entries.values()) bytes += entry.text.length;
    return { entries: this.#entries.size, bytes };
  }

  async addStats(delta: CacheStats): Promise<void> {
    this.#stats = addCacheStats(this.#stats, delta);
    await this.#guard(() =>
      this.#sql.begin(async (tx) => {
        const [meta] = await tx<{ stats: CacheStats }[]>`
          select stats from writeit_cache_meta where workspace = ${this.#workspace} for update`;
        const stats = addCacheStats(meta?.stats ?? {}, delta);
        await tx`update writeit_cache_meta set stats = ${JSON.stringify(stats)}::text::jsonb
          where workspace = ${this.#workspace}`;
        this.#stats = stats;
      })
    );
  }

  readStats(): CacheStats {
    return { ...this.#stats };
  }

  async resetStats(): Promise<void> {
    this.#stats = emptyCacheStats();
    await this.#guard(() =>
      this.#sql`update writeit_cache_meta set stats = '{}' where workspace = ${this.#workspace}`
    );
  }

  #guard<T>(body: () => Promise<T>): Promise<T> {
    return withDatabaseErrors(this.#url, body);
  }

  /** Stops following other processes' writes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poller !== undefined) clearInterval(this.#poller);
    await this.#syncing;
    await this.#unlisten?.().catch(() => undefined);
  }
}
