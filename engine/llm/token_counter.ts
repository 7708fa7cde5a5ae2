/**
 * Counts tokens exactly with js-tiktoken's `cl100k_base` ranks, bundled with
 * the package (no network), for callers that ask for an exact count. Nothing
 * on the engine's hot path does: usage a provider did not report, budgets and
 * the offline model estimate from characters (engine/llm/token_estimate.ts).
 * Building the encoder takes a few hundred milliseconds and tens of MiB, so
 * it is imported dynamically and built once, on first use.
 *
 * @example
 * ```ts
 * await countTokens("hello world"); // 2
 * ```
 */
import type { Tiktoken } from "js-tiktoken/lite";
import type { ChatMessage } from "./language_model.ts";

let encoder: Promise<Tiktoken> | undefined;

function loadEncoder(): Promise<Tiktoken> {
  encoder ??= (async () => {
    const [{ Tiktoken }, ranks] = await Promise.all([
      import("js-tiktoken/lite"),
      import("js-tiktoken/ranks/cl100k_base"),
    ]);
    return new Tiktoken(ranks.default);
  })();
  return encoder;
}

/**
 * Runs that the tokenizer would take as one piece: 100 or more letters,
 * whitespace characters or punctuation in a row. BPE merging is quadratic in
 * a piece's length (a 512-letter word takes about 100 ms, a pasted
 * 300,000-letter blob minutes), so such runs are estimated at one token per
 * four characters instead of encoded. Ordinary text has no such runs and is
 * counted exactly.
 */
const LONG_PIECE = /[\p{L}\p{M}]{100,}|\s{100,}|[^\s\p{L}\p{M}\p{N}]{100,}/gu;

/** Number of tokens in `text` (exact for ordinary text; runs of 100+ letters, spaces or symbols are estimated). */
export async function countTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const tiktoken = await loadEncoder();
  let estimated = 0;
  const ordinary = text.replace(LONG_PIECE, (run) => {
    estimated += Math.ceil(run.length / 4);
    return " ";
  });
  return estimated + tiktoken.encode(ordinary, "all").length;
}

/** Tokens a chat prompt takes: each message's content plus a few for its framing (as OpenAI counts). */
export async function countMessageTokens(messages: ChatMessage[]): Promise<number> {
  let total = 3;
  for (const message of messages) total += 4 + await countTokens(message.content);
  return total;
}
