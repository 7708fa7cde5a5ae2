/**
 * The persistent tier of the response cache, as an interface the engine
 * talks to (`storage/lmdb/lmdb_cache_store.ts` implements it in the workspace's
 * LMDB). Entries carry their expiry; the store treats an expired entry as a
 * miss and prunes it. Statistics are persisted beside the entries so totals
 * add up across processes.
 */
import type { TokenUsage } from "../run_model.ts";
import type { CacheStats } from "./cache_stats.ts";

/** One stored answer. */
export interface CachedResponse {
  text: string;
  /** The original call's usage (what a hit saves). */
  usage: TokenUsage;
  finishReason: string;
  provider: string;
  modelId: string;
  /**
   * Lengths of the chunks the live answer arrived in (they add up to the
   * text's length), so a hit streams with the same boundaries; absent in
   * entries stored before they were kept.
   */
  chunks?: number[];
  /** Milliseconds from the start of the live answer to each chunk's arrival, for a paced replay. */
  chunkTimes?: number[];
  /** When it was stored and when it stops being served (ms since the epoch). */
  createdAt: number;
  expiresAt: number;
}

/** Size of the persistent tier. */
export interface CacheStoreSize {
  entries: number;
  /** Bytes of stored text, roughly. */
  bytes: number;
}

/** A persistent, shared cache tier. */
export interface CacheStore {
  /** The entry, or undefined when absent or expired at `nowMs` (an expired one is removed). */
  get(key: string, nowMs: number): CachedResponse | undefined;
  put(key: string, response: CachedResponse): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Removes every entry expired at `nowMs`; returns how many. */
  prune(nowMs: number): Promise<number>;
  /** Removes every entry and raises the epoch; returns how many. */
  clear(): Promise<number>;
  /**
   * A number that every `clear` raises, seen by every process on the store:
   * a memory tier above it drops what it remembers when the epoch moved.
   */
  epoch(): number;
  size(): CacheStoreSize;
  /** Adds counters to the persisted totals. */
  addStats(delta: CacheStats): Promise<void>;
  /** The persisted totals. */
  readStats(): CacheStats;
  /** Sets the persisted totals back to zero. */
  resetStats(): Promise<void>;
}
