/**
 * Token estimates that need no tokenizer: one token per four characters
 * (UTF-16 code units), rounded up, which is about what BPE tokenizers give
 * for English prose and costs nothing to compute. Used on the hot path: when
 * a provider reports no usage (the usage is then marked `estimated`), by
 * budgets to estimate a call before it is made, and by the offline model to
 * report its own usage. For an exact count, `countTokens` in
 * engine/llm/token_counter.ts loads a BPE tokenizer on first use.
 *
 * @example
 * ```ts
 * estimateTokens("Four words right here"); // 6 (21 characters)
 * ```
 */
import type { ChatMessage } from "./language_model.ts";

/** Characters counted as one token. */
export const CHARACTERS_PER_TOKEN = 4;

/** About how many tokens `text` takes: ceil(characters / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}

/** About how many tokens a chat prompt takes: each message's content plus its framing (3 + 4 per message, as OpenAI counts). */
export function estimateMessageTokens(messages: ChatMessage[]): number {
  let total = 3;
  for (const message of messages) total += 4 + estimateTokens(message.content);
  return total;
}
