/**
 * The two-tier response cache: a bounded in-process LRU (`MemoryCache`) in
 * front of an optional persistent `CacheStore` (the workspace's LMDB). A
 * lookup tries memory, then the store (promoting what it finds); both tiers
 * honour the TTL against the injected clock. It also keeps the statistics:
 * this process's counts in memory, and deltas flushed to the store so that
 * totals add up across processes. A flush never takes a write transaction
 * of its own per hit or miss: it is issued together with a cache entry's
 * write (so both land in one commit), or when counts have waited
 * `statsFlushIntervalMs` (by the injected clock, checked as counts arrive),
 * and always by `flush()` and `close()` (call one before exit).
 *
 * @example
 * ```ts
 * const cache = new ResponseCache({ store, now: () => context.now().getTime() });
 * const hit = cache.lookup(key);
 * await cache.close();
 * ```
 */
import type { TokenUsage } from "../run_model.ts";
import {
  addCacheStats,
  type CacheStats,
  emptyCacheStats,
  hasCacheActivity,
} from "./cache_stats.ts";
import type { CachedResponse, CacheStore, CacheStoreSize } from "./cache_store.ts";
import { MemoryCache } from "./memory_cache.ts";

/** Default time to live: 24 hours. */
export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/** Options for `ResponseCache`. */
export interface ResponseCacheOptions {
  /** The persistent tier; without one the cache lives only in this process. */
  store?: CacheStore;
  /** Memory tier bounds (defaults 1000 entries, 64 MiB). */
  maxEntries?: number;
  maxBytes?: number;
  /** How long an answer is served (default 24 h). */
  ttlMs?: number;
  /** Current time in ms (from the engine context). */
  now: () => number;
  /** Longest time counts wait in memory before a flush of their own (default 1 s). */
  statsFlushIntervalMs?: number;
}

/** Default longest wait of counted statistics before they are written on their own. */
export const DEFAULT_STATS_FLUSH_INTERVAL_MS = 1000;

/** A snapshot of the cache's state. */
export interface ResponseCacheReport {
  /** This process since it started. */
  session: CacheStats;
  /** Persisted totals across processes, plus this process's unflushed counts. */
  total: CacheStats;
  memory: { entries: number; bytes: number; maxEntries: number; maxBytes: number };
  persistent?: CacheStoreSize;
  ttlMs: number;
}

function sizeOfResponse(response: CachedResponse): number {
  return response.text.length * 2 + response.provider.length * 2 + response.modelId.length * 2 +
    160;
}

/** Memory LRU over a persistent store, with TTL and statistics. */
export class ResponseCache {
  readonly ttlMs: number;
  readonly #store?: CacheStore;
  readonly #memory: MemoryCache<CachedResponse>;
  readonly #now: () => number;
  #session = emptyCacheStats();
  #delta = emptyCacheStats();
  #flushing?: Promise<void>;
  #dirty = false;
  readonly #statsFlushIntervalMs: number;
  /** When statistics were last handed to the store (ms, by `now`). */
  #statsFlushedAt: number;
  readonly #pendingWrites = new Set<Promise<unknown>>();
  /** The store's epoch the memory tier was filled under. */
  #epoch: number;

  constructor(options: ResponseCacheOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
    this.#store = options.store;
    this.#now = options.now;
    this.#statsFlushIntervalMs = options.statsFlushIntervalMs ?? DEFAULT_STATS_FLUSH_INTERVAL_MS;
    this.#statsFlushedAt = this.#now();
    this.#memory = new MemoryCache<CachedResponse>({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      sizeOf: sizeOfResponse,
      onEvict: () => this.#count({ evictions: 1 }),
    });
    this.#epoch = this.#store?.epoch() ?? 0;
  }

  /** The stored answer for `key`, or undefined (absent or expired). Counts nothing. */
  lookup(key: string): CachedResponse | undefined {
    const now = this.#now();
    this.#followClears();
    const remembered = this.#memory.get(key);
    if (remembered) {
      if (remembered.expiresAt > now) return remembered;
      this.#memory.delete(key);
      this.#count({ expired: 1 });
    }
    const stored = this.#store?.get(key, now);
    if (!stored) return undefined;
    this.#memory.set(key, stored);
    return stored;
  }

  /**
   * Stores a complete answer in both tiers (the persistent write finishes in
   * the background, with the counted statistics in the same commit).
   */
  save(key: string, response: Omit<CachedResponse, "createdAt" | "expiresAt">): void {
    const createdAt = this.#now();
    const entry: CachedResponse = { ...response, createdAt, expiresAt: createdAt + this.ttlMs };
    this.#memory.set(key, entry);
    this.#count({ writes: 1 });
    if (!this.#store) return;
    this.#track(this.#store.put(key, entry));
    // Issued in the same turn as the put: the store commits both in one transaction.
    this.#scheduleStatsFlush();
  }

  /** Counts a hit and what it saved. */
  recordHit(usage: TokenUsage): void {
    this.#count({ hits: 1, tokensSaved: usage.totalTokens, costSavedUsd: usage.costUsd });
  }

  /** Counts a miss. */
  recordMiss(): void {
    this.#count({ misses: 1 });
  }

  /** Removes expired entries from both tiers; returns how many the store dropped. */
  async prune(): Promise<number> {
    const now = this.#now();
    let removed = 0;
    for (const key of this.#memory.keys()) {
      const entry = this.#memory.get(key);
      if (entry && entry.expiresAt <= now) {
        this.#memory.delete(key);
        if (!this.#store) removed++;
      }
    }
    if (this.#store) removed += await this.#store.prune(now);
    this.#count({ expired: removed });
    return removed;
  }

  /** Removes every entry from both tiers; returns how many were held (store, else memory). */
  async clear(): Promise<number> {
    const inMemory = this.#memory.size;
    this.#memory.clear();
    await this.#settleWrites();
    if (!this.#store) return inMemory;
    const removed = await this.#store.clear();
    this.#epoch = this.#store.epoch();
    return removed;
  }

  /** Forgets what the memory tier holds when another cache (or process) cleared the store. */
  #followClears(): void {
    if (!this.#store) return;
    const epoch = this.#store.epoch();
    if (epoch === this.#epoch) return;
    this.#epoch = epoch;
    this.#memory.clear();
  }

  /** Statistics and sizes. */
  report(): ResponseCacheReport {
    const persisted = this.#store?.readStats() ?? emptyCacheStats();
    return {
      session: { ...this.#session },
      total: addCacheStats(persisted, this.#delta),
      memory: {
        entries: this.#memory.size,
        bytes: this.#memory.bytes,
        maxEntries: this.#memory.maxEntries,
        maxBytes: this.#memory.maxBytes,
      },
      persistent: this.#store?.size(),
      ttlMs: this.ttlMs,
    };
  }

  /** Waits for background writes and persists the counted statistics. */
  async flush(): Promise<void> {
    await this.#settleWrites();
    this.#scheduleStatsFlush();
    await this.#flushing;
  }

  /** Flushes; the store itself belongs to whoever opened it. */
  async close(): Promise<void> {
    await this.flush();
  }

  #count(delta: Partial<CacheStats>): void {
    this.#session = addCacheStats(this.#session, delta);
    this.#delta = addCacheStats(this.#delta, delta);
    if (this.#store && this.#now() - this.#statsFlushedAt >= this.#statsFlushIntervalMs) {
      this.#scheduleStatsFlush();
    }
  }

  #scheduleStatsFlush(): void {
    const store = this.#store;
    if (!store) return;
    this.#statsFlushedAt = this.#now();
    if (this.#flushing) {
      this.#dirty = true;
      return;
    }
    this.#flushing = (async () => {
      try {
        do {
          this.#dirty = false;
          await Promise.resolve();
          const delta = this.#delta;
          this.#delta = emptyCacheStats();
          if (hasCacheActivity(delta)) {
            try {
              await store.addStats(delta);
            } catch {
              // Statistics are best-effort: a failed write keeps the counts for the next flush.
              this.#delta = addCacheStats(this.#delta, delta);
              return;
            }
          }
        } while (this.#dirty);
      } finally {
        this.#flushing = undefined;
      }
    })();
  }

  #track(write: Promise<unknown>): void {
    const tracked = write.catch(() => undefined).finally(() => this.#pendingWrites.delete(tracked));
    this.#pendingWrites.add(tracked);
  }

  async #settleWrites(): Promise<void> {
    while (this.#pendingWrites.size > 0) await Promise.all([...this.#pendingWrites]);
  }
}
