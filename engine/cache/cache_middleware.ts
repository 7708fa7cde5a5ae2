/**
 * The response cache as model middleware. A hit streams the stored text back
 * in the chunks the live answer arrived in (entries stored before chunks were
 * kept are cut into chunks of about 24 characters), with the live answer's
 * timing when `replayPace` is set, then the original usage and a `finish`
 * marked `cached: true`, and counts the tokens and cost it saved.
 * A miss passes the call through and stores the answer only once it
 * finished successfully: a failed or cut stream (any thrown error) is never
 * stored, and a `reset` from a retry discards the text collected before it.
 * An empty (whitespace-only) answer and one cut by the token limit are never
 * stored, even when a step accepts truncated answers.
 *
 * @example
 * ```ts
 * const model = cacheMiddleware(cache, { namespace: "default" })(inner);
 * ```
 */
import { CancelledError } from "../errors.ts";
import type { TokenUsage } from "../run_model.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "../llm/language_model.ts";
import { isTruncatedFinish } from "../llm/answer_check.ts";
import { cacheKey } from "./cache_key.ts";
import type { ResponseCache } from "./response_cache.ts";

/** Options for `cacheMiddleware`. */
export interface CacheMiddlewareOptions {
  /** The workspace: keys never collide across workspaces. */
  namespace: string;
  /** For entries without their chunks: about how many characters each replayed chunk holds (default 24; cut at spaces). */
  chunkCharacters?: number;
  /** Replay a hit at the pace the live answer arrived (default false: at once). */
  replayPace?: boolean;
  /** Clock for the chunk times (ms). */
  now?: () => number;
  /** Waits for a paced chunk; an abort ends it early (default: a timer). */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

/** The default sleep: a timer that an abort ends early. */
function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The chunks a hit replays: the live answer's, when they were kept and still fit the text. */
export function storedChunks(text: string, lengths: number[] | undefined): string[] | undefined {
  if (!lengths || lengths.length === 0) return undefined;
  let total = 0;
  for (const length of lengths) {
    if (!Number.isInteger(length) || length <= 0) return undefined;
    total += length;
  }
  if (total !== text.length) return undefined;
  const chunks: string[] = [];
  let start = 0;
  for (const length of lengths) {
    chunks.push(text.slice(start, start + length));
    start += length;
  }
  return chunks;
}

/** Splits `text` into chunks of about `size` characters, ending after whitespace where possible. */
export function replayChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.indexOf(" ", end);
      end = space === -1 || space - end > size ? end : space + 1;
    }
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

/** Middleware that serves and fills the response cache. */
export function cacheMiddleware(
  cache: ResponseCache,
  options: CacheMiddlewareOptions,
): LanguageModelMiddleware {
  const chunkCharacters = Math.max(1, options.chunkCharacters ?? 24);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const key = cacheKey({
        namespace: options.namespace,
        provider: model.provider,
        modelId: model.modelId,
        request,
      });
      const hit = cache.lookup(key);
      if (hit) {
        cache.recordHit(hit.usage);
        const stored = storedChunks(hit.text, hit.chunks);
        const chunks = stored ?? replayChunks(hit.text, chunkCharacters);
        const times = options.replayPace && stored && hit.chunkTimes?.length === stored.length
          ? hit.chunkTimes
          : undefined;
        const started = now();
        for (const [index, chunk] of chunks.entries()) {
          if (times) {
            const wait = started + times[index] - now();
            if (wait > 0) await sleep(wait, callOptions.signal);
          }
          if (callOptions.signal?.aborted) {
            throw new CancelledError(
              `The call to ${model.provider}:${model.modelId} was cancelled`,
            );
          }
          yield { type: "text", text: chunk };
        }
        yield { type: "usage", usage: hit.usage };
        yield { type: "finish", reason: hit.finishReason, cached: true };
        return;
      }
      cache.recordMiss();
      const text: string[] = [];
      const times: number[] = [];
      let started = now();
      let usage: TokenUsage | undefined;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "text") {
          if (part.text) {
            text.push(part.text);
            times.push(Math.max(0, Math.round(now() - started)));
          }
        } else if (part.type === "reset") {
          text.length = 0;
          times.length = 0;
          started = now();
          usage = undefined;
        } else if (part.type === "usage") usage = part.usage;
        else if (
          part.type === "finish" && usage && text.join("").trim() !== "" &&
          !isTruncatedFinish(part.reason)
        ) {
          cache.save(key, {
            text: text.join(""),
            chunks: text.map((chunk) => chunk.length),
            chunkTimes: times,
            usage,
            finishReason: part.reason,
            provider: model.provider,
            modelId: model.modelId,
          });
        }
        yield part;
      }
    },
  });
}
