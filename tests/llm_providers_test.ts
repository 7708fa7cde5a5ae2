/**
 * The LLM layer end to end: the real `openai` and `@anthropic-ai/sdk` SDKs,
 * wrapped by `createModelProvider`, against local servers that speak the
 * providers' wire formats — streams, usage, errors with Retry-After, 529,
 * slow first bytes, cut connections, error events, malformed frames,
 * missing keys, fallback along a preference list and budget refusals.
 */
import assert from "node:assert/strict";
import { fixedContext } from "../engine/context.ts";
import {
  BudgetExceededError,
  ConfigurationError,
  ProviderError,
  RetryableError,
} from "../engine/errors.ts";
import { ResponseCache } from "../engine/cache/response_cache.ts";
import { Budget } from "../engine/llm/budget.ts";
import {
  collectText,
  type FallbackEvent,
  type ModelRequest,
  type ModelStreamPart,
} from "../engine/llm/language_model.ts";
import { createModelProvider, type ModelProviderOptions } from "../engine/llm/model_factory.ts";
import { emptyProviderSettings, type ProviderSettings } from "../engine/llm/provider_settings.ts";
import type { RetryEvent } from "../engine/llm/retry_middleware.ts";
import { UsageLedger } from "../engine/llm/usage_ledger.ts";
import { startAnthropicWireServer } from "./fixtures/anthropic_wire_server.ts";
import { startOpenAIWireServer } from "./fixtures/openai_wire_server.ts";

const request: ModelRequest = {
  messages: [
    { role: "system", content: "You write short answers." },
    { role: "user", content: "Say hello." },
  ],
  maxTokens: 100,
  candidateIndex: 0,
};

function settingsFor(urls: { openai?: string; anthropic?: string }): ProviderSettings {
  return {
    ...emptyProviderSettings(),
    openai: urls.openai ? { apiKey: "sk-test", baseUrl: urls.openai } : {},
    anthropic: urls.anthropic ? { apiKey: "sk-ant-test", baseUrl: urls.anthropic } : {},
    timeouts: { firstByteMs: 2_000, betweenChunksMs: 2_000 },
  };
}

/** A provider whose retries sleep for nothing and record the delays they were asked to wait. */
function providerWith(
  settings: ProviderSettings,
  extra: Partial<ModelProviderOptions> = {},
) {
  const delays: number[] = [];
  const retries: RetryEvent[] = [];
  const provider = createModelProvider({
    settings,
    context: fixedContext(),
    retry: {
      maxAttempts: 3,
      sleep: (milliseconds) => {
        delays.push(milliseconds);
        return Promise.resolve();
      },
      random: () => 0.5,
      onRetry: (event) => retries.push(event),
    },
    ...extra,
  });
  return { provider, delays, retries };
}

async function parts(stream: AsyncIterable<ModelStreamPart>): Promise<ModelStreamPart[]> {
  const collected: ModelStreamPart[] = [];
  for await (const part of stream) collected.push(part);
  return collected;
}

Deno.test("OpenAI model streams text chunks, then the usage chunk's counts, then finish", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{
      type: "stream",
      text: "Hello there, writer.",
      usage: { prompt_tokens: 21, completion_tokens: 5 },
    }],
  });
  try {
    const { provider } = providerWith(settingsFor({ openai: server.url }));
    const streamed = await parts(
      provider.resolve("gpt-4.1").stream({ ...request, temperature: 0.3 }),
    );
    const texts = streamed.filter((part) => part.type === "text");
    assert.equal(texts.length, 3);
    assert.equal(
      texts.map((part) => part.type === "text" ? part.text : "").join(""),
      "Hello there, writer.",
    );
    const usage = streamed.find((part) => part.type === "usage");
    assert.ok(usage?.type === "usage");
    assert.equal(usage.usage.inputTokens, 21);
    assert.equal(usage.usage.outputTokens, 5);
    assert.equal(usage.usage.estimated, false);
    // gpt-4.1 costs $2 in / $8 out per million tokens.
    assert.ok(Math.abs(usage.usage.costUsd - (21 * 2 + 5 * 8) / 1e6) < 1e-12);
    assert.deepEqual(streamed.at(-1), { type: "finish", reason: "stop" });
    const sent = server.requests[0];
    assert.equal(sent.path, "/v1/chat/completions");
    assert.equal(sent.headers.authorization, "Bearer sk-test");
    const body = sent.body as Record<string, unknown>;
    assert.equal(body.model, "gpt-4.1");
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.temperature, 0.3);
    assert.equal(body.max_completion_tokens, 100);
    assert.deepEqual(body.messages, request.messages);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI model without a usage chunk estimates tokens from characters and marks them estimated", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{ type: "stream", text: "Four words right here", usage: null }],
  });
  try {
    const { provider } = providerWith(settingsFor({ openai: server.url }));
    const answer = await collectText(provider.resolve("gpt-4o").stream(request));
    assert.equal(answer.text, "Four words right here");
    assert.equal(answer.usage.estimated, true);
    assert.equal(answer.usage.outputTokens, 6, "ceil(21 characters / 4)");
    assert.ok(answer.usage.inputTokens > 5);
  } finally {
    await server.close();
  }
});

Deno.test("local: models reach an OpenAI-compatible server through its base URL, with max_tokens", async () => {
  const server = startOpenAIWireServer({ behaviours: [{ type: "stream", text: "local answer" }] });
  try {
    const settings = { ...settingsFor({}), local: { baseUrl: server.url } };
    const { provider } = providerWith(settings);
    const answer = await collectText(provider.resolve("local:qwen2.5:7b").stream(request));
    assert.equal(answer.text, "local answer");
    const body = server.requests[0].body as Record<string, unknown>;
    assert.equal(body.model, "qwen2.5:7b");
    assert.equal(body.max_tokens, 100);
    assert.equal(answer.usage.costUsd, 0);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI 429 with Retry-After in seconds waits that long, then succeeds", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "status", status: 429, headers: { "retry-after": "3" } },
      { type: "stream", text: "after the wait" },
    ],
  });
  try {
    const { provider, delays, retries } = providerWith(settingsFor({ openai: server.url }));
    const answer = await collectText(provider.resolve("gpt-4o").stream(request));
    assert.equal(answer.text, "after the wait");
    assert.deepEqual(delays, [3000]);
    assert.equal(retries[0].error.code, "rate_limited");
    assert.equal(retries[0].error.status, 429);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI retry-after-ms and an HTTP-date Retry-After are honoured", async () => {
  const context = fixedContext(new Date("2026-01-01T00:00:00Z"));
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "status", status: 503, headers: { "retry-after-ms": "250" } },
      { type: "status", status: 429, headers: { "retry-after": "Thu, 01 Jan 2026 00:00:07 GMT" } },
      { type: "stream", text: "ok" },
    ],
  });
  try {
    const { provider, delays } = providerWith(settingsFor({ openai: server.url }), { context });
    assert.equal((await collectText(provider.resolve("gpt-4o").stream(request))).text, "ok");
    assert.deepEqual(delays, [250, 7000]);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI 500 is retried with exponential backoff and gives up after the last attempt", async () => {
  const server = startOpenAIWireServer({ behaviours: [{ type: "status", status: 500 }] });
  try {
    const { provider, delays } = providerWith(settingsFor({ openai: server.url }));
    await assert.rejects(
      collectText(provider.resolve("gpt-4o").stream(request)),
      (error: unknown) => {
        assert.ok(error instanceof RetryableError);
        assert.equal(error.status, 500);
        assert.match(error.message, /failed with status 500.*gave up after 3 attempts/);
        return true;
      },
    );
    assert.equal(server.requests.length, 3);
    // random() = 0.5: base/2 + 0.5 * base/2 = 0.75 × (500, 1000).
    assert.deepEqual(delays, [375, 750]);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI 401 is a ProviderError that names the key variable, without retrying", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{
      type: "status",
      status: 401,
      body: {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      },
    }],
  });
  try {
    const { provider } = providerWith(settingsFor({ openai: server.url }));
    await assert.rejects(
      collectText(provider.resolve("gpt-4o").stream(request)),
      (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.equal(error.code, "authentication_failed");
        assert.match(error.message, /Incorrect API key provided.*check OPENAI_API_KEY/);
        return true;
      },
    );
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI connection dropped mid-stream is retried and the consumer is told to reset", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "stream", text: "partial words that never finish", dropAfterFrames: 3 },
      { type: "stream", text: "the whole answer arrives" },
    ],
  });
  try {
    const { provider, retries } = providerWith(settingsFor({ openai: server.url }));
    const streamed = await parts(provider.resolve("gpt-4o").stream(request));
    const reset = streamed.findIndex((part) => part.type === "reset");
    assert.ok(reset > 0, "a reset part follows the partial text");
    assert.ok(streamed.slice(0, reset).some((part) => part.type === "text"));
    assert.equal(retries[0].error.code, "stream_interrupted");
    const answer = await collectText((async function* () {
      yield* streamed;
    })());
    assert.equal(answer.text, "the whole answer arrives");
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI stream that closes without [DONE] or a finish reason is never a short answer", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "stream", text: "cut short here", dropAfterFrames: 2, dropStyle: "close" },
      { type: "stream", text: "complete but no done marker", omitDone: true },
    ],
  });
  try {
    const { provider } = providerWith(settingsFor({ openai: server.url }), { retry: false });
    const model = provider.resolve("gpt-4o");
    await assert.rejects(collectText(model.stream(request)), (error: unknown) => {
      assert.ok(error instanceof RetryableError);
      assert.match(error.message, /ended early, without a finish reason/);
      return true;
    });
    await assert.rejects(
      collectText(model.stream(request)),
      /ended early, without its closing "data: \[DONE\]"/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI error event inside the stream is a failed attempt that is retried", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "stream", text: "one two three four", errorAfterChunks: 2 },
      { type: "stream", text: "clean answer" },
    ],
  });
  try {
    const { provider, retries } = providerWith(settingsFor({ openai: server.url }));
    assert.equal(
      (await collectText(provider.resolve("gpt-4o").stream(request))).text,
      "clean answer",
    );
    assert.equal(retries[0].error.code, "stream_error");
  } finally {
    await server.close();
  }
});

Deno.test("OpenAI malformed SSE is a clear ProviderError, not retried", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{ type: "raw", body: 'data: {"choices": [oops\n\n' }],
  });
  try {
    const { provider } = providerWith(settingsFor({ openai: server.url }));
    await assert.rejects(
      collectText(provider.resolve("gpt-4o").stream(request)),
      (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.equal(error.code, "malformed_stream");
        assert.match(error.message, /malformed stream.*not valid JSON/);
        return true;
      },
    );
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("A slow first byte trips the first-byte time-out and the retry succeeds", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "stream", text: "too late", firstByteDelayMs: 1_000 },
      { type: "stream", text: "on time" },
    ],
  });
  try {
    const settings = {
      ...settingsFor({ openai: server.url }),
      timeouts: { firstByteMs: 80, betweenChunksMs: 1_000 },
    };
    const { provider, retries } = providerWith(settings);
    const started = performance.now();
    assert.equal((await collectText(provider.resolve("gpt-4o").stream(request))).text, "on time");
    assert.ok(performance.now() - started < 900, "did not wait for the slow server");
    assert.equal(retries[0].error.code, "timeout");
    assert.match(retries[0].error.message, /first-byte time-out/);
  } finally {
    await server.close();
  }
});

Deno.test("A stream that goes silent mid-answer trips the between-chunks time-out", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{ type: "stream", text: "slow slow slow", chunkDelayMs: 500 }],
  });
  try {
    const settings = {
      ...settingsFor({ openai: server.url }),
      timeouts: { firstByteMs: 1_000, betweenChunksMs: 60 },
    };
    const { provider } = providerWith(settings, { retry: false });
    await assert.rejects(
      collectText(provider.resolve("gpt-4o").stream(request)),
      /between-chunks time-out/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("Anthropic model streams deltas through pings, with usage from message_start and message_delta", async () => {
  const server = startAnthropicWireServer({
    behaviours: [{
      type: "stream",
      text: "Hello from a careful model, with pings between deltas.",
      usage: { input_tokens: 30, output_tokens: 11 },
      pingEvery: 2,
    }],
  });
  try {
    const { provider } = providerWith(settingsFor({ anthropic: server.url }));
    const answer = await collectText(provider.resolve("claude-sonnet-4-20250514").stream(request));
    assert.equal(answer.text, "Hello from a careful model, with pings between deltas.");
    assert.equal(answer.finishReason, "end_turn");
    assert.deepEqual(
      {
        input: answer.usage.inputTokens,
        output: answer.usage.outputTokens,
        estimated: answer.usage.estimated,
      },
      { input: 30, output: 11, estimated: false },
    );
    assert.ok(Math.abs(answer.usage.costUsd - (30 * 3 + 11 * 15) / 1e6) < 1e-12);
    const sent = server.requests[0];
    assert.equal(sent.path, "/v1/messages");
    const credential = sent.headers["x-api-key"] ?? sent.headers.authorization;
    assert.match(credential, /sk-ant-test/);
    const body = sent.body as Record<string, unknown>;
    assert.equal(body.system, "You write short answers.");
    assert.deepEqual(body.messages, [{ role: "user", content: "Say hello." }]);
    assert.equal(body.max_tokens, 100);
  } finally {
    await server.close();
  }
});

Deno.test("Anthropic 529 overloaded and an error event mid-stream are retried", async () => {
  const server = startAnthropicWireServer({
    behaviours: [
      { type: "status", status: 529 },
      { type: "stream", text: "one two three four five", errorAfterChunks: 2 },
      { type: "stream", text: "finally whole" },
    ],
  });
  try {
    const { provider, retries } = providerWith(settingsFor({ anthropic: server.url }));
    const streamed = await parts(provider.resolve("claude-haiku-4-5").stream(request));
    assert.deepEqual(retries.map((event) => event.error.code), ["overloaded", "stream_error"]);
    assert.ok(streamed.some((part) => part.type === "reset"));
    assert.equal(
      (await collectText((async function* () {
        yield* streamed;
      })())).text,
      "finally whole",
    );
  } finally {
    await server.close();
  }
});

Deno.test("Anthropic stream without message_stop or cut mid-way fails instead of returning a short text", async () => {
  const server = startAnthropicWireServer({
    behaviours: [
      { type: "stream", text: "almost done", omitStop: true },
      { type: "stream", text: "cut in the middle of it", dropAfterFrames: 4 },
    ],
  });
  try {
    const { provider } = providerWith(settingsFor({ anthropic: server.url }), { retry: false });
    const model = provider.resolve("claude-sonnet-4");
    await assert.rejects(collectText(model.stream(request)), /ended early, without message_stop/);
    await assert.rejects(collectText(model.stream(request)), (error: unknown) => {
      assert.ok(error instanceof RetryableError);
      assert.equal(error.code, "stream_interrupted");
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("Anthropic 429 with Retry-After then success; 400 is a ProviderError", async () => {
  const server = startAnthropicWireServer({
    behaviours: [
      { type: "status", status: 429, headers: { "retry-after": "2" } },
      { type: "stream", text: "ok then" },
      { type: "status", status: 400 },
    ],
  });
  try {
    const { provider, delays } = providerWith(settingsFor({ anthropic: server.url }));
    const model = provider.resolve("anthropic:claude-opus-4-5");
    assert.equal((await collectText(model.stream(request))).text, "ok then");
    assert.deepEqual(delays, [2000]);
    await assert.rejects(collectText(model.stream(request)), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.status, 400);
      return true;
    });
  } finally {
    await server.close();
  }
});

Deno.test("createModelProvider.resolve() with no key names the variable to set and never falls back to offline", () => {
  const { provider } = providerWith(emptyProviderSettings());
  assert.throws(() => provider.resolve("gpt-4.1"), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError);
    assert.equal(error.code, "missing_api_key");
    assert.match(
      error.message,
      /^OPENAI_API_KEY is not set.*export it.*providers\.openai\.api_key.*offline:/,
    );
    return true;
  });
  assert.throws(() => provider.resolve("claude-sonnet-4"), {
    name: "ConfigurationError",
    message: /^ANTHROPIC_API_KEY is not set/,
  });
  assert.throws(() => provider.resolve("mistral-large"), {
    message: /prefix it, as "local:mistral-large"/,
  });
});

Deno.test("resolveChain() falls back along the preference list and records why", async () => {
  const openai = startOpenAIWireServer({ behaviours: [{ type: "status", status: 404 }] });
  const anthropic = startAnthropicWireServer({ behaviours: [{ type: "status", status: 500 }] });
  try {
    const events: FallbackEvent[] = [];
    const perCall: FallbackEvent[] = [];
    const ledger = new UsageLedger();
    const { provider } = providerWith(
      settingsFor({ openai: openai.url, anthropic: anthropic.url }),
      {
        onFallback: (event) => events.push(event),
        ledger,
      },
    );
    const chain = provider.resolveChain(["gpt-4.1", "claude-sonnet-4", "offline:steady"]);
    const streamed = await parts(
      // The offline model would be cut at 100 tokens (a failed attempt): it is given room.
      chain.stream({ ...request, maxTokens: 4000 }, {
        onFallback: (event) => perCall.push(event),
        scope: { runId: "r1", stepId: "draft" },
      }),
    );
    assert.deepEqual(events.map(({ from, to, code }) => ({ from, to, code })), [
      { from: "openai:gpt-4.1", to: "anthropic:claude-sonnet-4", code: "model_not_found" },
      { from: "anthropic:claude-sonnet-4", to: "offline:steady", code: "server_error" },
    ]);
    assert.match(events[0].reason, /404/);
    assert.match(events[1].reason, /gave up after 3 attempts/);
    assert.deepEqual(perCall, events);
    const finish = streamed.at(-1);
    assert.ok(finish?.type === "finish");
    assert.equal(finish.provider, "offline");
    assert.equal(finish.modelId, "steady");
    assert.equal(ledger.stepTotals("r1", "draft").calls, 1);
    assert.ok(ledger.modelTotals()["offline:steady"]);
  } finally {
    await openai.close();
    await anthropic.close();
  }
});

Deno.test("resolveChain() moves past a provider without a key, saying which variable is missing", async () => {
  const events: FallbackEvent[] = [];
  const { provider } = providerWith(emptyProviderSettings(), {
    onFallback: (event) => events.push(event),
  });
  const answer = await collectText(
    provider.resolveChain(["gpt-4.1", "offline:default"]).stream({
      ...request,
      maxTokens: 4000,
    }),
  );
  assert.ok(answer.text.length > 0);
  assert.equal(events.length, 1);
  assert.equal(events[0].code, "missing_api_key");
  assert.match(events[0].reason, /OPENAI_API_KEY is not set/);
});

Deno.test("Budget refuses a call that would exceed it before anything is sent", async () => {
  const server = startOpenAIWireServer({ behaviours: [{ type: "stream", text: "never" }] });
  try {
    const budget = new Budget({ limitUsd: 0.01 });
    const { provider } = providerWith(settingsFor({ openai: server.url }), { budget });
    // 100k output tokens of gpt-4.1 at $8 per million = $0.80 > $0.01.
    await assert.rejects(
      collectText(provider.resolve("gpt-4.1").stream({ ...request, maxTokens: 100_000 })),
      (error: unknown) => {
        assert.ok(error instanceof BudgetExceededError);
        assert.equal(error.limitUsd, 0.01);
        assert.ok(error.projectedUsd > 0.8);
        assert.match(error.message, /over the budget of \$0\.0100/);
        return true;
      },
    );
    assert.equal(server.requests.length, 0);
    // A small call fits and is charged its real cost.
    await collectText(provider.resolve("gpt-4.1").stream({ ...request, maxTokens: 50 }));
    assert.equal(server.requests.length, 1);
    assert.ok(budget.spentUsd > 0 && budget.spentUsd < 0.01);
  } finally {
    await server.close();
  }
});

/** A provider with a response cache in front, as the CLI and the server wire it. */
function cachedProviderWith(settings: ProviderSettings) {
  const context = fixedContext();
  return providerWith(settings, {
    cache: new ResponseCache({ now: () => context.now().getTime() }),
  });
}

Deno.test("An empty answer is a failed attempt: retried, never cached, never a candidate", async () => {
  const server = startOpenAIWireServer({
    behaviours: (_, index) =>
      index < 3 ? { type: "stream", chunks: ["  ", "\n"] } : { type: "stream", text: "Real text." },
  });
  try {
    const { provider, retries } = cachedProviderWith(settingsFor({ openai: server.url }));
    const model = provider.resolve("gpt-4o");
    await assert.rejects(
      collectText(model.stream(request)),
      (error: unknown) =>
        error instanceof RetryableError && error.code === "empty_answer" &&
        /empty/i.test(error.message),
    );
    assert.deepEqual(retries.map((retry) => retry.error.code), ["empty_answer", "empty_answer"]);
    assert.equal(server.requests.length, 3);
    const again = await collectText(model.stream(request));
    assert.equal(again.text, "Real text.", "the empty answer was not cached");
    assert.equal(server.requests.length, 4);
  } finally {
    await server.close();
  }
});

Deno.test("An answer cut at the token limit fails unless the step allows it, and is never cached", async () => {
  const server = startOpenAIWireServer({
    behaviours: [{ type: "stream", text: "A sentence cut in the", finishReason: "length" }],
  });
  try {
    const { provider } = cachedProviderWith(settingsFor({ openai: server.url }));
    const model = provider.resolve("gpt-4o");
    await assert.rejects(
      collectText(model.stream(request)),
      (error: unknown) =>
        error instanceof RetryableError && error.code === "truncated" &&
        /raise the step's max_tokens, or set allow_truncated: true/.test(error.message),
    );
    assert.equal(server.requests.length, 3, "each attempt was asked again");
    const allowed = { ...request, allowTruncated: true };
    const accepted = await collectText(model.stream(allowed));
    assert.equal(accepted.text, "A sentence cut in the");
    assert.equal(accepted.finishReason, "length");
    await collectText(model.stream(allowed));
    assert.equal(
      server.requests.length,
      5,
      "an accepted cut answer is still not served from cache",
    );
  } finally {
    await server.close();
  }
});

Deno.test("Anthropic answer without usage gets estimated counts instead of failing", async () => {
  const server = startAnthropicWireServer({
    behaviours: [{ type: "stream", text: "Counted by the tokenizer instead.", usage: null }],
  });
  try {
    const { provider, retries } = providerWith(settingsFor({ anthropic: server.url }));
    const answer = await collectText(provider.resolve("claude-sonnet-4-20250514").stream(request));
    assert.equal(answer.text, "Counted by the tokenizer instead.");
    assert.equal(answer.usage.estimated, true);
    assert.ok(answer.usage.inputTokens > 0 && answer.usage.outputTokens > 0, "both estimated");
    assert.deepEqual(retries, [], "no retry: nothing failed");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("A Retry-After beyond the ceiling is not waited for: the call fails at once saying why", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      { type: "status", status: 429, headers: { "retry-after": "120" } },
      { type: "stream", text: "too late" },
    ],
  });
  try {
    const { provider, delays } = providerWith(settingsFor({ openai: server.url }), {
      retry: {
        maxAttempts: 3,
        maxRetryAfterMs: 60_000,
        sleep: (milliseconds) => {
          delays.push(milliseconds);
          return Promise.resolve();
        },
      },
    });
    await assert.rejects(
      collectText(provider.resolve("gpt-4o").stream(request)),
      (error: unknown) =>
        error instanceof RetryableError && error.code === "retry_after_too_long" &&
        /120/.test(error.message),
    );
    assert.deepEqual(delays, [], "no wait shorter than the provider asked for");
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("What a refused attempt cost is counted with the answer that succeeds", async () => {
  const server = startOpenAIWireServer({
    behaviours: [
      {
        type: "stream",
        text: "A sentence cut in the",
        finishReason: "length",
        usage: { prompt_tokens: 40, completion_tokens: 300 },
      },
      { type: "stream", chunks: [" "], usage: { prompt_tokens: 40, completion_tokens: 1 } },
      {
        type: "stream",
        text: "The whole answer.",
        usage: { prompt_tokens: 40, completion_tokens: 5 },
      },
    ],
  });
  try {
    const { provider, retries } = providerWith(settingsFor({ openai: server.url }));
    const answer = await collectText(provider.resolve("gpt-4o").stream(request));
    assert.equal(answer.text, "The whole answer.");
    assert.deepEqual(retries.map((retry) => retry.error.code), ["truncated", "empty_answer"]);
    assert.equal(answer.usage.inputTokens, 120, "three prompts were paid for");
    assert.equal(answer.usage.outputTokens, 306, "the cut answer's 300 tokens count too");
    assert.equal(answer.usage.estimated, false);
    const single = await collectText(
      providerWith(settingsFor({ openai: server.url })).provider.resolve("gpt-4o").stream(request),
    );
    assert.ok(single.usage.costUsd > 0);
    assert.ok(
      answer.usage.costUsd > 10 * single.usage.costUsd,
      `priced on every token (${answer.usage.costUsd} vs ${single.usage.costUsd} for one answer)`,
    );
  } finally {
    await server.close();
  }
});
