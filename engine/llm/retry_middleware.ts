/**
 * Retries a model call that failed with a `RetryableError` (429, 5xx, 529,
 * time-outs, a cut stream, an empty or truncated answer), with exponential
 * backoff and jitter, waiting as long as the provider's Retry-After asked
 * when that is within `maxRetryAfterMs`. A Retry-After beyond it is not
 * waited for at all: the call fails at once (code `retry_after_too_long`),
 * so a fallback chain moves to its next model, saying why. Every retry is
 * told, before its wait, to the middleware's and the call's `onRetry`. When
 * an attempt had already streamed parts, the next attempt starts with a
 * `reset` part so no consumer ever glues two attempts together. Sleep,
 * randomness and the clock are injected so tests run instantly and
 * deterministically.
 *
 * @example
 * ```ts
 * const model = retryMiddleware({ maxAttempts: 3 })(provider);
 * ```
 */
import { CancelledError, RetryableError } from "../errors.ts";
import type { LanguageModelMiddleware, ModelStreamPart, RetryNotice } from "./language_model.ts";

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
  /**
   * Longest wait a Retry-After may ask for (default 60 s); a longer one is
   * not waited for: the call fails at once with the reason.
   */
  maxRetryAfterMs?: number;
  /** Clock in milliseconds, for the time a call took in its final error (default `Date.now`). */
  now?: () => number;
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

/** Default ceiling for a Retry-After (60 s). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** Seconds, for messages: `1.5 s`, `120 s`. */
function seconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 100) / 10} s`;
}

/** Delay before the attempt after `attempt` (1-based): Retry-After when given, else backoff with jitter. */
export function retryDelay(
  attempt: number,
  error: RetryableError,
  options: RetryOptions,
  random: () => number,
): number {
  if (error.retryAfterMs !== undefined) return Math.max(0, error.retryAfterMs);
  const base = Math.min(
    options.maxDelayMs ?? 20_000,
    (options.initialDelayMs ?? 500) * 2 ** (attempt - 1),
  );
  return Math.round(base / 2 + random() * (base / 2));
}

/** Middleware that retries retryable failures. */
export function retryMiddleware(options: RetryOptions = {}): LanguageModelMiddleware {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const name = `${model.provider}:${model.modelId}`;
      const startedAt = now();
      const took = () => seconds(Math.max(0, now() - startedAt));
      for (let attempt = 1;; attempt++) {
        let yielded = false;
        try {
          for await (const part of model.stream(request, callOptions)) {
            yielded = part.type !== "reset";
            yield part;
          }
          return;
        } catch (error) {
          if (!(error instanceof RetryableError) || callOptions.signal?.aborted) throw error;
          const attempts = `${attempt} attempt${attempt === 1 ? "" : "s"}`;
          if (error.retryAfterMs !== undefined && error.retryAfterMs > maxRetryAfterMs) {
            throw new RetryableError(
              `${error.message}; it asked to wait ${
                seconds(error.retryAfterMs)
              } before retrying, longer than providers.max_retry_after_seconds (${
                seconds(maxRetryAfterMs)
              }), so it was not retried (${attempts} in ${took()}): add another model to model_preference, or raise providers.max_retry_after_seconds`,
              {
                cause: error,
                code: "retry_after_too_long",
                status: error.status,
                retryAfterMs: error.retryAfterMs,
              },
            );
          }
          if (attempt >= maxAttempts) {
            throw new RetryableError(
              `${error.message} (gave up after ${attempts} in ${took()})`,
              {
                cause: error,
                code: error.code,
                status: error.status,
                retryAfterMs: error.retryAfterMs,
              },
            );
          }
          const delayMs = retryDelay(attempt, error, options, random);
          const notice: RetryNotice = {
            model: name,
            attempt,
            maxAttempts,
            delayMs,
            reason: error.message,
            code: error.code,
          };
          options.onRetry?.({ model: name, attempt, delayMs, error });
          callOptions.onRetry?.(notice);
          await sleep(delayMs, callOptions.signal);
          if (callOptions.signal?.aborted) {
            throw new CancelledError(`The call to ${name} was cancelled while waiting to retry`, {
              cause: error,
            });
          }
          if (yielded) {
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
