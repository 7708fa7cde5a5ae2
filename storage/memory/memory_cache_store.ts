/**
 * The response cache's persistent tier kept in a Map: the same rules as the
 * LMDB tier (an expired entry is a miss and is removed, `prune` sweeps, the
 * statistics add up), nothing survives the process.
 */
import type { CachedResponse, CacheStore, CacheStoreSize } from "../../engine/cache/cache_store.ts";
import { addCacheStats, type CacheStats, emptyCacheStats } from "../../engine/cache/cache_stats.ts";

/** A `CacheStore` in memory. */
export function createMemoryCacheStore(): CacheStore {
  const entries = new Map<string, CachedResponse>();
  let stats: CacheStats = emptyCacheStats();
  let epoch = 0;
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= nowMs) {
        entries.delete(key);
        return undefined;
      }
      return entry;
    },
    put(key, response) {
      entries.set(key, response);
      return Promise.resolve();
    },
    delete(key) {
      return Promise.resolve(entries.delete(key));
    },
    prune(nowMs) {
      let removed = 0;
      for (const [key, entry] of entries) {
        if (entry.expiresAt <= nowMs) {
          entries.delete(key);
          removed++;
        }
      }
      return Promise.resolve(removed);
    },
    clear() {
      const removed = entries.size;
      entries.clear();
      epoch++;
      return Promise.resolve(removed);
    },
    epoch: () => epoch,
    size(): CacheStoreSize {
      let bytes = 0;
      for (const entry of entries.values()) bytes += entry.text.length;
      return { entries: entries.size, bytes };
    },
    addStats(delta) {
      stats = addCacheStats(stats, delta);
      return Promise.resolve();
    },
    readStats() {
      return addCacheStats(emptyCacheStats(), stats);
    },
    resetStats() {
      stats = emptyCacheStats();
      return Promise.resolve();
    },
  };
}
