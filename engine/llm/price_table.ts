/**
 * Prices per model in US dollars per million tokens (input and output), for
 * current OpenAI and Anthropic models, with user overrides on top. A dated
 * model id (`gpt-4.1-2025-04-14`) is priced as its family (`gpt-4.1`) by the
 * longest matching prefix. Local and offline models cost nothing unless an
 * override says otherwise; a model with no price costs 0 and `priceOf`
 * returns undefined so callers can say so.
 *
 * @example
 * ```ts
 * const prices = createPriceTable({ "gpt-4.1": { inputPerMillion: 1, outputPerMillion: 4 } });
 * prices.costOf("openai", "gpt-4.1-2025-04-14", { inputTokens: 1000, outputTokens: 500 }); // 0.003
 * ```
 */

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Built-in prices (USD per million tokens), by model family. */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
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
};

/** Providers whose models are free unless overridden. */
const FREE_PROVIDERS = new Set(["offline", "local"]);

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

/** A price table from the built-in prices plus `overrides` (keyed `provider:model`, `model`, or a provider). */
export function createPriceTable(overrides: Record<string, ModelPrice> = {}): PriceTable {
  const memo = new Map<string, ModelPrice | undefined>();
  function priceOf(provider: string, modelId: string): ModelPrice | undefined {
    const memoKey = `${provider}:${modelId}`;
    if (memo.has(memoKey)) return memo.get(memoKey);
    // Most specific first: `provider:model`, a model (family), then a whole provider (`offline`).
    const price = overrides[memoKey] ?? longestPrefix(overrides, modelId) ?? overrides[provider] ??
      (FREE_PROVIDERS.has(provider)
        ? { inputPerMillion: 0, outputPerMillion: 0 }
        : longestPrefix(DEFAULT_PRICES, modelId));
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
