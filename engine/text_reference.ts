/**
 * Names for the texts of runs, as `writeit diff`, the REST API and the
 * dashboard write them: `RUN` (the run's article: the last chosen text),
 * `RUN:step` (that step's chosen text) or `RUN:step:N` (its N-th candidate,
 * counted from 1 as the menus count them). `textDiff` compares two such
 * texts word by word (engine/text/word_diff.ts) with their counts.
 *
 * @example
 * ```ts
 * const from = referencedText(run, parseTextReference("3f2a:write:1"));
 * const to = referencedText(branch, parseTextReference("9c1e"));
 * const diff = textDiff(from, to);
 * console.log(diff.stats.added, diff.stats.removed);
 * ```
 */
import { didYouMean, didYouMeanSuffix } from "./did_you_mean.ts";
import { NotFoundError, ValidationError } from "./errors.ts";
import { finalText } from "./export/export_view.ts";
import type { PipelineRun } from "./run_model.ts";
import { type DiffPart, type DiffStats, diffStats, wordDiff } from "./text/word_diff.ts";

/** A parsed text name. */
export interface TextReference {
  /** The run id (or, before resolution, the prefix the writer typed). */
  run: string;
  stepId?: string;
  /** 1-based candidate number within the step. */
  candidate?: number;
}

/** A text found by its name, with what it is. */
export interface ReferencedText {
  /** The name, with the full run id. */
  reference: string;
  runId: string;
  stepId?: string;
  candidate?: number;
  /** What the text is, for people: `the article (from step "polish")`, `step "write", candidate 2 (gpt-4.1)`. */
  label: string;
  text: string;
}

/** The word diff of two texts, with its counts. */
export interface TextDiff {
  from: ReferencedText;
  to: ReferencedText;
  stats: DiffStats;
  parts: DiffPart[];
}

const NAME = /^([A-Za-z0-9_-]{1,200})(?::([A-Za-z0-9_-]{1,100})(?::(\d{1,4}))?)?$/;

/** Reads `RUN`, `RUN:step` or `RUN:step:N`; a ValidationError says what is wrong and the forms. */
export function parseTextReference(text: string): TextReference {
  const match = NAME.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      `Cannot read the text name "${text}": write RUN (its article), RUN:step (the step's chosen text) or RUN:step:N (its N-th candidate)`,
    );
  }
  const [, run, stepId, number] = match;
  const candidate = number === undefined ? undefined : Number(number);
  if (candidate === 0) {
    throw new ValidationError(
      `Cannot read the text name "${text}": candidates count from 1, as the menus show them`,
    );
  }
  return { run, stepId, candidate };
}

/** Writes a reference back as text. */
export function formatTextReference(reference: TextReference): string {
  return [reference.run, reference.stepId, reference.candidate].filter((part) => part !== undefined)
    .join(":");
}

/** The text `reference` names in `run` (whose id it must carry); NotFoundError when there is none. */
export function referencedText(run: PipelineRun, reference: TextReference): ReferencedText {
  const base = { runId: run.runId, stepId: reference.stepId, candidate: reference.candidate };
  const name = formatTextReference({ ...reference, run: run.runId });
  if (reference.stepId === undefined) {
    const text = finalText(run);
    const from = [...run.stepOrder].reverse().find((id) =>
      run.steps[id]?.status !== "skipped" && run.steps[id]?.selectedText !== undefined
    );
    if (from === undefined) {
      throw new NotFoundError(
        `Run "${run.runId}" has no chosen text yet: name a candidate instead, such as "${run.runId}:${
          run.stepOrder[0]
        }:1"`,
      );
    }
    return { ...base, reference: name, label: `the article (from step "${from}")`, text };
  }
  const step = run.steps[reference.stepId];
  if (!step) {
    throw new NotFoundError(
      `Run "${run.runId}" has no step "${reference.stepId}"${
        didYouMeanSuffix(didYouMean(reference.stepId, run.stepOrder))
      } (its steps: ${run.stepOrder.join(", ")})`,
    );
  }
  if (reference.candidate === undefined) {
    if (step.selectedText === undefined) {
      const count = step.responses.length;
      throw new NotFoundError(
        `Step "${step.stepId}" of run "${run.runId}" has no chosen text yet${
          count > 0 ? `: name a candidate instead, ${name}:1…${count}` : ""
        }`,
      );
    }
    return {
      ...base,
      reference: name,
      label: `step "${step.stepId}", chosen`,
      text: step.selectedText,
    };
  }
  const response = step.responses[reference.candidate - 1];
  if (!response) {
    throw new NotFoundError(
      `Step "${step.stepId}" of run "${run.runId}" has ${step.responses.length} candidate${
        step.responses.length === 1 ? "" : "s"
      }, not ${reference.candidate}${
        step.responses.length > 0 ? `: pick 1…${step.responses.length}` : ""
      }`,
    );
  }
  const made = response.origin === "model" ? response.modelName : response.origin;
  return {
    ...base,
    reference: name,
    label: `step "${step.stepId}", candidate ${reference.candidate} (${made})`,
    text: response.processedContent,
  };
}

/** The word diff from one text to another. */
export function textDiff(
  from: ReferencedText,
  to: ReferencedText,
  options: { timeoutMs?: number } = {},
): TextDiff {
  const parts = wordDiff(from.text, to.text, { timeoutMs: options.timeoutMs ?? 2_000 });
  return { from, to, stats: diffStats(parts), parts };
}

/** One side of a diff as it is sent and printed: what the text is, without the text. */
export type DiffSide = Omit<ReferencedText, "text">;

/** A diff as the API and `writeit diff --json` give it. */
export interface TextDiffDocument {
  from: DiffSide;
  to: DiffSide;
  stats: DiffStats;
  parts: DiffPart[];
}

/** The document of `diff` (the texts themselves are in its parts). */
export function diffDocument(diff: TextDiff): TextDiffDocument {
  const side = ({ text: _, ...rest }: ReferencedText): DiffSide => rest;
  return { from: side(diff.from), to: side(diff.to), stats: diff.stats, parts: diff.parts };
}
