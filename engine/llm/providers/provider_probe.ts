/**
 * The free request behind a provider's `check`: list its models with a short
 * time-out and no retries, and report whether it answered, how fast and how
 * many models it listed. Never sends a prompt, never spends tokens.
 *
 * @example
 * ```ts
 * const check = await probe({ provider: "openai", configured: true }, () => countPages(client.models.list()), clock);
 * ```
 */
import { toWriteItError } from "../provider_errors.ts";
import type { ProviderCheck } from "./provider_definition.ts";

/** `check` with `answers`, `models` and `latencyMs` filled in from calling `list`. */
export async function probe(
  check: ProviderCheck,
  list: () => Promise<number>,
  clock: () => number,
): Promise<ProviderCheck> {
  const started = clock();
  try {
    const models = await list();
    return { ...check, answers: true, models, latencyMs: Math.round(clock() - started) };
  } catch (error) {
    // Retry-After dates do not matter here: nothing is retried.
    const converted = toWriteItError(error, {
      provider: check.provider,
      modelId: "(models list)",
      nowMs: 0,
    });
    return {
      ...check,
      answers: false,
      error: converted.message,
      latencyMs: Math.round(clock() - started),
    };
  }
}

/** How many items `pages` yields, up to `limit`. */
export async function countPages(pages: AsyncIterable<unknown>, limit = 1000): Promise<number> {
  let count = 0;
  for await (const _ of pages) if (++count >= limit) break;
  return count;
}
