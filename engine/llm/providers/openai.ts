/**
 * OpenAI: `gpt-*`, `chatgpt-*` and `o` + digit (`o1`, `o3-mini`, `o4-mini`),
 * or any name as `openai:NAME`. Reads `providers.openai.api_key`
 * (`OPENAI_API_KEY`) and `providers.openai.base_url` (`OPENAI_BASE_URL`, for
 * any OpenAI-compatible server); without a key it is a `ConfigurationError`
 * naming the variable.
 *
 * @example
 * ```ts
 * const model = openaiProvider.create("gpt-4.1", { name: "openai:gpt-4.1", settings, context });
 * ```
 */
import { createOpenAIModel } from "../openai_model.ts";
import { DEFAULT_OPENAI_BASE_URL } from "../provider_settings.ts";
import { missingApiKey } from "./missing_api_key.ts";
import type { ProviderDefinition } from "./provider_definition.ts";
import { countPages, probe } from "./provider_probe.ts";

const API_KEY_VARIABLE = "OPENAI_API_KEY";

/** The OpenAI provider. */
export const openaiProvider: ProviderDefinition = {
  name: "openai",
  prefixes: ["gpt-", "chatgpt-"],
  patterns: [/^o\d/i],
  example: "gpt-4.1",
  settings: [
    { key: "api_key", env: API_KEY_VARIABLE, secret: true, help: "OpenAI API key" },
    {
      key: "base_url",
      env: "OPENAI_BASE_URL",
      help: "OpenAI API base URL (any OpenAI-compatible server)",
    },
  ],
  prices: {
    "gpt-5": { inputPerMillion: 1.25, outputPerMillion: 10 },
    "gpt-5-mini": { inputPerMillion: 0.25, outputPerMillion: 2 },
    "gpt-5-nano": { inputPerMillion: 0.05, outputPerMillion: 0.4 },
    "gpt-4.1": { inputPerMillion: 2, outputPerMillion: 8 },
    "gpt-4.1-mini": { inputPerMillion: 0.4, outputPerMillion: 1.6 },
    "gpt-4.1-nano": { inputPerMillion: 0.1, outputPerMillion: 0.4 },
    "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10 },
    "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    "gpt-4-turbo": { inputPerMillion: 10, outputPerMillion: 30 },
    "gpt-3.5-turbo": { inputPerMillion: 0.5, outputPerMillion: 1.5 },
    "o1": { inputPerMillion: 15, outputPerMillion: 60 },
    "o1-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    "o3": { inputPerMillion: 2, outputPerMillion: 8 },
    "o3-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
    "o4-mini": { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  },
  create(modelId, { name, settings, context }) {
    const apiKey = settings.openai.apiKey;
    if (!apiKey) throw missingApiKey({ variable: API_KEY_VARIABLE, provider: "openai", name });
    return createOpenAIModel({
      provider: "openai",
      modelId,
      apiKey,
      baseUrl: settings.openai.baseUrl ?? DEFAULT_OPENAI_BASE_URL,
      apiKeyVariable: API_KEY_VARIABLE,
      now: () => context.now().getTime(),
    });
  },
  async check({ settings, timeoutMs, clock }) {
    const baseUrl = settings.openai.baseUrl ?? DEFAULT_OPENAI_BASE_URL;
    if (!settings.openai.apiKey) {
      return {
        provider: "openai",
        configured: false,
        baseUrl,
        missing: API_KEY_VARIABLE,
      };
    }
    const { default: OpenAI } = await import("openai");
    const client = new OpenAI({
      apiKey: settings.openai.apiKey,
      baseURL: baseUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: timeoutMs,
      logLevel: "off",
    });
    return await probe(
      { provider: "openai", configured: true, baseUrl },
      () => countPages(client.models.list()),
      clock,
    );
  },
};
