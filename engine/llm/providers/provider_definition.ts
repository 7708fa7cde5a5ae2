/**
 * What a provider declares to the registry: its name, the model names it
 * claims (prefixes, patterns, aliases), the configuration keys and
 * environment variables it reads, its prices, how to build its raw
 * `LanguageModel` and how `writeit doctor` checks it. The model factory
 * wraps whatever `create` returns in caching, usage accounting, retries and
 * time-outs, so a definition only speaks its provider's wire format.
 *
 * @example
 * ```ts
 * const echo: ProviderDefinition = {
 *   name: "echo",
 *   create: (modelId) => createEchoModel(modelId),
 * };
 * ```
 */
import type { EngineContext } from "../../context.ts";
import type { LanguageModel } from "../language_model.ts";
import type { ModelPrice } from "../model_price.ts";
import type { ProviderSettings } from "../provider_settings.ts";

/** One `providers.<name>.<key>` configuration key and the environment variable that sets it. */
export interface ProviderSetting {
  /** The key under `providers.<name>.`, such as `api_key`. */
  key: string;
  /** Environment variable that sets it, such as `OPENAI_API_KEY`. */
  env: string;
  /** Never printed (API keys). */
  secret?: boolean;
  default?: string;
  /** One line for `writeit config list`. */
  help: string;
}

/** What `create` is given. */
export interface ProviderCreateOptions {
  /** Canonical `provider:modelId`, for messages. */
  name: string;
  settings: ProviderSettings;
  /** Clock (Retry-After dates). */
  context: EngineContext;
}

/** What `check` is given. */
export interface ProviderCheckOptions {
  settings: ProviderSettings;
  /** Per provider. */
  timeoutMs: number;
  /** Clock for latencies. */
  clock: () => number;
  /** Also probe the local server when its base URL is the default. */
  probeDefaultLocal: boolean;
}

/** One provider's state, as `writeit doctor` shows it. */
export interface ProviderCheck {
  provider: string;
  /** Has what it needs to be called (a key; for `local`, a base URL that was set). */
  configured: boolean;
  baseUrl?: string;
  /** Variable to set when it is not configured. */
  missing?: string;
  /** Whether it answered; undefined when not checked. */
  answers?: boolean;
  latencyMs?: number;
  /** How many models it listed. */
  models?: number;
  /** Why it did not answer. */
  error?: string;
}

/** A provider, as the registry knows it. */
export interface ProviderDefinition {
  /** Lower-case name, the `provider` of its models; `<name>:` always selects it. */
  readonly name: string;
  /**
   * More model-name prefixes it claims, matched without regard to case. One
   * ending in `:` is stripped (`openai:my-tune` → `my-tune`); any other stays
   * part of the model id (`gpt-` claims `gpt-4.1`).
   */
  readonly prefixes?: readonly string[];
  /** Bare model names it claims beyond its prefixes, such as `/^o\d/i` for `o3-mini`. */
  readonly patterns?: readonly RegExp[];
  /** Whole names that mean its default model (`offline`). */
  readonly aliases?: readonly string[];
  /** Model id of a name with nothing after the prefix, or of an alias; without it such a name is refused. */
  readonly defaultModelId?: string;
  /** A model name to show when one is missing (`gpt-4.1`, `local:llama3.1`). */
  readonly example?: string;
  /**
   * How the error for a name no provider claims offers this provider:
   * `"prefix"` (default) as `"<name>:<model>"`, `"example"` by its example,
   * `"none"` not at all.
   */
  readonly offerAs?: "prefix" | "example" | "none";
  /** Words after the prefix offer, such as `(an OpenAI-compatible server such as Ollama)`. */
  readonly offerNote?: string;
  /** Its `providers.<name>.*` configuration keys. */
  readonly settings?: readonly ProviderSetting[];
  /** Prices by model family (a dated id is priced as its family). */
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** Its models cost nothing unless a price override says otherwise. */
  readonly free?: boolean;
  /** The raw model for `modelId`; throws `ConfigurationError` when a setting it needs is missing. */
  create(modelId: string, options: ProviderCreateOptions): LanguageModel;
  /** Whether it is configured and answers, without spending tokens; omitted: not shown by `doctor`. */
  check?(options: ProviderCheckOptions): Promise<ProviderCheck>;
}

/** A model name resolved through the registry. */
export interface ResolvedModelName {
  provider: string;
  modelId: string;
  /** Canonical `provider:modelId`. */
  name: string;
}
