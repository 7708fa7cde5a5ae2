/**
 * The one-line wording of a failed model call that is retried or handed to
 * the next model (`model_attempt_failed`), shared by the terminal's live
 * display, `writeit runs show`, the dashboard's step panel and exports with
 * history, so every front end says the same thing.
 *
 * @example
 * ```ts
 * attemptFailureNotice("draft", failure);
 * // "draft · gpt-4.1 #1: openai:gpt-4.1 attempt 1 failed (rate_limited); retrying in 2 s: …"
 * ```
 */
import type { AttemptFailure } from "./run_model.ts";

/** Seconds with one decimal: `0.5 s`, `2 s`. */
function seconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 100) / 10} s`;
}

/** The notice for a retry or fallback of `stepId`'s candidate. */
export function attemptFailureNotice(
  stepId: string,
  failure: Omit<AttemptFailure, "at" | "generation">,
): string {
  const candidate = `${stepId} · ${failure.model} #${failure.candidateIndex + 1}`;
  if (failure.action === "retry") {
    return `${candidate}: ${failure.failedModel} attempt ${failure.attempt} failed (${failure.code}); retrying in ${
      seconds(failure.delayMs ?? 0)
    }: ${failure.reason}`;
  }
  return `${candidate}: falling back from ${failure.failedModel} to ${
    failure.next ?? "the next model"
  } (${failure.code}): ${failure.reason}`;
}
