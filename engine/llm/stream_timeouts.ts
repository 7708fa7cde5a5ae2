/**
 * Time-outs for one streamed call: the first part must arrive within
 * `firstByteMs` of the request, and no two parts may be further apart than
 * `betweenChunksMs`. A time-out aborts the provider's request (so the socket
 * is released) and fails the attempt with a `RetryableError` (code `timeout`)
 * that the retry middleware above it retries. Zero or Infinity turns a limit off.
 *
 * @example
 * ```ts
 * const model = streamTimeoutMiddleware({ firstByteMs: 30_000, betweenChunksMs: 15_000 })(provider);
 * ```
 */
import { RetryableError } from "../errors.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";

/** Options for `streamTimeoutMiddleware` (milliseconds). */
export interface StreamTimeoutOptions {
  /** From the request to the first part (default 60 000). */
  firstByteMs?: number;
  /** Between two parts (default 30 000). */
  betweenChunksMs?: number;
}

const TIMED_OUT = Symbol("timed out");

/** Middleware enforcing first-byte and between-chunk time-outs. */
export function streamTimeoutMiddleware(
  options: StreamTimeoutOptions = {},
): LanguageModelMiddleware {
  const firstByteMs = options.firstByteMs ?? 60_000;
  const betweenChunksMs = options.betweenChunksMs ?? 30_000;
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const controller = new AbortController();
      const outer = callOptions.signal;
      const forwardAbort = () => controller.abort(outer?.reason);
      if (outer?.aborted) controller.abort(outer.reason);
      outer?.addEventListener("abort", forwardAbort, { once: true });
      const iterator = model.stream(request, { ...callOptions, signal: controller.signal })[
        Symbol.asyncIterator
      ]();
      let first = true;
      let finished = false;
      // One watchdog per stream rather than a timer per part: each part moves the deadline, and
      // the timer, when it fires early, sleeps again until the deadline that is current then.
      let deadline = Infinity;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let wake: ((value: typeof TIMED_OUT) => void) | undefined;
      const watch = () => {
        timer = undefined;
        const left = deadline - performance.now();
        if (left > 0) timer = setTimeout(watch, left);
        else wake?.(TIMED_OUT);
      };
      try {
        while (true) {
          const limit = first ? firstByteMs : betweenChunksMs;
          const next = iterator.next();
          let result: IteratorResult<ModelStreamPart> | typeof TIMED_OUT;
          if (limit > 0 && Number.isFinite(limit)) {
            deadline = performance.now() + limit;
            if (timer === undefined) timer = setTimeout(watch, limit);
            result = await new Promise<IteratorResult<ModelStreamPart> | typeof TIMED_OUT>(
              (resolve, reject) => {
                wake = resolve;
                next.then(resolve, reject);
              },
            );
            wake = undefined;
          } else {
            result = await next;
          }
          if (result === TIMED_OUT) {
            controller.abort(new Error("stream time-out"));
            // Let the provider unwind (its request is aborted), but never hang on it.
            let grace: ReturnType<typeof setTimeout> | undefined;
            await Promise.race([
              next.catch(() => undefined),
              new Promise((resolve) => grace = setTimeout(resolve, 1_000)),
            ]);
            clearTimeout(grace);
            finished = true;
            throw new RetryableError(
              first
                ? `${model.provider}:${model.modelId} sent nothing within ${limit} ms of the request (first-byte time-out)`
                : `${model.provider}:${model.modelId} went silent for ${limit} ms mid-stream (between-chunks time-out); the partial answer was discarded`,
              { code: "timeout" },
            );
          }
          if (result.done) {
            finished = true;
            return;
          }
          first = false;
          yield result.value;
        }
      } finally {
        if (timer !== undefined) clearTimeout(timer);
        outer?.removeEventListener("abort", forwardAbort);
        if (!finished) await iterator.return?.(undefined)?.catch(() => undefined);
      }
    },
  });
}
