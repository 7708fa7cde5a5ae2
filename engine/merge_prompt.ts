/**
 * The prompt of an LLM merge: the writer picked two or more candidates of a
 * step and wants one text that keeps the best of each. The merge model sees
 * the step's original prompt (what the text is for), every chosen candidate
 * labelled by number and model, and the writer's instructions when given.
 * The result becomes a new candidate with origin "merge".
 *
 * @example
 * ```ts
 * const messages = mergeMessages({ stepName: "Outline", originalPrompt, candidates, instructions: "Keep 2's intro" });
 * ```
 */
import type { ChatMessage } from "./llm/language_model.ts";

/** One candidate to merge. */
export interface MergeCandidate {
  /** How the writer knows it: `Candidate 2 (gpt-4.1)`. */
  label: string;
  text: string;
}

/** What a merge prompt is made of. */
export interface MergePromptOptions {
  /** The step's name, such as "Write Article". */
  stepName: string;
  /** The prompt the candidates answered (omitted when unknown). */
  originalPrompt?: string;
  candidates: MergeCandidate[];
  /** The writer's wishes for the merge. */
  instructions?: string;
}

/** System prompt of every merge. */
export const MERGE_SYSTEM_PROMPT =
  "You are an editor merging several drafts of the same piece into one. Keep the strongest " +
  "ideas, structure and sentences of each draft, remove repetition, keep one consistent voice, " +
  "and answer with the merged text only: no preamble, no notes about what you changed.";

/** The chat messages of a merge. */
export function mergeMessages(options: MergePromptOptions): ChatMessage[] {
  if (options.candidates.length < 2) {
    throw new RangeError(`A merge needs at least two candidates, got ${options.candidates.length}`);
  }
  const parts: string[] = [];
  parts.push(`Merge these ${options.candidates.length} drafts of "${options.stepName}" into one.`);
  if (options.originalPrompt && options.originalPrompt.trim() !== "") {
    parts.push(
      `The drafts answer this request:\n\n<request>\n${options.originalPrompt.trim()}\n</request>`,
    );
  }
  options.candidates.forEach((candidate, index) => {
    parts.push(
      `<draft number="${
        index + 1
      }" label="${candidate.label}">\n${candidate.text.trim()}\n</draft>`,
    );
  });
  const instructions = options.instructions?.trim();
  if (instructions) parts.push(`The writer's instructions for the merge:\n${instructions}`);
  parts.push("Write the merged text now.");
  return [
    { role: "system", content: MERGE_SYSTEM_PROMPT },
    { role: "user", content: parts.join("\n\n") },
  ];
}
