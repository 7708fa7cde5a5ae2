import assert from "node:assert/strict";
import { fixedContext } from "../context.ts";
import { RetryableError } from "../errors.ts";
import {
  collectText,
  type LanguageModel,
  type ModelRequest,
  type ModelStreamPart,
} from "../llm/language_model.ts";
import { cacheMiddleware, replayChunks, storedChunks } from "./cache_middleware.ts";
import { cacheKey } from "./cache_key.ts";
import { hitRate } from "./cache_stats.ts";
import { ResponseCache } from "./response_cache.ts";

const request: ModelRequest = {
  messages: [{ role: "user", content: "Write about tea." }],
  candidateIndex: 0,
};
const usage = {
  inputTokens: 10,
  outputTokens: 30,
  totalTokens: 40,
  costUsd: 0.002,
  estimated: false,
};

/** A model that answers with a numbered text and counts its calls; `fail` makes the next call cut. */
function countingModel() {
  const model = {
    provider: "test",
    modelId: "counting",
    calls: 0,
    fail: false,
    async *stream(): AsyncIterable<ModelStreamPart> {
      model.calls++;
      yield { type: "text", text: `Answer number ${model.calls} about tea, ` };
      if (model.fail) throw new RetryableError("cut");
      yield { type: "text", text: "with several words to stream back." };
      yield { type: "usage", usage };
      yield { type: "finish", reason: "stop" };
    },
  };
  return model;
}

async function parts(model: LanguageModel, input: ModelRequest): Promise<ModelStreamPart[]> {
  const collected: ModelStreamPart[] = [];
  for await (const part of model.stream(input)) collected.push(part);
  return collected;
}

function textsOf(collected: ModelStreamPart[]): string[] {
  return collected.flatMap((part) => part.type === "text" ? [part.text] : []);
}

Deno.test("cacheMiddleware() streams a hit back in the live answer's chunks with the original usage and cached: true", async () => {
  const context = fixedContext();
  const cache = new ResponseCache({ now: () => context.now().getTime() });
  const inner = countingModel();
  const model = cacheMiddleware(cache, { namespace: "w", chunkCharacters: 8 })(inner);
  const liveParts = await parts(model, request);
  assert.deepEqual(liveParts.at(-1), { type: "finish", reason: "stop" });
  const replayed = await parts(model, request);
  assert.equal(inner.calls, 1);
  assert.deepEqual(textsOf(replayed), textsOf(liveParts), "the same chunk boundaries");
  assert.deepEqual(replayed.at(-2), { type: "usage", usage });
  assert.deepEqual(replayed.at(-1), { type: "finish", reason: "stop", cached: true });
  const stats = cache.report().session;
  assert.deepEqual(
    { hits: stats.hits, misses: stats.misses, writes: stats.writes, tokens: stats.tokensSaved },
    { hits: 1, misses: 1, writes: 1, tokens: 40 },
  );
  assert.equal(stats.costSavedUsd, 0.002);
  assert.equal(hitRate(stats), 0.5);
});

Deno.test("cacheMiddleware() misses for a regenerate (new variant) and another candidate", async () => {
  const context = fixedContext();
  const cache = new ResponseCache({ now: () => context.now().getTime() });
  const inner = countingModel();
  const model = cacheMiddleware(cache, { namespace: "w" })(inner);
  const first = await collectText(model.stream(request));
  const regenerated = await collectText(model.stream({ ...request, variant: 1 }));
  const second = await collectText(model.stream({ ...request, candidateIndex: 1 }));
  assert.equal(inner.calls, 3);
  assert.notEqual(regenerated.text, first.text);
  assert.notEqual(second.text, first.text);
  assert.equal(
    (await collectText(model.stream({ ...request, variant: 1 }))).text,
    regenerated.text,
  );
  assert.equal(inner.calls, 3);
});

Deno.test("cacheMiddleware() never stores a failed or cut stream", async () => {
  const context = fixedContext();
  const cache = new ResponseCache({ now: () => context.now().getTime() });
  const inner = countingModel();
  inner.fail = true;
  const model = cacheMiddleware(cache, { namespace: "w" })(inner);
  await assert.rejects(collectText(model.stream(request)), RetryableError);
  inner.fail = false;
  const answer = await collectText(model.stream(request));
  assert.equal(answer.cached, false);
  assert.match(answer.text, /number 2/);
  assert.equal(cache.report().session.writes, 1);
});

Deno.test("ResponseCache expires memory entries after the TTL and counts evictions", async () => {
  const context = fixedContext();
  const cache = new ResponseCache({
    now: () => context.now().getTime(),
    ttlMs: 1000,
    maxEntries: 1,
  });
  const inner = countingModel();
  const model = cacheMiddleware(cache, { namespace: "w" })(inner);
  await collectText(model.stream(request));
  context.advance(999);
  assert.equal((await collectText(model.stream(request))).cached, true);
  context.advance(1);
  assert.equal((await collectText(model.stream(request))).cached, false);
  await collectText(model.stream({ ...request, candidateIndex: 5 }));
  const stats = cache.report().session;
  assert.equal(stats.expired, 1);
  assert.equal(stats.evictions, 1);
});

Deno.test("cacheMiddleware() with replayPace waits for each chunk as long as the live answer did", async () => {
  let clock = 1_000;
  const cache = new ResponseCache({ now: () => clock });
  const slow: LanguageModel = {
    provider: "test",
    modelId: "slow",
    async *stream(): AsyncIterable<ModelStreamPart> {
      for (const [text, delay] of [["One ", 120], ["two ", 30], ["three.", 250]] as const) {
        clock += delay;
        yield { type: "text", text };
      }
      yield { type: "usage", usage };
      yield { type: "finish", reason: "stop" };
    },
  };
  const waits: number[] = [];
  const sleep = (milliseconds: number) => {
    waits.push(milliseconds);
    clock += milliseconds;
    return Promise.resolve();
  };
  const paced = cacheMiddleware(cache, {
    namespace: "w",
    replayPace: true,
    now: () => clock,
    sleep,
  })(
    slow,
  );
  await parts(paced, request);
  const stored = cache.lookup(
    cacheKey({ namespace: "w", provider: "test", modelId: "slow", request }),
  );
  assert.deepEqual(stored?.chunks, [4, 4, 6]);
  assert.deepEqual(stored?.chunkTimes, [120, 150, 400]);
  const replayed = await parts(paced, request);
  assert.deepEqual(textsOf(replayed), ["One ", "two ", "three."]);
  assert.deepEqual(waits, [120, 30, 250]);
  const atOnce = cacheMiddleware(cache, { namespace: "w", now: () => clock, sleep })(slow);
  waits.length = 0;
  assert.deepEqual(textsOf(await parts(atOnce, request)), ["One ", "two ", "three."]);
  assert.deepEqual(waits, [], "without replayPace a hit arrives at once");
});

Deno.test("storedChunks() keeps the live boundaries only when they add up to the text", () => {
  assert.deepEqual(storedChunks("abcdef", [2, 4]), ["ab", "cdef"]);
  assert.equal(storedChunks("abcdef", [2, 3]), undefined, "a length that does not fit");
  assert.equal(storedChunks("abcdef", [6, 0]), undefined, "an empty chunk");
  assert.equal(storedChunks("abcdef", undefined), undefined, "an entry stored before chunks");
});

Deno.test("replayChunks() cuts at spaces and loses nothing", () => {
  const text = "one two three four five six seven eight nine ten";
  const chunks = replayChunks(text, 10);
  assert.equal(chunks.join(""), text);
  assert.ok(chunks.length >= 4);
  assert.deepEqual(replayChunks("", 10), []);
  assert.equal(replayChunks("x".repeat(50), 10).length, 5);
});
