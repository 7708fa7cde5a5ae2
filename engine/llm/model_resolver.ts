/**
 * Maps a model name from a pipeline, a flag or the config to a provider and
 * the provider's model id: `gpt-*`, `chatgpt-*` and `o` + digit (`o1`, `o3-mini`,
 * `o4-mini`) are OpenAI, `claude-*` is Anthropic; `openai:`, `anthropic:`,
 * `local:` (any OpenAI-compatible server) and `offline:` prefixes say so
 * explicitly. Anything else is a `ConfigurationError` that shows how to prefix it.
 *
 * @example
 * ```ts
 * resolveModelName("claude-sonnet-4"); // { provider: "anthropic", modelId: "claude-sonnet-4", … }
 * resolveModelName("local:llama3.1"); // { provider: "local", modelId: "llama3.1", … }
 * ```
 */
import { ConfigurationError } from "../errors.ts";

/** Providers WriteIt can call. */
export type ProviderName = "openai" | "anthropic" | "local" | "offline";

/** A model name split into provider and model id. */
export interface ResolvedModelName {
  provider: ProviderName;
  modelId: string;
  /** Canonical `provider:modelId`. */
  name: string;
}

const EXPLICIT = new Set<ProviderName>(["openai", "anthropic", "local", "offline"]);

/** Resolves `name` to its provider; throws `ConfigurationError` for a name it cannot place. */
export function resolveModelName(name: string): ResolvedModelName {
  const trimmed = name.trim();
  if (!trimmed) {
    throw new ConfigurationError(
      `A model name is empty: name one such as "gpt-4.1", "claude-sonnet-4", "local:llama3.1" or "offline:default"`,
      { code: "unknown_model" },
    );
  }
  const colon = trimmed.indexOf(":");
  if (colon > 0) {
    const prefix = trimmed.slice(0, colon).toLowerCase() as ProviderName;
    if (EXPLICIT.has(prefix)) {
      const modelId = trimmed.slice(colon + 1).trim() || (prefix === "offline" ? "default" : "");
      if (!modelId) {
        throw new ConfigurationError(
          `Model "${trimmed}" has no model id after "${prefix}:": write it as "${prefix}:<model>"`,
          {
            code: "unknown_model",
          },
        );
      }
      return { provider: prefix, modelId, name: `${prefix}:${modelId}` };
    }
  }
  if (trimmed === "offline") {
    return { provider: "offline", modelId: "default", name: "offline:default" };
  }
  if (/^(gpt-|chatgpt-|o\d)/i.test(trimmed)) {
    return { provider: "openai", modelId: trimmed, name: `openai:${trimmed}` };
  }
  if (/^claude-/i.test(trimmed)) {
    return { provider: "anthropic", modelId: trimmed, name: `anthropic:${trimmed}` };
  }
  throw new ConfigurationError(
    `Cannot tell which provider serves model "${trimmed}": prefix it, as "local:${trimmed}" (an OpenAI-compatible server such as Ollama), "openai:${trimmed}", "anthropic:${trimmed}", or use "offline:default"`,
    { code: "unknown_model" },
  );
}
