/**
 * The response cache as model middleware. A hit streams the stored text back
 * in several chunks like a live answer, then the original usage and a
 * `finish` marked `cached: true`, and counts the tokens and cost it saved.
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
  /** About how many characters each replayed chunk holds (default 24; cut at spaces). */
  chunkCharacters?: number;
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
        for (const chunk of replayChunks(hit.text, chunkCharacters)) {
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
      let usage: TokenUsage | undefined;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "text") text.push(part.text);
        else if (part.type === "reset") {
          text.length = 0;
          usage = undefined;
        } else if (part.type === "usage") usage = part.usage;
        else if (
          part.type === "finish" && usage && text.join("").trim() !== "" &&
          !isTruncatedFinish(part.reason)
        ) {
          cache.save(key, {
            text: text.join(""),
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
