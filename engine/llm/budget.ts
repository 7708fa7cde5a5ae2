/**
 * A spending limit in US dollars. Before a call, `budgetMiddleware` estimates
 * its worst case (the prompt's tokens estimated from its characters plus
 * `maxTokens` of output, at the model's price) and refuses it with
 * `BudgetExceededError`, before anything is spent, when what was spent plus
 * what is in flight plus that estimate would pass the limit. After the call
 * the estimate is replaced by the real cost. Cache hits never reach it.
 *
 * @example
 * ```ts
 * const budget = new Budget({ limitUsd: 0.5 });
 * const model = budgetMiddleware(budget, { prices })(inner);
 * ```
 */
import { BudgetExceededError } from "../errors.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";
import type { PriceTable } from "./price_table.ts";
import { estimateMessageTokens } from "./token_estimate.ts";

/** Output tokens assumed for a call that sets no `maxTokens`. */
export const DEFAULT_OUTPUT_ESTIMATE = 4096;

/** Options for `Budget`. */
export interface BudgetOptions {
  limitUsd: number;
  /** Already spent (for a resumed run). */
  spentUsd?: number;
}

/** A limit, what was spent against it, and what is reserved by calls in flight. */
export class Budget {
  readonly limitUsd: number;
  #spentUsd: number;
  #reservedUsd = 0;

  constructor(options: BudgetOptions) {
    if (!(options.limitUsd >= 0)) {
      throw new RangeError(`Budget limit must be 0 or more, got ${options.limitUsd}`);
    }
    this.limitUsd = options.limitUsd;
    this.#spentUsd = options.spentUsd ?? 0;
  }

  get spentUsd(): number {
    return this.#spentUsd;
  }

  get remainingUsd(): number {
    return Math.max(0, this.limitUsd - this.#spentUsd - this.#reservedUsd);
  }

  /** Reserves `estimateUsd` for a call to `model`, or throws `BudgetExceededError`. */
  reserve(estimateUsd: number, model: string): void {
    const projectedUsd = this.#spentUsd + this.#reservedUsd + estimateUsd;
    if (estimateUsd > 0 && projectedUsd > this.limitUsd + 1e-12) {
      throw new BudgetExceededError(
        `Calling ${model} could cost up to $${estimateUsd.toFixed(4)}, taking spending to $${
          projectedUsd.toFixed(4)
        }, over the budget of $${this.limitUsd.toFixed(4)} ($${
          this.#spentUsd.toFixed(4)
        } spent): raise the budget, lower max_tokens or choose a cheaper model`,
        { limitUsd: this.limitUsd, projectedUsd },
      );
    }
    this.#reservedUsd += estimateUsd;
  }

  /** Releases a reservation and records what the call really cost. */
  settle(reservedUsd: number, actualUsd: number): void {
    this.#reservedUsd = Math.max(0, this.#reservedUsd - reservedUsd);
    this.#spentUsd += actualUsd;
  }
}

/** Middleware that checks `budget` before each call and charges it after. */
export function budgetMiddleware(
  budget: Budget,
  options: { prices: PriceTable },
): LanguageModelMiddleware {
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const price = options.prices.priceOf(model.provider, model.modelId);
      const free = !price || (price.inputPerMillion === 0 && price.outputPerMillion === 0);
      const estimateUsd = free ? 0 : options.prices.costOf(model.provider, model.modelId, {
        inputTokens: estimateMessageTokens(request.messages),
        outputTokens: request.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE,
      });
      budget.reserve(estimateUsd, `${model.provider}:${model.modelId}`);
      let actualUsd = 0;
      try {
        for await (const part of model.stream(request, callOptions)) {
          if (part.type === "usage") actualUsd = part.usage.costUsd;
          yield part;
        }
      } finally {
        budget.settle(estimateUsd, actualUsd);
      }
    },
  });
}
