/**
 * The run model's plain values: its limits and usage arithmetic, without
 * the zod schemas of run_model.ts, so that the fold, the decider and the
 * run session also run in the dashboard's browser bundle without zod.
 *
 * @example
 * ```ts
 * addUsage(emptyUsage(), usage).totalTokens;
 * ```
 */

/** Token counts and cost (run_model.ts's TokenUsage has this shape). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  estimated: boolean;
}

/** Most attempt failures a step keeps per generation (the log keeps every one). */
export const MAX_ATTEMPT_FAILURES = 50;

/** Most regenerations a step accepts (seed: retry count cannot exceed 3). */
export const MAX_STEP_RETRIES = 3;

/** A usage record with every count at zero. */
export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0, estimated: false };
}

/** Adds two usage records; the sum is estimated when either part was. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    costUsd: a.costUsd + b.costUsd,
    estimated: a.estimated || b.estimated,
  };
}
