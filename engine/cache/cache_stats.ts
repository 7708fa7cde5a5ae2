/**
 * Cache statistics: hits, misses, evictions (LRU), expirations (TTL), writes,
 * tokens and cost saved, and the hit rate derived from them. Counts are
 * added as deltas so several processes sharing one workspace can each add
 * theirs to the persisted totals.
 */

/** Counters of cache activity. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries pushed out of the memory tier by its bounds. */
  evictions: number;
  /** Entries dropped because their TTL passed. */
  expired: number;
  /** Answers stored. */
  writes: number;
  /** Tokens (input + output) the hits did not spend. */
  tokensSaved: number;
  /** US dollars the hits did not spend. */
  costSavedUsd: number;
}

/** Every counter at zero. */
export function emptyCacheStats(): CacheStats {
  return {
    hits: 0,
    misses: 0,
    evictions: 0,
    expired: 0,
    writes: 0,
    tokensSaved: 0,
    costSavedUsd: 0,
  };
}

/** Sum of two sets of counters (missing fields count as zero). */
export function addCacheStats(a: Partial<CacheStats>, b: Partial<CacheStats>): CacheStats {
  const sum = emptyCacheStats();
  for (const key of Object.keys(sum) as (keyof CacheStats)[]) {
    sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return sum;
}

/** Whether any counter is non-zero. */
export function hasCacheActivity(stats: CacheStats): boolean {
  return Object.values(stats).some((value) => value !== 0);
}

/** hits / (hits + misses), or 0 before any lookup. */
export function hitRate(stats: Pick<CacheStats, "hits" | "misses">): number {
  const lookups = stats.hits + stats.misses;
  return lookups === 0 ? 0 : stats.hits / lookups;
}
