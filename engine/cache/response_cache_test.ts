import assert from "node:assert/strict";
import { addCacheStats, type CacheStats, emptyCacheStats } from "./cache_stats.ts";
import type { CachedResponse, CacheStore } from "./cache_store.ts";
import { ResponseCache } from "./response_cache.ts";

/** A store in memory that counts how often statistics are written, and in which turn. */
function countingStore() {
  const entries = new Map<string, CachedResponse>();
  let stats = emptyCacheStats();
  const log: string[] = [];
  const store: CacheStore = {
    get: (key) => entries.get(key),
    put: (key, response) => {
      log.push("put");
      entries.set(key, response);
      return Promise.resolve();
    },
    delete: (key) => Promise.resolve(entries.delete(key)),
    prune: () => Promise.resolve(0),
    clear: () => Promise.resolve(0),
    epoch: () => 0,
    size: () => ({ entries: entries.size, bytes: 0 }),
    addStats: (delta: CacheStats) => {
      log.push("stats");
      stats = addCacheStats(stats, delta);
      return Promise.resolve();
    },
    readStats: () => stats,
    resetStats: () => Promise.resolve(),
  };
  return { store, log };
}

const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7, costUsd: 0.01, estimated: false };
const answer = { text: "An answer", usage, finishReason: "stop", provider: "p", modelId: "m" };

Deno.test("ResponseCache counts hits and misses in memory: no statistics write per lookup", async () => {
  let now = 0;
  const { store, log } = countingStore();
  const cache = new ResponseCache({ store, now: () => now });
  for (let index = 0; index < 50; index++) {
    cache.recordMiss();
    cache.recordHit(usage);
    now += 10;
  }
  await Promise.resolve();
  assert.deepEqual(log, [], "500 ms of counting writes nothing on its own");
  assert.equal(cache.report().total.hits, 50, "the report adds what is not flushed yet");
  await cache.close();
  assert.deepEqual(log, ["stats"]);
  assert.deepEqual(
    { hits: store.readStats().hits, misses: store.readStats().misses },
    { hits: 50, misses: 50 },
  );
});

Deno.test("ResponseCache writes statistics in the same turn as a cache entry, and after the interval", async () => {
  let now = 0;
  const { store, log } = countingStore();
  const cache = new ResponseCache({ store, now: () => now, statsFlushIntervalMs: 1000 });
  cache.recordMiss();
  cache.save("k", answer);
  assert.deepEqual(log, ["put"]);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log, ["put", "stats"], "the statistics joined the entry's turn");
  assert.equal(store.readStats().writes, 1);
  now += 999;
  cache.recordHit(usage);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log, ["put", "stats"]);
  now += 1;
  cache.recordHit(usage);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(log, ["put", "stats", "stats"], "counts that waited the interval are written");
  assert.equal(store.readStats().hits, 2);
  await cache.close();
});
