/**
 * Makes every successful stream end with exactly one priced `usage` part:
 * the provider's token counts when it gave them, or the tokenizer's count of
 * the prompt and of the answer (marked `estimated`) when it gave none; the
 * cost comes from the price table. Sits just above the retry middleware, so
 * only the attempt that succeeded is counted (a `reset` clears the text it
 * had collected).
 */
import type { PriceTable } from "./price_table.ts";
import type { LanguageModelMiddleware, ModelStreamPart } from "./language_model.ts";
import { countMessageTokens, countTokens } from "./token_counter.ts";

/** Middleware that prices usage and estimates it when the provider reported none. */
export function usageMiddleware(prices: PriceTable): LanguageModelMiddleware {
  return (model) => ({
    provider: model.provider,
    modelId: model.modelId,
    async *stream(request, callOptions = {}): AsyncIterable<ModelStreamPart> {
      const text: string[] = [];
      let usageSent = false;
      for await (const part of model.stream(request, callOptions)) {
        if (part.type === "text") text.push(part.text);
        else if (part.type === "reset") text.length = 0;
        else if (part.type === "usage") {
          if (usageSent) continue;
          usageSent = true;
          const usage = part.usage;
          yield {
            type: "usage",
            usage: {
              ...usage,
              totalTokens: usage.totalTokens || usage.inputTokens + usage.outputTokens,
              costUsd: prices.costOf(model.provider, model.modelId, usage),
            },
          };
          continue;
        } else if (part.type === "finish" && !usageSent) {
          usageSent = true;
          const inputTokens = await countMessageTokens(request.messages);
          const outputTokens = await countTokens(text.join(""));
          const tokens = { inputTokens, outputTokens };
          yield {
            type: "usage",
            usage: {
              inputTokens,
              outputTokens,
              totalTokens: inputTokens + outputTokens,
              costUsd: prices.costOf(model.provider, model.modelId, tokens),
              estimated: true,
            },
          };
        }
        yield part;
      }
    },
  });
}
