/**
 * Response cache lookups: a hit in the memory tier (LRU) and in the
 * persistent tier (the workspace's LMDB, memory tier off), each including
 * the SHA-256 cache key, against a plain `Map.get` of a precomputed key as
 * the floor. Measures the lookup only, not the replay stream. Timed in
 * batches (timer resolution), reported as p50 per lookup.
 */
import { cacheKey } from "../engine/cache/cache_key.ts";
import { ResponseCache } from "../engine/cache/response_cache.ts";
import type { ModelRequest } from "../engine/llm/language_model.ts";
import { createLmdbCacheStore } from "../storage/lmdb/lmdb_cache_store.ts";
import { openWorkspaceDatabase } from "../storage/lmdb/workspace_database.ts";
import { type BenchResult, percentile } from "./bench_result.ts";

const ENTRIES = 1000;
const BATCH = 200;
const BATCHES = 200;

function requestFor(index: number): ModelRequest {
  return {
    messages: [
      { role: "system", content: "You are a careful technical writer." },
      { role: "user", content: `Write an outline for article ${index} about caching. `.repeat(12) },
    ],
    temperature: 0.7,
    maxTokens: 1200,
    candidateIndex: index % 3,
  };
}

const answer = "A cached answer of moderate length. ".repeat(60);
const usage = {
  inputTokens: 200,
  outputTokens: 500,
  totalTokens: 700,
  costUsd: 0.004,
  estimated: false,
};

/** p50 µs per operation, timing `BATCHES` batches of `BATCH` calls. */
function measure(operation: (index: number) => unknown): number {
  const perOperation: number[] = [];
  for (let warm = 0; warm < BATCH * 5; warm++) operation(warm);
  for (let batch = 0; batch < BATCHES; batch++) {
    const started = performance.now();
    for (let index = 0; index < BATCH; index++) operation(batch * BATCH + index);
    perOperation.push(((performance.now() - started) * 1000) / BATCH);
  }
  return percentile(perOperation, 50);
}

export async function run(): Promise<BenchResult[]> {
  const requests = Array.from({ length: ENTRIES }, (_, index) => requestFor(index));
  const keyOf = (index: number) =>
    cacheKey({
      namespace: "bench",
      provider: "openai",
      modelId: "gpt-4.1",
      request: requests[index % ENTRIES],
    });
  const keys = requests.map((_, index) => keyOf(index));
  const entry = {
    text: answer,
    usage,
    finishReason: "stop",
    provider: "openai",
    modelId: "gpt-4.1",
  };

  const floorMap = new Map(keys.map((key) => [key, entry]));
  const floor = measure((index) => floorMap.get(keys[index % ENTRIES]));

  const memory = new ResponseCache({ now: () => 0, maxEntries: ENTRIES * 2 });
  for (const key of keys) memory.save(key, entry);
  const memoryHit = measure((index) => {
    if (!memory.lookup(keyOf(index))) throw new Error("memory tier missed");
  });

  const directory = await Deno.makeTempDir({ prefix: "writeit-cache-bench-" });
  const database = openWorkspaceDatabase(directory, { noSync: true });
  const persistent = new ResponseCache({
    store: createLmdbCacheStore(database),
    now: () => 0,
    maxEntries: 0,
  });
  for (const key of keys) persistent.save(key, entry);
  await persistent.flush();
  const persistentHit = measure((index) => {
    if (!persistent.lookup(keyOf(index))) throw new Error("persistent tier missed");
  });
  await persistent.close();
  await database.close();
  await Deno.remove(directory, { recursive: true });

  const baseline = { name: "Map.get of a precomputed key", value: floor };
  return [
    {
      name: "cache hit, memory tier (key + lookup), p50",
      value: memoryHit,
      unit: "µs",
      baseline,
      ratio: memoryHit / floor,
      target: "< 20 µs",
      met: memoryHit < 20,
    },
    {
      name: "cache hit, persistent LMDB tier (key + lookup), p50",
      value: persistentHit,
      unit: "µs",
      baseline,
      ratio: persistentHit / floor,
      target: "< 100 µs",
      met: persistentHit < 100,
    },
  ];
}

if (import.meta.main) console.table(await run());
