/**
 * What a run is called in lists: the title of its latest result (the first
 * Markdown heading, or first line, of the last done step's text), else the
 * subject it was started on (a `topic`, `subject` or `title` input, or the
 * first text input), at most 80 characters. Pure, so every listing (LMDB,
 * PostgreSQL, memory) names a run the same way.
 *
 * @example
 * ```ts
 * runTitle({ stepOrder: [], steps: {}, userInputs: { topic: "Tide pools" } }); // "Tide pools"
 * ```
 */
import type { PipelineRun } from "./run_model.ts";

const LONGEST = 80;
const PREFERRED_INPUTS = ["title", "topic", "subject"];

/** The run's title, or undefined when it has neither a result nor a text input. */
export function runTitle(
  run: Pick<PipelineRun, "stepOrder" | "steps" | "userInputs">,
): string | undefined {
  for (let index = run.stepOrder.length - 1; index >= 0; index--) {
    const step = run.steps[run.stepOrder[index]];
    if (step?.status !== "completed" || !step.selectedText) continue;
    const heading = firstHeading(step.selectedText);
    if (heading) return shorten(heading);
  }
  const inputs = run.userInputs ?? {};
  const named = PREFERRED_INPUTS.map((name) => inputs[name]).find(isText);
  const value = named ?? Object.values(inputs).find(isText);
  return value === undefined ? undefined : shorten(value);
}

function firstHeading(text: string): string | undefined {
  const heading = /^\s{0,3}#{1,3}\s+(.+?)\s*#*\s*$/m.exec(text);
  return heading?.[1].trim() || undefined;
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > LONGEST ? `${flat.slice(0, LONGEST - 1)}…` : flat;
}
