/**
 * Search across runs by text: a run matches when every word of the query
 * appears (case- and accent-insensitive) in its title, pipeline, id, inputs,
 * feedback or any candidate's text. Each match says where the first word
 * was found, with a short snippet around it. Pure over run states, so every
 * backend searches the same way; the caller decides how many runs to read.
 *
 * @example
 * ```ts
 * runMatch(state, "tide pools"); // { where: "plan, candidate 2", snippet: "…about tide pools…" }
 * ```
 */
import type { PipelineRun } from "./run_model.ts";
import { runTitle } from "./run_title.ts";

/** Where a run matched a query. */
export interface RunMatch {
  /** What matched first: "title", "inputs.topic", "plan, candidate 2", "write, feedback". */
  where: string;
  /** Up to about 120 characters around the first word. */
  snippet: string;
}

/** Longest query searched (longer ones are cut). */
export const MAX_QUERY_LENGTH = 200;

function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
}

/** The words of `query`, folded; empty when there is nothing to search for. */
export function queryWords(query: string): string[] {
  return fold(query.slice(0, MAX_QUERY_LENGTH)).split(/\s+/).filter(Boolean);
}

function snippetAround(text: string, word: string): string {
  const at = fold(text).indexOf(word);
  const start = Math.max(0, at - 50);
  const end = Math.min(text.length, at + word.length + 70);
  const flat = text.slice(start, end).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${flat}${end < text.length ? "…" : ""}`;
}

/** Where `run` matches every word of `query`, or undefined when it does not. */
export function runMatch(run: PipelineRun, query: string): RunMatch | undefined {
  const words = queryWords(query);
  if (words.length === 0) return undefined;
  const places: Array<[string, string]> = [];
  const title = runTitle(run);
  if (title) places.push(["title", title]);
  places.push(["pipeline", run.pipelineId], ["id", run.runId]);
  for (const [name, value] of Object.entries(run.userInputs ?? {})) {
    if (typeof value === "string" || typeof value === "number") {
      places.push([`inputs.${name}`, String(value)]);
    }
  }
  for (const id of run.stepOrder) {
    const step = run.steps[id];
    if (!step) continue;
    step.responses.forEach((response, index) => {
      places.push([`${id}, candidate ${index + 1}`, response.processedContent]);
    });
    for (const note of step.feedback) places.push([`${id}, feedback`, note.text]);
  }
  const folded = places.map(([where, text]) => [where, text, fold(text)] as const);
  if (!words.every((word) => folded.some(([, , text]) => text.includes(word)))) return undefined;
  const [where, text] = folded.find(([, , text]) => text.includes(words[0]))!;
  return { where, snippet: snippetAround(text, words[0]) };
}
