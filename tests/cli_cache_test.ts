/**
 * `writeit cache stats|clear|prune` and `writeit doctor` as subprocesses
 * against a temporary home; doctor is pointed at local wire servers through
 * OPENAI_BASE_URL and ANTHROPIC_BASE_URL.
 */
import assert from "node:assert/strict";
import { cacheKey } from "../engine/cache/cache_key.ts";
import { ResponseCache } from "../engine/cache/response_cache.ts";
import { createLmdbCacheStore } from "../storage/lmdb/lmdb_cache_store.ts";
import { openWorkspaceDatabase } from "../storage/lmdb/workspace_database.ts";
import { type CliResult, runCli, temporaryHome } from "./cli_harness.ts";
import { startAnthropicWireServer } from "./fixtures/anthropic_wire_server.ts";
import { startOpenAIWireServer } from "./fixtures/openai_wire_server.ts";

async function writeit(
  args: string[],
  home: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return await runCli(args, { home, env });
}

/** Puts two entries (one already expired) and some statistics in the default workspace's cache. */
async function seedCache(home: string): Promise<void> {
  const database = openWorkspaceDatabase(`${home}/workspaces/default/data`);
  const store = createLmdbCacheStore(database);
  const now = Date.now();
  const cache = new ResponseCache({ store, now: () => now, ttlMs: 60_000 });
  const usage = {
    inputTokens: 10,
    outputTokens: 20,
    totalTokens: 30,
    costUsd: 0.01,
    estimated: false,
  };
  const entry = {
    text: "cached words",
    usage,
    finishReason: "stop",
    provider: "offline",
    modelId: "x",
  };
  const request = { messages: [{ role: "user" as const, content: "hi" }], candidateIndex: 0 };
  cache.save(cacheKey({ namespace: "default", provider: "offline", modelId: "x", request }), entry);
  cache.recordMiss();
  cache.recordHit(usage);
  cache.recordHit(usage);
  await cache.close();
  await store.put("expired", { ...entry, createdAt: now - 120_000, expiresAt: now - 60_000 });
  await database.close();
}

Deno.test("writeit cache stats --json reports totals persisted by other processes", async () => {
  await using home = await temporaryHome();
  const init = await writeit(["cache", "stats", "--json"], home.path);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(JSON.parse(init.stdout).entries, 0);
  await seedCache(home.path);
  const result = await writeit(["cache", "stats", "--json"], home.path);
  assert.equal(result.code, 0, result.stderr);
  const stats = JSON.parse(result.stdout);
  assert.equal(stats.workspace, "default");
  assert.equal(stats.hits, 2);
  assert.equal(stats.misses, 1);
  assert.ok(Math.abs(stats.hitRate - 2 / 3) < 1e-9);
  assert.equal(stats.tokensSaved, 60);
  assert.ok(Math.abs(stats.costSavedUsd - 0.02) < 1e-9);
  assert.equal(stats.entries, 2);
  assert.equal(stats.ttlHours, 24);
  const human = await writeit(["cache", "stats"], home.path);
  assert.match(human.stdout, /hit rate\s+66\.7%/);
});

Deno.test("writeit cache prune removes expired entries and clear removes the rest", async () => {
  await using home = await temporaryHome();
  await writeit(["cache", "stats"], home.path);
  await seedCache(home.path);
  const pruned = await writeit(["cache", "prune", "--json"], home.path);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.deepEqual(JSON.parse(pruned.stdout), { removed: 1, remaining: 1 });
  const cleared = await writeit(["cache", "clear"], home.path);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /Removed 1 cached response\b/);
  const after = JSON.parse((await writeit(["cache", "stats", "--json"], home.path)).stdout);
  assert.equal(after.entries, 0);
  assert.equal(after.hits, 2, "clear keeps the statistics");
  assert.equal(after.expired, 1);
  await writeit(["cache", "clear", "--stats"], home.path);
  assert.equal(JSON.parse((await writeit(["cache", "stats", "--json"], home.path)).stdout).hits, 0);
});

Deno.test("writeit doctor --json reports configured providers that answer and names missing keys", async () => {
  await using home = await temporaryHome();
  const openai = startOpenAIWireServer();
  const anthropic = startAnthropicWireServer();
  try {
    const result = await writeit(["doctor", "--json", "--timeout", "2000"], home.path, {
      OPENAI_API_KEY: "sk-doctor",
      OPENAI_BASE_URL: openai.url,
      ANTHROPIC_BASE_URL: anthropic.url,
      WRITEIT_LOCAL_BASE_URL: "http://127.0.0.1:9/v1",
    });
    const report = JSON.parse(result.stdout);
    const byName = Object.fromEntries(
      report.providers.map((check: { provider: string }) => [check.provider, check]),
    );
    assert.equal(byName.openai.configured, true);
    assert.equal(byName.openai.answers, true);
    assert.equal(byName.openai.models, 2);
    assert.equal(byName.anthropic.configured, false);
    assert.equal(byName.anthropic.missing, "ANTHROPIC_API_KEY");
    assert.equal(byName.local.configured, true);
    assert.equal(byName.local.answers, false);
    assert.match(byName.local.error, /Cannot connect/);
    assert.equal(byName.offline.answers, true);
    assert.equal(report.storage.ok, true);
    assert.equal(report.cache.entries, 0);
    assert.equal(report.ok, false, "a configured provider does not answer");
    assert.equal(result.code, 1);
    assert.equal(openai.requests[0].path, "/v1/models");
    assert.equal(openai.requests[0].headers.authorization, "Bearer sk-doctor");
    assert.ok(!result.stdout.includes("sk-doctor"), "never prints a key");
    assert.equal(anthropic.requests.length, 0);
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

Deno.test("writeit doctor says which variable to set and exits 0 when every configured provider answers", async () => {
  await using home = await temporaryHome();
  const anthropic = startAnthropicWireServer();
  try {
    const result = await writeit(["doctor"], home.path, {
      ANTHROPIC_API_KEY: "sk-ant-doctor",
      ANTHROPIC_BASE_URL: anthropic.url,
      WRITEIT_LOCAL_BASE_URL: "http://localhost:11434/v1",
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /openai\s+not configured: set OPENAI_API_KEY/);
    assert.match(result.stdout, /anthropic\s+answers \(\d+ ms, 2 models\)/);
    assert.match(result.stdout, /All good\./);
    assert.equal(anthropic.requests[0].path, "/v1/models");
    // Nothing configured (and no local server on its default address).
    const bare = await writeit(["doctor", "--json"], home.path, {});
    assert.equal(bare.code, 0, "the offline model still works");
    const report = JSON.parse(bare.stdout);
    assert.equal(report.realProviders, 0);
    assert.deepEqual(report.missing, [
      "OPENAI_API_KEY",
      "ANTHROPIC_API_KEY",
      "WRITEIT_LOCAL_BASE_URL",
    ]);
    const plain = await writeit(["doctor"], home.path, {});
    assert.doesNotMatch(plain.stdout, /All good/);
    assert.match(
      plain.stdout,
      /Only the offline model can write here: no real provider is configured\. Set OPENAI_API_KEY, or ANTHROPIC_API_KEY/,
    );
  } finally {
    await anthropic.close();
  }
});
