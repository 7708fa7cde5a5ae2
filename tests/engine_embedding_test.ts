/**
 * The engine embedded as an outside program would embed it, through
 * engine/mod.ts and storage/memory/mod.ts alone: a Backend of the program's
 * own (the memory backend, its cache tier counted), a provider of its own
 * registered in the provider registry, a pipeline loaded from YAML text, and
 * runs driven to completion with auto-select. If this file needs a deep
 * import, the public face is missing something.
 */
import assert from "node:assert/strict";
import {
  type Backend,
  type CacheStore,
  createModelProvider,
  emptyProviderSettings,
  finalText,
  fixedContext,
  type LanguageModel,
  loadPipeline,
  type ModelStreamPart,
  type Pipeline,
  ProviderRegistry,
  ResponseCache,
  RunService,
} from "../engine/mod.ts";
import { createMemoryBackend } from "../storage/memory/mod.ts";

const ARTICLE = `
metadata:
  name: "Embedded article"
  version: "1.0.0"
defaults:
  model: "scribe:careful"
inputs:
  topic:
    type: text
    label: Topic
    required: true
steps:
  outline:
    name: Outline
    prompt_template: "Outline an article about {{ inputs.topic }}."
  article:
    name: Article
    prompt_template: "Write the article from this outline:\\n{{ steps.outline.selected_response }}"
`;

/** A `scribe` provider whose models sign what they write and count their calls. */
function scribeProvider() {
  const calls: string[] = [];
  const registry = new ProviderRegistry();
  registry.register({
    name: "scribe",
    create: (modelId): LanguageModel => ({
      provider: "scribe",
      modelId,
      async *stream(request): AsyncIterable<ModelStreamPart> {
        const prompt = request.messages.at(-1)?.content ?? "";
        calls.push(prompt);
        const firstLine = prompt.split("\n")[0];
        yield { type: "text", text: `Scribe ${modelId} (call ${calls.length}): ` };
        yield { type: "text", text: firstLine };
        yield {
          type: "usage",
          usage: {
            inputTokens: 10,
            outputTokens: 12,
            totalTokens: 22,
            costUsd: 0,
            estimated: false,
          },
        };
        yield { type: "finish", reason: "stop" };
      },
    }),
  });
  return { registry, calls };
}

/** The program's own backend: the memory one, with its cache tier counted. */
function countedBackend(inner: Backend): Backend & { cacheWrites: () => number } {
  let writes = 0;
  const cache: CacheStore = {
    get: (key, nowMs) => inner.cache.get(key, nowMs),
    put: (key, response) => {
      writes++;
      return inner.cache.put(key, response);
    },
    delete: (key) => inner.cache.delete(key),
    prune: (nowMs) => inner.cache.prune(nowMs),
    clear: () => inner.cache.clear(),
    epoch: () => inner.cache.epoch(),
    size: () => inner.cache.size(),
    addStats: (delta) => inner.cache.addStats(delta),
    readStats: () => inner.cache.readStats(),
    resetStats: () => inner.cache.resetStats(),
  };
  return {
    kind: "counted",
    workspace: inner.workspace,
    events: inner.events,
    cache,
    leases: inner.leases,
    library: (kind) => inner.library(kind),
    documents: inner.documents,
    retention: inner.retention,
    describe: () => ({ kind: "counted", location: "this test's process" }),
    close: () => inner.close(),
    cacheWrites: () => writes,
  };
}

function pipelineOf(text: string): Pipeline {
  const { value, issues } = loadPipeline(text, { id: "embedded-article" });
  assert.ok(value, issues.map((issue) => issue.message).join("\n"));
  return value;
}

Deno.test("engine/mod.ts embeds the engine: own backend, own provider, runs to completion and a cached re-run", async () => {
  const context = fixedContext();
  const backend = countedBackend(createMemoryBackend({ context, workspace: "embedded" }));
  const { registry, calls } = scribeProvider();
  const pipeline = pipelineOf(ARTICLE);

  /** One service over the backend, with a fresh in-process cache tier each time. */
  const runOnce = async () => {
    const cache = new ResponseCache({ store: backend.cache, now: () => context.now().getTime() });
    const models = createModelProvider({
      registry,
      settings: emptyProviderSettings(),
      context,
      workspace: backend.workspace,
      cache,
    });
    const service = new RunService({
      store: backend.events,
      models,
      context,
      workspace: backend.workspace,
      leases: backend.leases,
      actor: "embedder",
    });
    try {
      const created = await service.createRun(pipeline, {
        inputs: { topic: "tide pools" },
        autoSelect: true,
      });
      return await service.advance(created.runId, { autoSelect: true });
    } finally {
      await service.close();
      await cache.close();
    }
  };

  try {
    const first = await runOnce();
    assert.equal(first.status, "completed");
    assert.equal(calls.length, 2, "one call per step");
    assert.match(calls[0], /Outline an article about tide pools\./);
    assert.match(calls[1], /Scribe careful \(call 1\): Outline an article about tide pools\./);
    const article = finalText(first);
    assert.equal(
      article,
      "Scribe careful (call 2): Write the article from this outline:",
    );
    assert.equal(first.steps.article.responses[0].provider, "scribe");

    const events = await backend.events.read(first.runId);
    assert.equal(events[0].type, "run_created");
    assert.equal(events.at(-1)?.type, "run_completed");
    assert.equal(events[0].metadata?.actor, "embedder");
    assert.deepEqual(
      (await backend.events.listRuns()).map((run) => run.runId),
      [first.runId],
    );
    assert.equal(backend.cacheWrites(), 2, "both answers reached the backend's cache tier");

    const second = await runOnce();
    assert.notEqual(second.runId, first.runId);
    assert.equal(second.status, "completed");
    assert.equal(calls.length, 2, "the re-run is served from the backend's cache tier");
    assert.equal(finalText(second), article);
    assert.equal(backend.cache.readStats().hits, 2);
    assert.equal((await backend.events.listRuns()).length, 2);
  } finally {
    await backend.close();
  }
});

Deno.test("engine_embedding_test.ts imports only engine/mod.ts and storage/memory/mod.ts", async () => {
  const source = await Deno.readTextFile(new URL(import.meta.url));
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...source.matchAll(/^\s*import\s*"([^"]+)"/gm),
    ...source.matchAll(/\bimport\s*\(\s*"([^"]+)"/g),
  ].map((match) => match[1]);
  assert.deepEqual(
    [...new Set(specifiers)].sort(),
    ["../engine/mod.ts", "../storage/memory/mod.ts", "node:assert/strict"],
  );
});
