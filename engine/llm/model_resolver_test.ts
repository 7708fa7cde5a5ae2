import assert from "node:assert/strict";
import { ConfigurationError } from "../errors.ts";
import { resolveModelName } from "./model_resolver.ts";
import { createPriceTable } from "./price_table.ts";
import { providerSettingsFromEnvironment } from "./provider_settings.ts";

Deno.test("resolveModelName() places models by prefix and by explicit provider", () => {
  const cases: [string, string, string][] = [
    ["gpt-4.1-2025-04-14", "openai", "gpt-4.1-2025-04-14"],
    ["o1", "openai", "o1"],
    ["o3-mini", "openai", "o3-mini"],
    ["o4-mini", "openai", "o4-mini"],
    ["claude-4-sonnet", "anthropic", "claude-4-sonnet"],
    ["openai:my-fine-tune", "openai", "my-fine-tune"],
    ["anthropic:claude-opus-4-5", "anthropic", "claude-opus-4-5"],
    ["local:qwen2.5:7b", "local", "qwen2.5:7b"],
    ["offline:brisk", "offline", "brisk"],
    ["offline", "offline", "default"],
  ];
  for (const [name, provider, modelId] of cases) {
    assert.deepEqual(
      resolveModelName(name),
      { provider, modelId, name: `${provider}:${modelId}` },
      name,
    );
  }
});

Deno.test("resolveModelName() rejects a name it cannot place, with the prefixes to use", () => {
  for (const name of ["llama3", "omni", "", "openai:"]) {
    assert.throws(() => resolveModelName(name), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.code, "unknown_model");
      return true;
    });
  }
  assert.throws(() => resolveModelName("llama3"), { message: /"local:llama3"/ });
});

Deno.test("providerSettingsFromEnvironment() reads keys and base URLs, with the local default", () => {
  const settings = providerSettingsFromEnvironment({
    OPENAI_API_KEY: "sk-1",
    OPENAI_BASE_URL: "http://proxy/v1",
    ANTHROPIC_API_KEY: " ",
    WRITEIT_LOCAL_API_KEY: "local-key",
  });
  assert.deepEqual(settings.openai, { apiKey: "sk-1", baseUrl: "http://proxy/v1" });
  assert.deepEqual(settings.anthropic, { apiKey: undefined, baseUrl: undefined });
  assert.deepEqual(settings.local, { apiKey: "local-key", baseUrl: "http://localhost:11434/v1" });
  assert.equal(
    providerSettingsFromEnvironment({ WRITEIT_LOCAL_BASE_URL: "http://box:8080/v1" }).local.baseUrl,
    "http://box:8080/v1",
  );
});

Deno.test("createPriceTable() prices dated ids by family and applies overrides", () => {
  const prices = createPriceTable({
    "claude-sonnet-4": { inputPerMillion: 1, outputPerMillion: 2 },
  });
  assert.deepEqual(prices.priceOf("openai", "gpt-4.1-2025-04-14"), {
    inputPerMillion: 2,
    outputPerMillion: 8,
  });
  assert.deepEqual(prices.priceOf("openai", "gpt-4.1-mini"), {
    inputPerMillion: 0.4,
    outputPerMillion: 1.6,
  });
  assert.equal(
    prices.costOf("anthropic", "claude-sonnet-4-20250514", { inputTokens: 1e6, outputTokens: 1e6 }),
    3,
  );
  assert.equal(prices.costOf("offline", "brisk", { inputTokens: 1e6, outputTokens: 1e6 }), 0);
  assert.equal(prices.priceOf("openai", "unknown-model"), undefined);
  assert.equal(prices.costOf("openai", "unknown-model", { inputTokens: 5, outputTokens: 5 }), 0);
});
