/**
 * Which models a step asks, as candidate sets. A step's `models` list gives
 * one set per model, side by side; otherwise its `model_preference` is one
 * set answered along a fallback chain; a step with neither uses the
 * configured default model for that step, then the global default. The
 * run's model override (`--model`) replaces them all, except that an offline
 * override of a step with several models keeps one set per original model,
 * labelled `offline:<original>`, so side-by-side candidates still differ
 * and say which model they stand in for.
 *
 * @example
 * ```ts
 * candidateSets(step, { modelOverride: "offline" });
 * // [{ label: "offline:gpt-4.1", chain: ["offline:gpt-4.1"] }, { label: "offline:claude-sonnet-4", … }]
 * ```
 */
import { ConfigurationError } from "./errors.ts";
import type { StepSpec } from "./pipeline_schema.ts";
import type { CandidateSet } from "./step_runner.ts";

/** Where models come from besides the step itself. */
export interface ModelChoice {
  /** `--model`: replaces every step's models. */
  modelOverride?: string;
  /** Preferred model per step id (user preferences). */
  defaultModels?: Record<string, string>;
  /** Model for steps that name none. */
  defaultModel?: string;
}

/** True for `offline` and `offline:<name>`. */
export function isOfflineModel(name: string): boolean {
  return name === "offline" || name.startsWith("offline:");
}

function offlineStandIn(original: string): string {
  return isOfflineModel(original) ? original : `offline:${original}`;
}

/** The candidate sets of `step`; ConfigurationError when no model can be found. */
export function candidateSets(step: StepSpec, choice: ModelChoice = {}): CandidateSet[] {
  const override = choice.modelOverride;
  if (override) {
    if (isOfflineModel(override) && step.models.length > 1) {
      return step.models.map((model) => {
        const label = offlineStandIn(model);
        return { label, chain: [label] };
      });
    }
    return [{ label: override, chain: [override] }];
  }
  if (step.models.length > 0) return step.models.map((model) => ({ label: model, chain: [model] }));
  if (step.modelPreference.length > 0) {
    return [{ label: step.modelPreference[0], chain: [...step.modelPreference] }];
  }
  const fallback = choice.defaultModels?.[step.id] ?? choice.defaultModel;
  if (fallback) return [{ label: fallback, chain: [fallback] }];
  throw new ConfigurationError(
    `Step "${step.id}" names no model: set model_preference on the step or defaults.model in the pipeline, configure a default model, or pass --model`,
    { code: "no_model" },
  );
}
