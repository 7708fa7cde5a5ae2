/**
 * A step's `model_preference` as a model: tries each model in order and
 * moves to the next one when a model fails for good (a non-retryable
 * provider error, retries exhausted, or a provider that is not configured),
 * reporting every move with its reason through `onFallback` (both the
 * chain's and the call's). Cancellations and budget refusals stop the chain:
 * another model would not fix them. A move after text was streamed starts
 * with a `reset` part; the `finish` part names the model that answered.
 *
 * @example
 * ```ts
 * const model = createFallbackModel([{ name: "openai:gpt-4.1", create: () => a }, { name: "anthropic:claude-sonnet-4", create: () => b }], {
 *   onFallback: (event) => console.log(`${event.from} → ${event.to}: ${event.reason}`),
 * });
 * ```
 */
import {
  BudgetExceededError,
  CancelledError,
  ProviderError,
  RetryableError,
  WriteItError,
} from "../errors.ts";
import type { FallbackEvent, LanguageModel, ModelStreamPart } from "./language_model.ts";

/** One model of a chain, created on first use (so a missing key fails only that model). */
export interface FallbackEntry {
  /** `provider:modelId`. */
  name: string;
  create: () => LanguageModel;
}

/** Options for `createFallbackModel`. */
export interface FallbackOptions {
  onFallback?: (event: FallbackEvent) => void;
}

function movesOn(error: unknown): error is WriteItError {
  return error instanceof WriteItError && !(error instanceof CancelledError) &&
    !(error instanceof BudgetExceededError);
}

/** A model that falls back along `entries` in order. */
export function createFallbackModel(
  entries: FallbackEntry[],
  options: FallbackOptions = {},
): LanguageModel {
  if (entries.length === 0) throw new RangeError("A fallback chain needs at least one model");
  const [providerName, ...rest] = entries[0].name.split(":");
  const created = new Map<number, LanguageModel>();
  const modelAt = (index: number) => {
    let model = created.get(index);
    if (!model) {
      model = entries[index].create();
      created.set(index, model);
    }
    return model;
  };
  return {
    provider: providerName,
    modelId: rest.join(":"),
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const failures: string[] = [];
      let allRetryable = true;
      for (let index = 0; index < entries.length; index++) {
        let streamedText = false;
        try {
          const model = modelAt(index);
          for await (const part of model.stream(request, callOptions)) {
            if (part.type === "finish") {
              yield { ...part, provider: model.provider, modelId: model.modelId };
              continue;
            }
            streamedText = part.type !== "reset";
            yield part;
          }
          return;
        } catch (error) {
          if (!movesOn(error)) throw error;
          if (!(error instanceof RetryableError)) allRetryable = false;
          failures.push(`${entries[index].name}: ${error.message}`);
          if (index === entries.length - 1) {
            if (entries.length === 1) throw error;
            const message = `Every model in the preference list failed (${failures.join("; ")})`;
            throw allRetryable
              ? new RetryableError(message, { cause: error, code: "all_models_failed" })
              : new ProviderError(entries[index].name.split(":")[0], message, {
                cause: error,
                code: "all_models_failed",
              });
          }
          const event: FallbackEvent = {
            from: entries[index].name,
            to: entries[index + 1].name,
            reason: error.message,
            code: error.code,
          };
          options.onFallback?.(event);
          callOptions.onFallback?.(event);
          if (streamedText) {
            yield {
              type: "reset",
              reason: `Falling back from ${event.from} to ${event.to}: ${event.reason}`,
            };
          }
        }
      }
    },
  };
}
