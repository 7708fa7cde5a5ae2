/**
 * `writeit doctor`'s view of the providers: for each registered one, whether
 * it is configured (and which variable to set when it is not), and whether it
 * answers — each provider's own `check`, a free request (listing models)
 * with a short time-out and no retries, through the same SDKs the models
 * use. Never sends a prompt, never spends tokens, never prints a key.
 *
 * @example
 * ```ts
 * const report = await checkProviders(settings, { timeoutMs: 3000 });
 * ```
 */
import { builtInProviders, type ProviderRegistry } from "./provider_registry.ts";
import type { ProviderCheck } from "./providers/provider_definition.ts";
import type { ProviderSettings } from "./provider_settings.ts";

export type { ProviderCheck };

/** Options for `checkProviders`. */
export interface ProviderCheckOptions {
  /** Per provider (default 5000 ms). */
  timeoutMs?: number;
  /** Clock for latencies (default performance.now). */
  clock?: () => number;
  /** Also probe the local server when its base URL is the default (default true). */
  probeDefaultLocal?: boolean;
  /** Providers to check, in order (default: the built-in ones); those without a `check` are skipped. */
  registry?: ProviderRegistry;
}

/** Checks every provider in parallel. */
export async function checkProviders(
  settings: ProviderSettings,
  options: ProviderCheckOptions = {},
): Promise<ProviderCheck[]> {
  const registry = options.registry ?? builtInProviders();
  const checkOptions = {
    settings,
    timeoutMs: options.timeoutMs ?? 5000,
    clock: options.clock ?? (() => performance.now()),
    probeDefaultLocal: options.probeDefaultLocal !== false,
  };
  return await Promise.all(
    registry.list().flatMap((definition) =>
      definition.check ? [definition.check(checkOptions)] : []
    ),
  );
}
