/**
 * Makes every successful stream end with exactly one priced `usage` part,
 * just before its `finish`: the provider's token counts when it gave them;
 * an estimate of the prompt and of the answer when it gave none (one token
 * per four characters, engine/llm/token_estimate.ts: no tokenizer on the hot
 * path); and, when it gave only some (a `usage` part naming what is
 * `missing`), its counts with the rest estimated. Any estimated count marks
 * the usage `estimated`. The cost comes from the price
 * table. Sits just above the retry middleware: the attempt that succeeded
 * is counted (a `reset` clears what it had collected), plus what attempts
 * refused after they finished cost (`spent` parts: an empty or a truncated
 * answer is paid for all the same).
 */
import type { TokenUsage } from "../run_model.ts";
import { addUsage } from "../run_values.ts";
import type { PriceTable } from "./price_table.ts";
import type { ChatMessage, LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";
import { estimateMessageTokens, estimateTokens } from "./token_estimate.ts";

type UsagePart = Extract<ModelStreamPart, { type: "usage" }>;

/** The provider's usage (if any) with what it left out estimated from characters, without a price. */
export function completeUsage(
  part: UsagePart | undefined,
  messages: ChatMessage[],
  answer: string,
): TokenUsage {
  const missing: string[] = part ? (part.missing ?? []) : ["input", "output"];
  const inputTokens = part && !missing.includes("input")
    ? part.usage.inputTokens
    : estimateMessageTokens(messages);
  const outputTokens = part && !missing.includes("output")
    ? part.usage.outputTokens
    : estimateTokens(answer);
  const estimated = missing.length > 0 || (part?.usage.estimated ?? false);
  return {
    inputTokens,
    outputTokens,
    totalTokens: missing.length === 0 && part?.usage.totalTokens
      ? part.usage.totalTokens
      : inputTokens + outputTokens,
    costUsd: 0,
    estimated,
  };
}

/** Middleware that prices usage and estimates what the provider did not report. */
export function usageMiddleware(prices: PriceTable): LanguageModelMiddleware {
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const text: string[] = [];
      let held: UsagePart | undefined;
      let wasted: TokenUsage | undefined;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "text") text.push(part.text);
        else if (part.type === "reset") {
          text.length = 0;
          held = undefined;
        } else if (part.type === "usage") {
          held ??= part;
          continue;
        } else if (part.type === "spent") {
          const given: UsagePart | undefined = part.usage
            ? { type: "usage", usage: part.usage, missing: part.missing }
            : undefined;
          const spent = completeUsage(given, request.messages, text.join(""));
          wasted = wasted ? addUsage(wasted, spent) : spent;
          continue;
        } else if (part.type === "finish") {
          let usage = completeUsage(held, request.messages, text.join(""));
          if (wasted) usage = addUsage(usage, wasted);
          usage.costUsd = prices.costOf(model.provider, model.modelId, usage);
          yield { type: "usage", usage };
          held = undefined;
        }
        yield part;
      }
    },
  });
}
