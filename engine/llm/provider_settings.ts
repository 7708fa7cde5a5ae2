/**
 * Settings the providers need: API keys, base URLs, time-outs and price
 * overrides. The configuration layer resolves them once (built-in defaults,
 * config files, environment, flags) and hands them to `createModelProvider`;
 * engine code never reads the environment itself. `providerSettingsFromEnvironment`
 * is the pure mapping from environment variables that the config layer calls.
 *
 * @example
 * ```ts
 * const settings = providerSettingsFromEnvironment({ OPENAI_API_KEY: "sk-…" });
 * settings.openai.apiKey; // "sk-…"
 * ```
 */
import type { ModelPrice } from "./model_price.ts";

/** Default base URL of an OpenAI-compatible local server (Ollama). */
export const DEFAULT_LOCAL_BASE_URL = "http://localhost:11434/v1";
/** OpenAI's API. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Anthropic's API. */
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

/** One remote provider's connection. */
export interface ProviderConnection {
  /** API key; undefined when not configured. */
  apiKey?: string;
  /** Base URL of the API (the SDK's `baseURL`). */
  baseUrl?: string;
}

/** Time-outs for one model call (milliseconds). */
export interface TimeoutSettings {
  /** From sending the request to the first streamed part (default 60 000). */
  firstByteMs?: number;
  /** Longest silence between two streamed parts (default 30 000). */
  betweenChunksMs?: number;
}

/** Everything the providers need, resolved once by the configuration layer. */
export interface ProviderSettings {
  openai: ProviderConnection;
  anthropic: ProviderConnection;
  /** Any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio); the key is optional. */
  local: ProviderConnection;
  /** The built-in offline model: a delay per streamed chunk (default 0). */
  offline?: { chunkDelayMs?: number };
  timeouts?: TimeoutSettings;
  /** Price overrides per model id (or `provider:model`), in USD per million tokens. */
  prices?: Record<string, ModelPrice>;
}

/** Settings with nothing configured (the offline model still works). */
export function emptyProviderSettings(): ProviderSettings {
  return { openai: {}, anthropic: {}, local: { baseUrl: DEFAULT_LOCAL_BASE_URL } };
}

/** Environment variables each provider reads, for messages and `writeit doctor`. */
export const PROVIDER_ENVIRONMENT = {
  openai: { apiKey: "OPENAI_API_KEY", baseUrl: "OPENAI_BASE_URL" },
  anthropic: { apiKey: "ANTHROPIC_API_KEY", baseUrl: "ANTHROPIC_BASE_URL" },
  local: { apiKey: "WRITEIT_LOCAL_API_KEY", baseUrl: "WRITEIT_LOCAL_BASE_URL" },
} as const;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Reads OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL,
 * WRITEIT_LOCAL_BASE_URL (default `http://localhost:11434/v1`) and
 * WRITEIT_LOCAL_API_KEY from `environment`. Pure: pass an environment record
 * (`processEnvironment()` of environment.ts). Empty values count as unset.
 */
export function providerSettingsFromEnvironment(
  environment: Record<string, string | undefined>,
): ProviderSettings {
  return {
    openai: {
      apiKey: nonEmpty(environment.OPENAI_API_KEY),
      baseUrl: nonEmpty(environment.OPENAI_BASE_URL),
    },
    anthropic: {
      apiKey: nonEmpty(environment.ANTHROPIC_API_KEY),
      baseUrl: nonEmpty(environment.ANTHROPIC_BASE_URL),
    },
    local: {
      apiKey: nonEmpty(environment.WRITEIT_LOCAL_API_KEY),
      baseUrl: nonEmpty(environment.WRITEIT_LOCAL_BASE_URL) ?? DEFAULT_LOCAL_BASE_URL,
    },
  };
}
