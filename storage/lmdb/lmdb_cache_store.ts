/**
 * The response cache's persistent tier in the workspace's LMDB environment
 * (named store `llm_cache`, beside the event store): entries under
 * `e:<sha256>`, the persisted statistics under `s:stats`. An entry past its
 * expiry is a miss and is removed; `prune` sweeps them all. Reads are
 * synchronous memory-mapped lookups (microseconds); writes are LMDB's batched
 * asynchronous commits, so an entry (and the statistics the response cache
 * writes with it) issued in the same turn as an event append, as a
 * candidate's answer and its record are, shares the append's durable commit.
 * Several processes may share it.
 *
 * @example
 * ```ts
 * const database = openWorkspaceDatabase(directory);
 * const store = createLmdbCacheStore(database);
 * const cache = new ResponseCache({ store, now: () => Date.now() });
 * ```
 */
import type { Database } from "lmdb";
import type { CachedResponse, CacheStore, CacheStoreSize } from "../../engine/cache/cache_store.ts";
import { addCacheStats, type CacheStats, emptyCacheStats } from "../../engine/cache/cache_stats.ts";
import type { WorkspaceDatabase } from "./workspace_database.ts";

/** Name of the store inside the workspace environment. */
export const CACHE_STORE_NAME = "llm_cache";

const ENTRY_PREFIX = "e:";
const ENTRY_END = "e;";
const STATS_KEY = "s:stats";
const EPOCH_KEY = "s:epoch";

/** The LMDB-backed `CacheStore` of a workspace. */
export function createLmdbCacheStore(database: WorkspaceDatabase): CacheStore {
  const store = database.openStore<CachedResponse | CacheStats, string>(CACHE_STORE_NAME, {
    encoding: "msgpack",
  });
  const entries = store as unknown as Database<CachedResponse, string>;
  const range = { start: ENTRY_PREFIX, end: ENTRY_END };

  return {
    get(key, nowMs) {
      const entry = entries.get(ENTRY_PREFIX + key);
      if (!entry) return undefined;
      if (entry.expiresAt <= nowMs) {
        // Remove only if it is still the same expired entry (another process may have refreshed it).
        database.transaction(() => {
          const current = entries.get(ENTRY_PREFIX + key);
          if (current && current.expiresAt <= nowMs) entries.removeSync(ENTRY_PREFIX + key);
        }).catch(() => undefined);
        return undefined;
      }
      return entry;
    },
    async put(key, response) {
      await entries.put(ENTRY_PREFIX + key, response);
    },
    async delete(key) {
      return await entries.remove(ENTRY_PREFIX + key);
    },
    async prune(nowMs) {
      return await database.transaction(() => {
        let removed = 0;
        for (const { key, value } of entries.getRange(range)) {
          if (value.expiresAt <= nowMs) {
            entries.removeSync(key);
            removed++;
          }
        }
        return removed;
      });
    },
    async clear() {
      return await database.transaction(() => {
        let removed = 0;
        for (const key of entries.getKeys(range)) {
          entries.removeSync(key);
          removed++;
        }
        const epoch = (store.get(EPOCH_KEY) as unknown as number | undefined) ?? 0;
        store.putSync(EPOCH_KEY, (epoch + 1) as unknown as CacheStats);
        return removed;
      });
    },
    epoch() {
      return (store.get(EPOCH_KEY) as unknown as number | undefined) ?? 0;
    },
    size(): CacheStoreSize {
      let count = 0;
      let bytes = 0;
      for (const { value } of entries.getRange(range)) {
        count++;
        bytes += value.text.length;
      }
      return { entries: count, bytes };
    },
    async addStats(delta) {
      await database.transaction(() => {
        const current = store.get(STATS_KEY) as CacheStats | undefined;
        store.putSync(STATS_KEY, addCacheStats(current ?? {}, delta));
      });
    },
    readStats() {
      return addCacheStats(
        emptyCacheStats(),
        (store.get(STATS_KEY) as CacheStats | undefined) ?? {},
      );
    },
    async resetStats() {
      await store.remove(STATS_KEY);
    },
  };
}
