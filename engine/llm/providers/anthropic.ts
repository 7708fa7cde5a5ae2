/**
 * Anthropic: `claude-*`, or any name as `anthropic:NAME`. Reads
 * `providers.anthropic.api_key` (`ANTHROPIC_API_KEY`) and
 * `providers.anthropic.base_url` (`ANTHROPIC_BASE_URL`); without a key it is
 * a `ConfigurationError` naming the variable.
 *
 * @example
 * ```ts
 * const model = anthropicProvider.create("claude-sonnet-4", { name: "anthropic:claude-sonnet-4", settings, context });
 * ```
 */
import { createAnthropicModel } from "../anthropic_model.ts";
import { DEFAULT_ANTHROPIC_BASE_URL } from "../provider_settings.ts";
import { missingApiKey } from "./missing_api_key.ts";
import type { ProviderDefinition } from "./provider_definition.ts";
import { countPages, probe } from "./provider_probe.ts";

const API_KEY_VARIABLE = "ANTHROPIC_API_KEY";

/** The Anthropic provider. */
export const anthropicProvider: ProviderDefinition = {
  name: "anthropic",
  prefixes: ["claude-"],
  example: "claude-sonnet-4",
  settings: [
    { key: "api_key", env: API_KEY_VARIABLE, secret: true, help: "Anthropic API key" },
    { key: "base_url", env: "ANTHROPIC_BASE_URL", help: "Anthropic API base URL" },
  ],
  prices: {
    "claude-opus-4-5": { inputPerMillion: 5, outputPerMillion: 25 },
    "claude-opus-4": { inputPerMillion: 15, outputPerMillion: 75 },
    "claude-4-opus": { inputPerMillion: 15, outputPerMillion: 75 },
    "claude-sonnet-4": { inputPerMillion: 3, outputPerMillion: 15 },
    "claude-4-sonnet": { inputPerMillion: 3, outputPerMillion: 15 },
    "claude-haiku-4-5": { inputPerMillion: 1, outputPerMillion: 5 },
    "claude-3-7-sonnet": { inputPerMillion: 3, outputPerMillion: 15 },
    "claude-3-5-sonnet": { inputPerMillion: 3, outputPerMillion: 15 },
    "claude-3-5-haiku": { inputPerMillion: 0.8, outputPerMillion: 4 },
    "claude-3-opus": { inputPerMillion: 15, outputPerMillion: 75 },
    "claude-3-haiku": { inputPerMillion: 0.25, outputPerMillion: 1.25 },
  },
  create(modelId, { name, settings, context }) {
    const apiKey = settings.anthropic.apiKey;
    if (!apiKey) throw missingApiKey({ variable: API_KEY_VARIABLE, provider: "anthropic", name });
    return createAnthropicModel({
      modelId,
      apiKey,
      baseUrl: settings.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL,
      apiKeyVariable: API_KEY_VARIABLE,
      now: () => context.now().getTime(),
    });
  },
  async check({ settings, timeoutMs, clock }) {
    const baseUrl = settings.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL;
    if (!settings.anthropic.apiKey) {
      return {
        provider: "anthropic",
        configured: false,
        baseUrl,
        missing: API_KEY_VARIABLE,
      };
    }
    const { default: Anthropic } = await import("@anthropic-ai/sdk");
    const client = new Anthropic({
      apiKey: settings.anthropic.apiKey,
      authToken: null,
      baseURL: baseUrl,
      maxRetries: 0,
      timeout: timeoutMs,
      logLevel: "off",
    });
    return await probe(
      { provider: "anthropic", configured: true, baseUrl },
      () => countPages(client.models.list()),
      clock,
    );
  },
};
