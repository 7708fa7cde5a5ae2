/**
 * The data every export format is made from: the article (the final step's
 * chosen text and a title), the front matter a static site generator reads,
 * and, for `--history`, each step's provenance (prompt, every candidate with
 * its model and validation result, the selection, feedback). Pure: built from
 * a run's state, the pipeline it ran and, optionally, its events.
 */
import { attemptFailureNotice } from "../attempt_failure_notice.ts";
import type { EventEnvelope } from "../events/event_envelope.ts";
import type { Pipeline } from "../pipeline_schema.ts";
import type { AIResponse, PipelineRun, StepState } from "../run_model.ts";
import { generationNumber } from "../generation_number.ts";

/** Front matter fields, in the order they are written. */
export interface FrontMatter {
  title: string;
  date: string;
  pipeline: string;
  pipeline_name?: string;
  pipeline_version?: string;
  run_id: string;
  parent_run_id?: string;
  status: string;
  models: string[];
  tokens: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  created: string;
  completed?: string;
  workspace: string;
  style?: string;
  style_version?: number;
}

/** One candidate as the history shows it. */
export interface CandidateView {
  number: number;
  responseId: string;
  model: string;
  provider: string;
  origin: string;
  /** Counted from 1, as people read it (the engine stores it from 0). */
  generation: number;
  cached: boolean;
  selected: boolean;
  validationPassed: boolean;
  validationReasons: string[];
  tokens: number;
  costUsd: number;
  text: string;
  sourceResponseIds: string[];
}

/** One step's provenance. */
export interface StepHistoryView {
  number: number;
  stepId: string;
  name: string;
  status: string;
  prompt: string;
  systemPrompt?: string;
  models: string[];
  candidates: CandidateView[];
  /** Text later steps read (selection, merge or edit). */
  selectedText?: string;
  /** Number of the selected candidate, when the result is one. */
  selectedNumber?: number;
  /** True when the result is hand-edited text rather than a candidate as generated. */
  edited: boolean;
  /** Each note with the generation (counted from 1) it was given on. */
  feedback: { text: string; at: string; generation: number }[];
  /** Retries and fallbacks of the last generation's model calls, one line each. */
  attemptFailures: string[];
  tokens: number;
  costUsd: number;
}

/** Everything a layout needs. */
export interface ExportView {
  title: string;
  /** The article: the final step's chosen text. */
  body: string;
  frontMatter: FrontMatter;
  history: StepHistoryView[];
  run: PipelineRun;
  /** Event counts, when events were given. */
  events?: EventSummary;
}

/** Counts of a run's events. */
export interface EventSummary {
  count: number;
  byType: Record<string, number>;
  list: {
    id: string;
    sequence: number;
    type: string;
    time: string;
    runId: string;
    stepId?: string;
  }[];
}

/** The text a run produced: the last step in order that has a chosen text. */
export function finalText(run: PipelineRun): string {
  for (const stepId of [...run.stepOrder].reverse()) {
    const step = run.steps[stepId];
    if (step && step.status !== "skipped" && step.selectedText !== undefined) {
      return step.selectedText;
    }
  }
  return "";
}

/** The first Markdown heading of `text`, without its markup; undefined when there is none. */
export function firstHeading(text: string): string | undefined {
  for (const line of text.split("\n")) {
    const match = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (match) {
      const title = match[1].replace(/[*_`]/g, "").trim();
      if (title) return title;
    }
  }
  return undefined;
}

function candidateView(step: StepState, response: AIResponse, index: number): CandidateView {
  return {
    number: index + 1,
    responseId: response.responseId,
    model: response.modelName,
    provider: response.provider,
    origin: response.origin,
    generation: generationNumber(response.generation),
    cached: response.cached,
    selected: step.userSelection === index,
    validationPassed: response.validation.passed,
    validationReasons: response.validation.reasons,
    tokens: response.usage.totalTokens,
    costUsd: response.usage.costUsd,
    text: response.processedContent,
    sourceResponseIds: response.sourceResponseIds ?? [],
  };
}

function stepHistory(run: PipelineRun, pipeline: Pipeline | undefined): StepHistoryView[] {
  return run.stepOrder.map((stepId, index) => {
    const step = run.steps[stepId];
    const spec = pipeline?.steps.find((candidate) => candidate.id === stepId);
    const selected = step?.userSelection;
    const selectedResponse = selected === undefined ? undefined : step.responses[selected];
    return {
      number: index + 1,
      stepId,
      name: spec?.name ?? stepId,
      status: step?.status ?? "pending",
      prompt: step?.prompt ?? "",
      systemPrompt: step?.systemPrompt,
      models: step?.models ?? [],
      candidates: (step?.responses ?? []).map((response, position) =>
        candidateView(step, response, position)
      ),
      selectedText: step?.selectedText,
      selectedNumber: selected === undefined ? undefined : selected + 1,
      edited: step?.selectedText !== undefined &&
        step.selectedText !== selectedResponse?.processedContent,
      feedback: (step?.feedback ?? []).map((note) => ({
        ...note,
        generation: generationNumber(note.generation),
      })),
      attemptFailures: (step?.attemptFailures ?? []).map((failure) =>
        attemptFailureNotice(stepId, failure)
      ),
      tokens: step?.usage.totalTokens ?? 0,
      costUsd: step?.usage.costUsd ?? 0,
    };
  });
}

/** Counts events by type and lists them briefly. */
export function summarizeEvents(events: EventEnvelope[]): EventSummary {
  const byType: Record<string, number> = {};
  for (const event of events) byType[event.type] = (byType[event.type] ?? 0) + 1;
  return {
    count: events.length,
    byType,
    list: events.map((event) => {
      const data = event.data as { stepId?: unknown };
      return {
        id: event.id,
        sequence: event.sequence,
        type: event.type,
        time: event.time,
        runId: event.runId,
        ...(typeof data.stepId === "string" ? { stepId: data.stepId } : {}),
      };
    }),
  };
}

function modelsUsed(run: PipelineRun): string[] {
  const names = new Set<string>();
  for (const stepId of run.stepOrder) {
    for (const response of run.steps[stepId]?.responses ?? []) {
      if (response.origin === "model" || response.origin === "merge") {
        names.add(response.modelName);
      }
    }
  }
  return [...names];
}

function roundCost(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Builds the export view of `run` as produced by `pipeline` (when it is still known). */
export function exportView(
  run: PipelineRun,
  pipeline: Pipeline | undefined,
  options: { events?: EventEnvelope[] } = {},
): ExportView {
  const body = finalText(run);
  const title = firstHeading(body) ?? pipeline?.metadata.name ?? run.pipelineId;
  const frontMatter: FrontMatter = {
    title,
    date: run.completedAt ?? run.createdAt,
    pipeline: run.pipelineId,
    ...(pipeline?.metadata.name ? { pipeline_name: pipeline.metadata.name } : {}),
    ...(run.pipelineVersion ? { pipeline_version: run.pipelineVersion } : {}),
    run_id: run.runId,
    ...(run.parentRunId ? { parent_run_id: run.parentRunId } : {}),
    status: run.status,
    models: modelsUsed(run),
    tokens: run.usage.totalTokens,
    input_tokens: run.usage.inputTokens,
    output_tokens: run.usage.outputTokens,
    cost_usd: roundCost(run.usage.costUsd),
    created: run.createdAt,
    ...(run.completedAt ? { completed: run.completedAt } : {}),
    workspace: run.workspace,
    ...(run.styleId ? { style: run.styleId } : {}),
    ...(run.styleVersion ? { style_version: run.styleVersion } : {}),
  };
  return {
    title,
    body,
    frontMatter,
    history: stepHistory(run, pipeline),
    run,
    ...(options.events ? { events: summarizeEvents(options.events) } : {}),
  };
}
