/**
 * What a prompt template can read: `inputs`, `defaults`, `steps`, `style` and
 * `run`. The executor builds one `TemplateContext` per rendered prompt; the
 * loader checks at load time that every variable a template uses exists in
 * this shape. Field names are snake_case, as pipeline authors write them.
 *
 * @example
 * ```ts
 * const context: TemplateContext = {
 *   inputs: { topic: "CRDTs" },
 *   defaults: {},
 *   steps: { plan: stepTemplateValues({ selectedText: "An outline", responses: ["An outline"] }) },
 *   style: {},
 *   run: { id: "r1", pipeline: "quick-article", workspace: "default", date: "2026-01-01" },
 * };
 * ```
 */

/** What `steps.X…` reads. `{{ steps.X }}` alone renders `selected_response`. */
export interface StepTemplateValues {
  /** The text later steps build on: the chosen candidate, a merge or a hand edit. */
  selected_response: string;
  /** Every candidate's text, in order. */
  responses: string[];
  /** All feedback given on the step, joined by blank lines; "" when none. */
  user_feedback: string;
  /** Alias of `user_feedback` (the original's name). */
  user_input: string;
}

/** What `run.…` reads. */
export interface RunTemplateValues {
  id: string;
  pipeline: string;
  workspace: string;
  /** The run's creation date, `YYYY-MM-DD`. */
  date: string;
}

/** Everything a template may read while rendering. */
export interface TemplateContext {
  inputs: Record<string, unknown>;
  defaults: Record<string, unknown>;
  steps: Record<string, StepTemplateValues>;
  /** The attached style primer's fields as written in its file; `{}` when none. */
  style: Record<string, unknown>;
  run: RunTemplateValues;
}

/** Top-level names a template may read. */
export const TEMPLATE_ROOTS = ["inputs", "defaults", "steps", "style", "run"] as const;

/** Fields of `steps.X`. */
export const STEP_TEMPLATE_FIELDS = [
  "selected_response",
  "responses",
  "user_feedback",
  "user_input",
] as const;

/** Fields of `run`. */
export const RUN_TEMPLATE_FIELDS = ["id", "pipeline", "workspace", "date"] as const;

/** What a step has produced so far, as the run state holds it. */
export interface StepOutcome {
  /** The selected text (selection, merge or edit); "" while none. */
  selectedText?: string;
  /** Every candidate's text. */
  responses?: readonly string[];
  /** Each piece of feedback, oldest first. */
  feedback?: readonly string[];
}

/** Builds `steps.X` values from a step's outcome; feedback is joined by blank lines. */
export function stepTemplateValues(outcome: StepOutcome): StepTemplateValues {
  const feedback = (outcome.feedback ?? []).filter((text) => text.trim() !== "").join("\n\n");
  return {
    selected_response: outcome.selectedText ?? "",
    responses: [...(outcome.responses ?? [])],
    user_feedback: feedback,
    user_input: feedback,
  };
}
