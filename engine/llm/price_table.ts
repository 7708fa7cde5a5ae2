/**
 * Prices per model in US dollars per million tokens (input and output), from
 * the providers' own price lists (current OpenAI and Anthropic models
 * built in), with user overrides on top. A dated model id
 * (`gpt-4.1-2025-04-14`) is priced as its family (`gpt-4.1`) by the longest
 * matching prefix. Models of a free provider (local, offline) cost nothing
 * unless an override says otherwise; a model with no price costs 0 and
 * `priceOf` returns undefined so callers can say so.
 *
 * @example
 * ```ts
 * const prices = createPriceTable({ "gpt-4.1": { inputPerMillion: 1, outputPerMillion: 4 } });
 * prices.costOf("openai", "gpt-4.1-2025-04-14", { inputTokens: 1000, outputTokens: 500 }); // 0.003
 * ```
 */
import { BUILT_IN_PROVIDERS } from "./provider_registry.ts";
import type { ModelPrice } from "./model_price.ts";
import type { ProviderDefinition } from "./providers/provider_definition.ts";

export type { ModelPrice };

/** The prices of `providers` in one table, by model family. */
export function pricesOf(
  providers: readonly ProviderDefinition[],
): Readonly<Record<string, ModelPrice>> {
  return Object.assign({}, ...providers.map((provider) => provider.prices ?? {}));
}

/** Built-in prices (USD per million tokens), by model family. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = pricesOf(BUILT_IN_PROVIDERS);

/** Options for `createPriceTable`. */
export interface PriceTableOptions {
  /** Providers whose prices and free flags apply (default: the built-in ones). */
  providers?: readonly ProviderDefinition[];
}

/** Looks up prices and computes costs. */
export interface PriceTable {
  /** The price of a model, or undefined when it has none. */
  priceOf(provider: string, modelId: string): ModelPrice | undefined;
  /** Cost in USD of the given token counts (0 for a model without a price). */
  costOf(
    provider: string,
    modelId: string,
    tokens: { inputTokens: number; outputTokens: number },
  ): number;
}

function longestPrefix(
  table: Readonly<Record<string, ModelPrice>>,
  modelId: string,
): ModelPrice | undefined {
  if (table[modelId]) return table[modelId];
  let best: string | undefined;
  for (const family of Object.keys(table)) {
    if (
      modelId.startsWith(family) &&
      (modelId.length === family.length || modelId[family.length] === "-") &&
      (best === undefined || family.length > best.length)
    ) best = family;
  }
  return best === undefined ? undefined : table[best];
}

/** A price table from the providers' prices plus `overrides` (keyed `provider:model`, `model`, or a provider). */
export function createPriceTable(
  overrides: Record<string, ModelPrice> = {},
  options: PriceTableOptions = {},
): PriceTable {
  const providers = options.providers ?? BUILT_IN_PROVIDERS;
  const defaults = options.providers ? pricesOf(providers) : DEFAULT_PRICES;
  const free = new Set(providers.filter((provider) => provider.free).map(({ name }) => name));
  const memo = new Map<string, ModelPrice | undefined>();
  function priceOf(provider: string, modelId: string): ModelPrice | undefined {
    const memoKey = `${provider}:${modelId}`;
    if (memo.has(memoKey)) return memo.get(memoKey);
    // Most specific first: `provider:model`, a model (family), then a whole provider (`offline`).
    const price = overrides[memoKey] ?? longestPrefix(overrides, modelId) ?? overrides[provider] ??
      (free.has(provider)
        ? { inputPerMillion: 0, outputPerMillion: 0 }
        : longestPrefix(defaults, modelId));
    memo.set(memoKey, price);
    return price;
  }
  return {
    priceOf,
    costOf(provider, modelId, tokens) {
      const price = priceOf(provider, modelId);
      if (!price) return 0;
      return (tokens.inputTokens * price.inputPerMillion +
        tokens.outputTokens * price.outputPerMillion) / 1_000_000;
    },
  };
}
