/**
 * Maps a model name from a pipeline, a flag or the config to a built-in
 * provider and the provider's model id: `gpt-*`, `chatgpt-*` and `o` + digit
 * (`o1`, `o3-mini`, `o4-mini`) are OpenAI, `claude-*` is Anthropic;
 * `openai:`, `anthropic:`, `local:` (any OpenAI-compatible server) and
 * `offline:` prefixes say so explicitly. Anything else is a
 * `ConfigurationError` that shows how to prefix it. With providers of your
 * own, resolve through a `ProviderRegistry` instead.
 *
 * @example
 * ```ts
 * resolveModelName("claude-sonnet-4"); // { provider: "anthropic", modelId: "claude-sonnet-4", … }
 * resolveModelName("local:llama3.1"); // { provider: "local", modelId: "llama3.1", … }
 * ```
 */
import { builtInProviders } from "./provider_registry.ts";
import type { ResolvedModelName } from "./providers/provider_definition.ts";

export type { ResolvedModelName };

const builtIn = builtInProviders();

/** Resolves `name` to its built-in provider; throws `ConfigurationError` for a name it cannot place. */
export function resolveModelName(name: string): ResolvedModelName {
  const { provider, modelId, name: canonical } = builtIn.resolve(name);
  return { provider, modelId, name: canonical };
}
