/**
 * Lays out a step's candidates for the run view: one column per candidate
 * set (model) of the current generation, side by side, each card either a
 * finished response or text still streaming in; merges and hand edits get a
 * column of their own; earlier generations are listed apart. Finished
 * responses are matched to sets the way the engine does (engine/step_runner.ts
 * `slotSetOf`): by label, or the only set.
 */
import type { AIResponse, StepState } from "../engine/run_model.ts";
import { type StreamedText, streamKey } from "../engine/run_session.ts";

/** Streamed text of one candidate, keyed by `streamKey` (the run session's). */
export type StreamedCandidate = StreamedText;
export { streamKey };

/** One card: a finished response (with its index into `step.responses`) or streaming text. */
export interface CandidateCard {
  key: string;
  candidateIndex: number;
  /** Index into `step.responses` (what `select` takes) when finished. */
  responseIndex?: number;
  response?: AIResponse;
  /** Text so far while the candidate streams. */
  streamingText?: string;
}

/** One model's column. */
export interface CandidateColumn {
  label: string;
  cards: CandidateCard[];
}

/** Columns of the current generation (plus merges and edits), and earlier generations' cards. */
export function candidateColumns(
  step: StepState,
  streams: ReadonlyMap<string, StreamedCandidate>,
): { columns: CandidateColumn[]; earlier: CandidateCard[] } {
  const labels = step.models.length > 0 ? [...step.models] : [];
  const columns: CandidateColumn[] = labels.map((label) => ({ label, cards: [] }));
  const extra = new Map<string, CandidateColumn>();
  const earlier: CandidateCard[] = [];
  const columnFor = (label: string): CandidateColumn => {
    let column = extra.get(label);
    if (!column) {
      column = { label, cards: [] };
      extra.set(label, column);
    }
    return column;
  };
  step.responses.forEach((response, responseIndex) => {
    const card: CandidateCard = {
      key: response.responseId,
      candidateIndex: response.candidateIndex,
      responseIndex,
      response,
    };
    if (response.origin === "merge") return columnFor("merged").cards.push(card);
    if (response.origin === "edit" || response.origin === "user_input") {
      return columnFor("edited").cards.push(card);
    }
    if (response.generation !== step.generation) return earlier.push(card);
    const index = columns.length === 1
      ? 0
      : columns.findIndex((column) => column.label === response.modelName);
    if (index >= 0) columns[index].cards.push(card);
    else columnFor(response.modelName).cards.push(card);
  });
  for (const [key, stream] of streams) {
    if (stream.stepId !== step.stepId || stream.generation !== step.generation) continue;
    let column = columns.find((candidate) => candidate.label === stream.model);
    if (!column) column = columns.length === 1 ? columns[0] : columnFor(stream.model);
    const done = column.cards.some((card) =>
      card.response !== undefined && card.candidateIndex === stream.candidateIndex
    );
    if (!done) {
      column.cards.push({ key, candidateIndex: stream.candidateIndex, streamingText: stream.text });
    }
  }
  const all = [...columns, ...extra.values()];
  for (const column of all) column.cards.sort((a, b) => a.candidateIndex - b.candidateIndex);
  return {
    columns: all.filter((column) => column.cards.length > 0 || labels.includes(column.label)),
    earlier,
  };
}

/** Finished cards in display order: what keys 1..9 pick. */
export function pickableCards(columns: CandidateColumn[]): CandidateCard[] {
  return columns.flatMap((column) =>
    column.cards.filter((card) => card.responseIndex !== undefined)
  );
}
