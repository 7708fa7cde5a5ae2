/**
 * Any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio) as
 * `local:NAME`. Reads `providers.local.base_url` (`WRITEIT_LOCAL_BASE_URL`,
 * default `http://localhost:11434/v1`) and an optional
 * `providers.local.api_key` (`WRITEIT_LOCAL_API_KEY`). Its models cost
 * nothing unless a price override says otherwise.
 *
 * @example
 * ```ts
 * const model = localProvider.create("llama3.1", { name: "local:llama3.1", settings, context });
 * ```
 */
import { createOpenAIModel } from "../openai_model.ts";
import { DEFAULT_LOCAL_BASE_URL } from "../provider_settings.ts";
import type { ProviderDefinition } from "./provider_definition.ts";
import { countPages, probe } from "./provider_probe.ts";

const API_KEY_VARIABLE = "WRITEIT_LOCAL_API_KEY";
const BASE_URL_VARIABLE = "WRITEIT_LOCAL_BASE_URL";

/** The provider for a local OpenAI-compatible server. */
export const localProvider: ProviderDefinition = {
  name: "local",
  example: "local:llama3.1",
  offerNote: "(an OpenAI-compatible server such as Ollama)",
  free: true,
  settings: [
    {
      key: "base_url",
      env: BASE_URL_VARIABLE,
      default: DEFAULT_LOCAL_BASE_URL,
      help:
        "Base URL of a local OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio) for local: models",
    },
    {
      key: "api_key",
      env: API_KEY_VARIABLE,
      secret: true,
      help: "API key for the local server, if it needs one",
    },
  ],
  create(modelId, { settings, context }) {
    return createOpenAIModel({
      provider: "local",
      modelId,
      apiKey: settings.local.apiKey ?? "not-needed",
      baseUrl: settings.local.baseUrl ?? DEFAULT_LOCAL_BASE_URL,
      apiKeyVariable: API_KEY_VARIABLE,
      now: () => context.now().getTime(),
    });
  },
  async check({ settings, timeoutMs, clock, probeDefaultLocal }) {
    const baseUrl = settings.local.baseUrl ?? DEFAULT_LOCAL_BASE_URL;
    const configured = baseUrl !== DEFAULT_LOCAL_BASE_URL || Boolean(settings.local.apiKey);
    const check = {
      provider: "local",
      configured,
      baseUrl,
      missing: configured ? undefined : BASE_URL_VARIABLE,
    };
    if (!configured && !probeDefaultLocal) return check;
    const { default: OpenAI } = await import("openai");
    const client = new OpenAI({
      apiKey: settings.local.apiKey ?? "not-needed",
      baseURL: baseUrl,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: Math.min(timeoutMs, configured ? timeoutMs : 1500),
      logLevel: "off",
    });
    return await probe(check, () => countPages(client.models.list()), clock);
  },
};
