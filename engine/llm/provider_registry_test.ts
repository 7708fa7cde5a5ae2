import assert from "node:assert/strict";
import { ResponseCache } from "../cache/response_cache.ts";
import { fixedContext, systemContext } from "../context.ts";
import { ConfigurationError, RetryableError } from "../errors.ts";
import { collectText, type LanguageModel, type ModelStreamPart } from "./language_model.ts";
import { createModelProvider } from "./model_factory.ts";
import { checkProviders } from "./provider_check.ts";
import { builtInProviders, ProviderRegistry } from "./provider_registry.ts";
import { offlineProvider } from "./providers/offline.ts";
import type { ProviderDefinition } from "./providers/provider_definition.ts";
import { emptyProviderSettings } from "./provider_settings.ts";
import { UsageLedger } from "./usage_ledger.ts";

const request = { messages: [{ role: "user" as const, content: "hello" }], candidateIndex: 0 };
const usage = {
  inputTokens: 1000,
  outputTokens: 2000,
  totalTokens: 3000,
  costUsd: 0,
  estimated: false,
};

/** An `echo` provider whose models count their calls and fail the first `failures` of them. */
function echoProvider(failures = 0) {
  const calls: string[] = [];
  const definition: ProviderDefinition = {
    name: "echo",
    prefixes: ["shout-"],
    prices: { loud: { inputPerMillion: 1, outputPerMillion: 2 } },
    create: (modelId): LanguageModel => ({
      provider: "echo",
      modelId,
      async *stream(input): AsyncIterable<ModelStreamPart> {
        calls.push(modelId);
        if (calls.length <= failures) throw new RetryableError("The echo server is busy");
        yield { type: "text", text: input.messages.at(-1)!.content.toUpperCase() };
        yield { type: "usage", usage };
        yield { type: "finish", reason: "stop" };
      },
    }),
  };
  return { definition, calls };
}

Deno.test("builtInProviders() resolves model names to the built-in providers", () => {
  const registry = builtInProviders();
  const cases: [string, string, string][] = [
    ["gpt-4.1", "openai", "gpt-4.1"],
    ["ChatGPT-4o-latest", "openai", "ChatGPT-4o-latest"],
    ["o3-mini", "openai", "o3-mini"],
    ["OpenAI:my-fine-tune", "openai", "my-fine-tune"],
    ["claude-sonnet-4", "anthropic", "claude-sonnet-4"],
    ["anthropic:claude-opus-4-5", "anthropic", "claude-opus-4-5"],
    ["local:llama3.1", "local", "llama3.1"],
    ["local:qwen2.5:7b", "local", "qwen2.5:7b"],
    ["offline:brisk", "offline", "brisk"],
    ["offline:", "offline", "default"],
    ["offline", "offline", "default"],
  ];
  for (const [name, provider, modelId] of cases) {
    const resolved = registry.resolve(name);
    assert.deepEqual(
      { provider: resolved.provider, modelId: resolved.modelId, name: resolved.name },
      { provider, modelId, name: `${provider}:${modelId}` },
      name,
    );
    assert.equal(resolved.definition.name, provider);
  }
  assert.deepEqual(registry.list().map((definition) => definition.name), [
    "openai",
    "anthropic",
    "local",
    "offline",
  ]);
});

Deno.test("ProviderRegistry.resolve() explains a name it cannot place", () => {
  const registry = builtInProviders();
  assert.throws(() => registry.resolve("llama3"), {
    name: "ConfigurationError",
    message:
      'Cannot tell which provider serves model "llama3": prefix it, as "local:llama3" (an OpenAI-compatible server such as Ollama), "openai:llama3", "anthropic:llama3", or use "offline:default"',
  });
  assert.throws(() => registry.resolve(" "), {
    message:
      'A model name is empty: name one such as "gpt-4.1", "claude-sonnet-4", "local:llama3.1" or "offline:default"',
  });
  assert.throws(() => registry.resolve("openai:"), {
    message: 'Model "openai:" has no model id after "openai:": write it as "openai:<model>"',
  });
  registry.register(echoProvider().definition);
  assert.throws(() => registry.resolve("mistral-large"), (error: unknown) => {
    assert.ok(error instanceof ConfigurationError);
    assert.equal(error.code, "unknown_model");
    assert.match(
      error.message,
      /"local:mistral-large" \(an OpenAI-compatible server such as Ollama\), "openai:mistral-large", "anthropic:mistral-large", "echo:mistral-large", or use "offline:default"$/,
    );
    return true;
  });
});

Deno.test("ProviderRegistry.register() refuses a name, prefix or alias already taken", () => {
  const registry = builtInProviders();
  const create = () => {
    throw new Error("never created");
  };
  assert.throws(() => registry.register({ name: "openai", create }), {
    name: "TypeError",
    message: 'Provider "openai" is already registered: give the new one another name',
  });
  assert.throws(() => registry.register({ name: "ollama", prefixes: ["local:"], create }), {
    message:
      'Provider "ollama" claims "local:", which provider "local" already claims: choose another prefix or alias',
  });
  assert.throws(() => registry.register({ name: "proxy", prefixes: ["GPT-"], create }), {
    message:
      'Provider "proxy" claims "gpt-", which provider "openai" already claims: choose another prefix or alias',
  });
  assert.throws(() => registry.register({ name: "stub", aliases: ["offline"], create }), {
    message:
      'Provider "stub" claims "offline", which provider "offline" already claims: choose another prefix or alias',
  });
  assert.throws(() => registry.register({ name: "Echo", create }), TypeError);
  assert.throws(() => registry.register({ name: "echo", prefixes: ["a:b:"], create }), TypeError);
  assert.deepEqual(registry.list().length, 4);
  registry.register(echoProvider().definition);
  assert.throws(() => registry.register(echoProvider().definition), {
    message: 'Provider "echo" is already registered: give the new one another name',
  });
});

Deno.test("createModelProvider() wraps a registered provider in retry, usage, cache and ledger", async () => {
  const context = fixedContext();
  const echo = echoProvider(1);
  const registry = builtInProviders().register(echo.definition);
  const ledger = new UsageLedger();
  const retries: string[] = [];
  const models = createModelProvider({
    registry,
    settings: emptyProviderSettings(),
    context,
    cache: new ResponseCache({ now: () => context.now().getTime() }),
    ledger,
    retry: { sleep: () => Promise.resolve() },
  });

  const first = await collectText(
    models.resolve("echo:loud").stream(request, {
      onRetry: (notice) => retries.push(notice.reason),
    }),
  );
  assert.equal(first.text, "HELLO");
  assert.equal(first.cached, false);
  assert.deepEqual(echo.calls, ["loud", "loud"]);
  assert.deepEqual(retries, ["The echo server is busy"]);
  assert.equal(first.usage.costUsd, (1000 * 1 + 2000 * 2) / 1_000_000);

  const second = await collectText(models.resolve("echo:loud").stream(request));
  assert.equal(second.text, "HELLO");
  assert.equal(second.cached, true);
  assert.equal(echo.calls.length, 2);

  const totals = ledger.totals();
  assert.equal(totals.calls, 2);
  assert.equal(totals.cachedCalls, 1);
  assert.equal(totals.spent.costUsd, first.usage.costUsd);
  assert.equal(totals.saved.costUsd, first.usage.costUsd);

  const bare = await collectText(models.resolve("shout-quiet").stream(request));
  assert.equal(bare.text, "HELLO");
  assert.deepEqual(echo.calls.at(-1), "shout-quiet");
  assert.equal(models.resolve("echo:shout-quiet"), models.resolve("shout-quiet"));
});

Deno.test("createModelProvider() resolves built-in names as before without a registry", async () => {
  const models = createModelProvider({
    settings: emptyProviderSettings(),
    context: fixedContext(),
  });
  const answer = await collectText(models.resolve("offline:brisk").stream(request));
  assert.ok(answer.text.length > 0);
  assert.throws(() => models.resolve("echo:loud"), { name: "ConfigurationError" });
  assert.throws(() => models.resolve("gpt-4.1"), {
    message:
      'OPENAI_API_KEY is not set (needed for "openai:gpt-4.1"): export it, or set providers.openai.api_key in the workspace config, or use an offline:… model to try WriteIt without a key',
  });
});

Deno.test("checkProviders() runs the check of each registered provider that has one", async () => {
  const echo = echoProvider().definition;
  const registry = new ProviderRegistry([offlineProvider, {
    ...echo,
    check: () => Promise.resolve({ provider: "echo", configured: true, answers: true, models: 2 }),
  }, { ...echo, name: "silent", prefixes: [] }]);
  assert.deepEqual(await checkProviders(emptyProviderSettings(), { registry }), [
    { provider: "offline", configured: true, answers: true, models: 1 },
    { provider: "echo", configured: true, answers: true, models: 2 },
  ]);
});

Deno.test("README: your own provider", async () => {
  // The code of the README's "Your own provider" section.
  const registry = builtInProviders();
  registry.register({
    name: "echo",
    create: (modelId): LanguageModel => ({
      provider: "echo",
      modelId,
      async *stream(request) {
        const text = request.messages.at(-1)?.content ?? "";
        yield { type: "text", text: modelId === "loud" ? text.toUpperCase() : text };
        yield {
          type: "usage",
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: 0, estimated: false },
        };
        yield { type: "finish", reason: "stop" };
      },
    }),
  });
  const models = createModelProvider({
    registry,
    settings: emptyProviderSettings(),
    context: systemContext(),
  });
  const answer = await collectText(
    models.resolve("echo:loud").stream({
      messages: [{ role: "user", content: "hello" }],
      candidateIndex: 0,
    }),
  );
  assert.equal(answer.text, "HELLO");
});
