/**
 * Refuses answers that finished but are not an article: an empty
 * (whitespace-only) answer, and one cut by the token limit (OpenAI's
 * `finish_reason: length`, Anthropic's `stop_reason: max_tokens`) unless the
 * request allows truncation. Each is a `RetryableError` (code `empty_answer`
 * or `truncated`) raised in place of the `finish` part, so the retry
 * middleware above tries again, the fallback chain moves on once retries are
 * spent, and the cache never stores it. The `usage` part is held back until
 * the answer passed; a refused attempt's usage goes up as a `spent` part
 * instead, so what it cost is still counted. Sits just above the stream
 * time-outs, below the retry middleware.
 *
 * @example
 * ```ts
 * const model = answerCheckMiddleware()(provider);
 * ```
 */
import { RetryableError } from "../errors.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";

/** Finish reasons that mean the token limit cut the answer. */
const TRUNCATED_REASONS = new Set(["length", "max_tokens", "model_length"]);

/** True when `reason` says the token limit cut the answer. */
export function isTruncatedFinish(reason: string): boolean {
  return TRUNCATED_REASONS.has(reason);
}

/** Middleware that fails empty and (unless allowed) truncated answers. */
export function answerCheckMiddleware(): LanguageModelMiddleware {
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const name = `${model.provider}:${model.modelId}`;
      let visible = false;
      let characters = 0;
      // Usage is held back until the answer passed; a refused attempt reports it as spent.
      let usage: Extract<ModelStreamPart, { type: "usage" }> | undefined;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "usage") {
          usage = part;
          continue;
        }
        if (part.type === "text") {
          characters += part.text.length;
          if (!visible && part.text.trim() !== "") visible = true;
        } else if (part.type === "reset") {
          visible = false;
          characters = 0;
          usage = undefined;
        } else if (part.type === "finish") {
          const refused = !visible ||
            (isTruncatedFinish(part.reason) && request.allowTruncated !== true);
          if (refused) yield { type: "spent", usage: usage?.usage, missing: usage?.missing };
          if (!visible) {
            throw new RetryableError(
              `${name} finished (${part.reason}) with an empty answer${
                characters > 0 ? ` (${characters} whitespace characters)` : ""
              }: nothing was kept; check the prompt, or add another model to model_preference`,
              { code: "empty_answer" },
            );
          }
          if (isTruncatedFinish(part.reason) && request.allowTruncated !== true) {
            const limit = request.maxTokens !== undefined
              ? `max_tokens (${request.maxTokens})`
              : "its output token limit";
            throw new RetryableError(
              `${name} stopped at ${limit} after ${characters} characters (finish reason "${part.reason}"): the truncated answer was discarded; raise the step's max_tokens, or set allow_truncated: true on the step to accept cut answers`,
              { code: "truncated" },
            );
          }
          if (usage) yield usage;
          usage = undefined;
        }
        yield part;
      }
      if (usage) yield usage;
    },
  });
}
