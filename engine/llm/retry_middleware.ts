/**
 * Retries a model call that failed with a `RetryableError` (429, 5xx, 529,
 * time-outs, a cut stream), with exponential backoff and jitter, waiting as
 * long as the provider's Retry-After asked (capped). When an attempt had
 * already streamed text, the next attempt starts with a `reset` part so no
 * consumer ever glues two attempts together. Sleep and randomness are
 * injected so tests run instantly and deterministically.
 *
 * @example
 * ```ts
 * const model = retryMiddleware({ maxAttempts: 3 })(provider);
 * ```
 */
import { CancelledError, RetryableError } from "../errors.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";

/** One retry about to happen. */
export interface RetryEvent {
  /** `provider:modelId`. */
  model: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: RetryableError;
}

/** Options for `retryMiddleware`. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the second attempt (default 500 ms); doubles each time. */
  initialDelayMs?: number;
  /** Longest backoff (default 20 s). */
  maxDelayMs?: number;
  /** Longest wait a Retry-After may ask for (default 60 s). */
  maxRetryAfterMs?: number;
  /** Waits; resolves early if the signal aborts (default: setTimeout). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for jitter (default Math.random, injected at the entry point). */
  random?: () => number;
  /** Told about each retry (for logs and events). */
  onRetry?: (event: RetryEvent) => void;
}

/** The default sleep: a timer that an abort ends early. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Delay before the attempt after `attempt` (1-based): Retry-After when given, else backoff with jitter. */
export function retryDelay(
  attempt: number,
  error: RetryableError,
  options: RetryOptions,
  random: () => number,
): number {
  if (error.retryAfterMs !== undefined) {
    return Math.min(error.retryAfterMs, options.maxRetryAfterMs ?? 60_000);
  }
  const base = Math.min(
    options.maxDelayMs ?? 20_000,
    (options.initialDelayMs ?? 500) * 2 ** (attempt - 1),
  );
  return Math.round(base / 2 + random() * (base / 2));
}

/** Middleware that retries retryable failures. */
export function retryMiddleware(options: RetryOptions = {}): LanguageModelMiddleware {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const name = `${model.provider}:${model.modelId}`;
      for (let attempt = 1;; attempt++) {
        let streamedText = false;
        try {
          for await (const part of model.stream(request, callOptions)) {
            if (part.type === "text") streamedText = true;
            else if (part.type === "reset") streamedText = false;
            yield part;
          }
          return;
        } catch (error) {
          if (!(error instanceof RetryableError) || callOptions.signal?.aborted) throw error;
          if (attempt >= maxAttempts) {
            throw new RetryableError(
              `${error.message} (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})`,
              {
                cause: error,
                code: error.code,
                status: error.status,
                retryAfterMs: error.retryAfterMs,
              },
            );
          }
          const delayMs = retryDelay(attempt, error, options, random);
          options.onRetry?.({ model: name, attempt, delayMs, error });
          await sleep(delayMs, callOptions.signal);
          if (callOptions.signal?.aborted) {
            throw new CancelledError(`The call to ${name} was cancelled while waiting to retry`, {
              cause: error,
            });
          }
          if (streamedText) {
            yield {
              type: "reset",
              reason: `Retrying ${name} (attempt ${attempt + 1}): ${error.message}`,
            };
          }
        }
      }
    },
  });
}
