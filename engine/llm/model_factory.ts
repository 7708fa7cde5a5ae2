/**
 * The one place that turns model names into ready-to-call models: it
 * resolves the provider through a `ProviderRegistry` (the built-in providers
 * unless told otherwise), has the provider's definition build the raw model
 * (a missing key is a `ConfigurationError` naming the variable; never a
 * silent switch to the offline model) and wraps it in middleware, outermost
 * first:
 *
 *   ledger → cache → budget → usage → retry → answer check → timeouts → provider
 *
 * - ledger outermost: it sees each logical call once, with the final
 *   `cached` flag, so real spend and cache savings are counted apart.
 * - cache above budget: a hit spends nothing, so a budget never refuses it;
 *   above retry, so only a complete answer is stored and a hit never retries.
 * - budget above usage and retry: one check before anything is spent,
 *   charged with the priced usage of the answer that succeeded.
 * - usage above retry: prices (or estimates) only the successful attempt.
 * - retry above the answer check: an empty or truncated answer is a failed
 *   attempt, retried like a 429 and never cached.
 * - retry above timeouts: a timed-out attempt is retried like a 429.
 *
 * `resolveChain` wraps complete stacks in a fallback chain, so each model
 * has its own cache entries, budget check and retries, and the chain moves
 * on only when a model failed for good, reporting why.
 *
 * @example
 * ```ts
 * const models = createModelProvider({ settings, context, workspace: "default", cache, ledger });
 * const answer = await collectText(models.resolveChain(["gpt-4.1", "claude-sonnet-4"]).stream(request));
 * ```
 */
import type { EngineContext } from "../context.ts";
import { ConfigurationError } from "../errors.ts";
import { cacheMiddleware } from "../cache/cache_middleware.ts";
import type { ResponseCache } from "../cache/response_cache.ts";
import { answerCheckMiddleware } from "./answer_check.ts";
import { type Budget, budgetMiddleware } from "./budget.ts";
import { createFallbackModel } from "./fallback_model.ts";
import type { FallbackEvent, LanguageModel, LanguageModelMiddleware } from "./language_model.ts";
import { createPriceTable, type PriceTable } from "./price_table.ts";
import { builtInProviders, type ProviderRegistry } from "./provider_registry.ts";
import type { ProviderSettings } from "./provider_settings.ts";
import { retryMiddleware, type RetryOptions } from "./retry_middleware.ts";
import { streamTimeoutMiddleware } from "./stream_timeouts.ts";
import { type UsageLedger, usageLedgerMiddleware } from "./usage_ledger.ts";
import { usageMiddleware } from "./usage_middleware.ts";

/** Options for `createModelProvider`. */
export interface ModelProviderOptions {
  settings: ProviderSettings;
  /** Clock (cache TTL, ledger times, Retry-After dates). */
  context: EngineContext;
  /** Workspace name: the cache namespace and the ledger's label (default "default"). */
  workspace?: string;
  cache?: ResponseCache;
  /** Stream cache hits at the pace the live answers arrived (cache.replay_pace; default false). */
  replayPace?: boolean;
  ledger?: UsageLedger;
  budget?: Budget;
  /** Retry policy, or false for none. */
  retry?: RetryOptions | false;
  /**
   * Providers that model names resolve through (default: the built-in ones).
   * Register providers before creating the model provider: their prices are read then.
   */
  registry?: ProviderRegistry;
  /** Prices (default: the registry's prices with `settings.prices` overrides). */
  prices?: PriceTable;
  /** Told whenever a chain falls back (in addition to the per-call `onFallback`). */
  onFallback?: (event: FallbackEvent) => void;
}

/** What the executor calls. */
export interface ModelProvider {
  /** A model by name (`gpt-4.1`, `claude-sonnet-4`, `local:llama3.1`, `offline:brisk`), fully wrapped. */
  resolve(name: string): LanguageModel;
  /** A step's `model_preference` as one model that falls back in order. */
  resolveChain(names: string[]): LanguageModel;
  /** Which provider and model id a name means, without making the model (no key needed). */
  identify(name: string): { provider: string; modelId: string };
  readonly prices: PriceTable;
}

/** Creates the model provider the executor uses. */
export function createModelProvider(options: ModelProviderOptions): ModelProvider {
  const { settings, context } = options;
  const workspace = options.workspace ?? "default";
  const registry = options.registry ?? builtInProviders();
  const prices = options.prices ??
    createPriceTable(settings.prices, { providers: registry.list() });
  const layers: LanguageModelMiddleware[] = [];
  if (options.ledger) {
    layers.push(usageLedgerMiddleware(options.ledger, { workspace, now: () => context.now() }));
  }
  if (options.cache) {
    layers.push(cacheMiddleware(options.cache, {
      namespace: workspace,
      replayPace: options.replayPace ?? false,
      now: () => context.now().getTime(),
    }));
  }
  if (options.budget) layers.push(budgetMiddleware(options.budget, { prices }));
  layers.push(usageMiddleware(prices));
  if (options.retry !== false) {
    layers.push(retryMiddleware({ now: () => context.now().getTime(), ...options.retry }));
  }
  layers.push(answerCheckMiddleware());
  layers.push(streamTimeoutMiddleware(settings.timeouts ?? {}));
  const models = new Map<string, LanguageModel>();

  function resolve(name: string): LanguageModel {
    const resolved = registry.resolve(name);
    const known = models.get(resolved.name);
    if (known) return known;
    let model = resolved.definition.create(resolved.modelId, {
      name: resolved.name,
      settings,
      context,
    });
    for (let index = layers.length - 1; index >= 0; index--) model = layers[index](model);
    models.set(resolved.name, model);
    return model;
  }

  return {
    prices,
    resolve,
    identify(name) {
      const resolved = registry.resolve(name);
      return { provider: resolved.definition.name, modelId: resolved.modelId };
    },
    resolveChain(names) {
      if (names.length === 0) {
        throw new ConfigurationError(
          `A step has an empty model preference: name at least one model, such as "gpt-4.1" or "offline:default"`,
          { code: "unknown_model" },
        );
      }
      if (names.length === 1) return resolve(names[0]);
      const entries = names.map((name) => {
        let label = name;
        try {
          label = registry.resolve(name).name;
        } catch {
          // An unknown name fails (and is reported) when the chain reaches it.
        }
        return { name: label, create: () => resolve(name) };
      });
      return createFallbackModel(entries, { onFallback: options.onFallback });
    },
  };
}
