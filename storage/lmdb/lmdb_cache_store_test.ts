import assert from "node:assert/strict";
import { fixedContext } from "../../engine/context.ts";
import { cacheKey } from "../../engine/cache/cache_key.ts";
import { ResponseCache } from "../../engine/cache/response_cache.ts";
import { collectText, type ModelRequest } from "../../engine/llm/language_model.ts";
import { createModelProvider } from "../../engine/llm/model_factory.ts";
import { emptyProviderSettings } from "../../engine/llm/provider_settings.ts";
import { decide, initialState } from "../../engine/run_decider.ts";
import { createLmdbCacheStore } from "./lmdb_cache_store.ts";
import { LmdbEventStore } from "./lmdb_event_store.ts";
import { openWorkspaceDatabase } from "./workspace_database.ts";

const request: ModelRequest = {
  messages: [{ role: "user", content: "Create an article plan for: sourdough baking" }],
  maxTokens: 4000,
  candidateIndex: 0,
};

async function withDirectory(action: (directory: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-cache-" });
  try {
    await action(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** One "process": a database, a cache over it and a model provider using the offline model. */
function openProcess(directory: string, context = fixedContext(), ttlMs?: number) {
  const database = openWorkspaceDatabase(directory, { noSync: true });
  const store = createLmdbCacheStore(database);
  const cache = new ResponseCache({ store, now: () => context.now().getTime(), ttlMs });
  const models = createModelProvider({
    settings: emptyProviderSettings(),
    context,
    workspace: "w",
    cache,
  });
  return {
    store,
    cache,
    model: models.resolve("offline:brisk"),
    async close() {
      await cache.close();
      await database.close();
    },
  };
}

Deno.test("LMDB cache store serves a hit after a restart, and stats add up across processes", async () => {
  await withDirectory(async (directory) => {
    const first = openProcess(directory);
    const live = await collectText(first.model.stream(request));
    assert.equal(live.cached, false);
    await first.close();

    const second = openProcess(directory);
    const replayed = await collectText(second.model.stream(request));
    assert.equal(replayed.cached, true);
    assert.equal(replayed.text, live.text);
    assert.deepEqual(replayed.usage, live.usage);
    await second.close();

    const third = openProcess(directory);
    const total = third.cache.report().total;
    assert.deepEqual(
      { hits: total.hits, misses: total.misses, writes: total.writes, saved: total.tokensSaved },
      { hits: 1, misses: 1, writes: 1, saved: live.usage.totalTokens },
    );
    assert.equal(third.store.size().entries, 1);
    await third.close();
  });
});

Deno.test("LMDB cache store treats entries past the TTL as misses and prunes them", async () => {
  await withDirectory(async (directory) => {
    const context = fixedContext();
    const process = openProcess(directory, context, 60_000);
    await collectText(process.model.stream(request));
    await collectText(process.model.stream({ ...request, candidateIndex: 1 }));
    await process.cache.flush();
    assert.equal(process.store.size().entries, 2);
    context.advance(60_000);
    // The store alone (no memory tier) refuses the expired entry.
    const key = cacheKey({ namespace: "w", provider: "offline", modelId: "brisk", request });
    assert.ok(process.store.get(key, context.now().getTime() - 1));
    assert.equal(process.store.get(key, context.now().getTime()), undefined);
    await process.cache.flush();
    assert.equal(await process.cache.prune(), 1, "get() already removed the other one");
    assert.equal(process.store.size().entries, 0);
    assert.equal((await collectText(process.model.stream(request))).cached, false);
    await process.close();
  });
});

Deno.test("LMDB cache store get() misses an expired entry from another process and removes it", async () => {
  await withDirectory(async (directory) => {
    const context = fixedContext();
    const writer = openProcess(directory, context, 1_000);
    await collectText(writer.model.stream(request));
    await writer.close();

    context.advance(1_001);
    const reader = openProcess(directory, context, 1_000);
    assert.equal((await collectText(reader.model.stream(request))).cached, false);
    await reader.cache.flush();
    assert.equal(reader.store.size().entries, 1, "the fresh answer replaced the expired one");
    await reader.close();
  });
});

Deno.test("LMDB cache store clear() removes every entry and resetStats() zeroes the totals", async () => {
  await withDirectory(async (directory) => {
    const process = openProcess(directory);
    await collectText(process.model.stream(request));
    await collectText(process.model.stream(request));
    await process.cache.flush();
    assert.equal(await process.cache.clear(), 1);
    assert.equal(process.store.size().entries, 0);
    assert.equal(process.store.readStats().hits, 1);
    await process.store.resetStats();
    assert.equal(process.store.readStats().hits, 0);
    await process.close();
  });
});

Deno.test("LMDB cache store clear() in one process empties another process' memory tier too", async () => {
  await withDirectory(async (directory) => {
    const cli = openProcess(directory);
    const server = openProcess(directory);
    try {
      assert.equal((await collectText(cli.model.stream(request))).cached, false);
      await cli.cache.flush();
      // lmdb-js keeps a handle's read snapshot until its next timer turn: let that turn pass.
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.equal((await collectText(server.model.stream(request))).cached, true, "warm");
      assert.equal((await collectText(server.model.stream(request))).cached, true, "from memory");
      const before = server.store.epoch();
      assert.equal(await cli.cache.clear(), 1);
      // The same for the server's snapshot (its own writes used to renew it: a statistics
      // write for every counted hit).
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.equal(server.store.epoch(), before + 1, "the epoch moved for every process");
      assert.equal(
        (await collectText(server.model.stream(request))).cached,
        false,
        "the server's memory tier forgot the cleared answer",
      );
    } finally {
      await cli.close();
      await server.close();
    }
  });
});

Deno.test("LMDB cache entries and statistics written in the turn of an event append share its durable commit", async () => {
  await withDirectory(async (directory) => {
    const context = fixedContext();
    const database = openWorkspaceDatabase(directory);
    const events = new LmdbEventStore(database, { context });
    const cache = new ResponseCache({
      store: createLmdbCacheStore(database),
      now: () => context.now().getTime(),
    });
    const commits = () => (database.root.getStats() as { lastTxnId: number }).lastTxnId;
    try {
      const created = decide({
        type: "createRun",
        pipelineId: "p",
        pipelineHash: "h",
        workspace: "w",
        stepOrder: ["a"],
        stepDependencies: {},
        inputs: {},
      }, initialState("run-1"));
      await events.append("run-1", created, { expectedVersion: 0 });
      const before = commits();
      // A candidate's answer: saved in the cache, then recorded, in one turn.
      cache.recordMiss();
      cache.save("key", {
        text: "An answer",
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3, costUsd: 0, estimated: false },
        finishReason: "stop",
        provider: "p",
        modelId: "m",
      });
      await events.append("run-1", [{ type: "run_started", data: {} }], { expectedVersion: 1 });
      await cache.flush();
      assert.equal(commits(), before + 1, "entry, statistics and event in one commit");
      assert.equal(createLmdbCacheStore(database).readStats().writes, 1);
    } finally {
      await events.close();
      await database.close();
    }
  });
});
