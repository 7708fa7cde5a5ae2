/**
 * How runs read in the terminal: the tables and the run header of `writeit
 * runs list|show|events` (cli/commands/runs.ts), locally and with
 * `--server` alike. Type-only
 * imports keep it light for `writeit --help`.
 *
 * @example
 * ```ts
 * printRunHeader(output, run, { runId: run.runId });
 * printRunSteps(output, run, { branches: [] });
 * ```
 */
import { runStatusLabel } from "../engine/run_status.ts";
import { attemptFailureNotice } from "../engine/attempt_failure_notice.ts";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { RunSummary } from "../engine/events/event_store.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import type { Output } from "./output.ts";
import { generationLabel, generationNumber } from "../engine/generation_number.ts";

/** `2024-05-01 12:00:00` from an ISO time; empty for none. */
export function shortTime(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 19) : "";
}

function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** One line describing what an event did, for `runs events`. */
export function describeEvent(event: EventEnvelope): string {
  switch (event.type) {
    case "run_created":
      return `pipeline ${event.data.pipelineId}, steps ${event.data.stepOrder.join(" → ")}`;
    case "run_paused":
    case "run_cancelled":
      return event.data.reason ?? "";
    case "run_failed":
      return truncate(event.data.error, 80);
    case "step_started":
      return `${event.data.stepId} ${generationLabel(event.data.generation)}: ${
        event.data.models.join(", ")
      } × ${event.data.responseCount}`;
    case "step_response_generated":
    case "step_responses_merged":
      return `${event.data.stepId}: ${event.data.response.responseId} from ${event.data.response.modelName} (${event.data.response.processedContent.length} chars)`;
    case "step_response_selected":
      return `${event.data.stepId}: ${event.data.responseId}`;
    case "step_feedback_added":
      return `${event.data.stepId}: ${truncate(event.data.text, 60)}`;
    case "step_retried":
      return `${event.data.stepId} → ${
        generationLabel(event.data.generation)
      } (${event.data.reason})`;
    case "step_failed":
      return `${event.data.stepId}: ${truncate(event.data.error, 60)}${
        event.data.retryable ? " (retryable)" : ""
      }`;
    case "model_attempt_failed": {
      const { stepId, ...failure } = event.data;
      return attemptFailureNotice(stepId, failure);
    }
    case "step_completed":
      return `${event.data.stepId}: ${truncate(event.data.text, 60)}`;
    case "step_edited":
      return `${event.data.stepId}: ${truncate(event.data.text, 60)}`;
    case "step_skipped":
      return `${event.data.stepId}${event.data.reason ? `: ${event.data.reason}` : ""}`;
    case "steps_invalidated":
      return `${
        event.data.stepIds.join(", ")
      } stale after ${event.data.cause.kind} of ${event.data.cause.stepId}`;
    case "run_rewound":
      return `to ${event.data.toStepId}`;
    case "run_model_changed":
      return `${event.data.previous ? `${event.data.previous} → ` : ""}${event.data.model}`;
    case "step_reopened":
      return `${event.data.stepId}: candidates of generation ${
        event.data.generation + 1
      } offered again`;
    case "run_branched":
      return `from ${event.data.parentRunId} at ${event.data.branchPoint.sequence} (re-runs ${event.data.branchPoint.stepId})`;
    case "state_snapshot":
      return `compacted history up to ${event.sequence}`;
    default:
      return "";
  }
}

/** What `runs list` was asked for, and how many runs there are in all when it found none. */
export interface RunListRequest {
  /** The command line that reaches the runs (`writeit`, `writeit --server …`). */
  command: string;
  filter?: { status?: string; pipeline?: string };
  /** Runs in all, whatever the filter. */
  total?: number;
}

/**
 * `runs list`: the runs as JSON with `--json`, else a table. An empty list
 * says what was filtered and how many runs there are in all, or, with no
 * runs at all, how to start one.
 */
export function printRunSummaries(
  output: Output,
  rows: RunSummary[],
  options: RunListRequest,
): void {
  if (output.json) return output.printJson(rows);
  output.table<RunSummary>(rows, [
    { header: "RUN", value: (row) => row.runId },
    { header: "PIPELINE", value: (row) => row.pipelineId },
    { header: "STATUS", value: (row) => runStatusLabel(row) },
    { header: "STEPS", value: (row) => `${row.doneSteps}/${row.stepCount}`, right: true },
    { header: "EVENTS", value: (row) => String(row.version), right: true },
    { header: "UPDATED", value: (row) => shortTime(row.updatedAt) },
    { header: "PARENT", value: (row) => row.parentRunId ?? "" },
  ], emptyRunListMessage(options));
}

/**
 * What an empty `runs list` says: `No runs with status "paused" (12 runs in
 * all): drop --status to see them`, or how to start a run when there is none.
 */
export function emptyRunListMessage(options: RunListRequest): string {
  const { status, pipeline } = options.filter ?? {};
  const total = options.total ?? 0;
  if (total === 0 || (status === undefined && pipeline === undefined)) {
    return `no runs yet: start one with \`${options.command} run PIPELINE\``;
  }
  const what = [
    status === undefined ? "" : ` with status "${status}"`,
    pipeline === undefined ? "" : ` of pipeline "${pipeline}"`,
  ].join("");
  const flags = [status === undefined ? "" : "--status", pipeline === undefined ? "" : "--pipeline"]
    .filter(Boolean).join(" and ");
  return `No runs${what} (${total} run${total === 1 ? "" : "s"} in all): drop ${flags} to see them`;
}

/**
 * The head of `runs show`: id, pipeline, status, branch point, times,
 * version and usage. `runId` is the run asked for: when `run` is another one
 * (a branch read before its branch point) a `Shared` line says so.
 */
export function printRunHeader(
  output: Output,
  run: PipelineRun,
  options: { runId: string; atSequence?: number },
): void {
  const print = (text: string) => output.print(text);
  print(`Run        ${run.runId}`);
  print(`Pipeline   ${run.pipelineId}${run.pipelineVersion ? ` ${run.pipelineVersion}` : ""}`);
  const why = run.error ?? (run.status === "paused" ? run.pauseReason : undefined);
  print(`Status     ${run.status}${why ? ` (${why})` : ""}`);
  if (run.parentRunId) {
    print(
      `Branch of  ${run.parentRunId} at ${run.branchPoint?.sequence} (${run.branchPoint?.stepId})`,
    );
  }
  print(`Created    ${shortTime(run.createdAt)}   updated ${shortTime(run.updatedAt)}`);
  print(`Version    ${run.version}   current step ${run.currentStep ?? "-"}`);
  print(
    `Usage      ${run.usage.totalTokens} tokens, $${run.usage.costUsd.toFixed(4)}${
      run.usage.estimated ? " (estimated)" : ""
    }`,
  );
  if (run.runId !== options.runId) {
    // Before its branch point a branch's history is its parent's.
    print(
      `Shared     at sequence ${options.atSequence}, branch ${options.runId} still shared this history`,
    );
  }
}

/** The rest of `runs show`: the run's branches (ids), then a table of its steps. */
export function printRunSteps(
  output: Output,
  run: PipelineRun,
  options: { branches: string[] },
): void {
  if (options.branches.length > 0) output.print(`Branches   ${options.branches.join(", ")}`);
  output.print("");
  output.table(run.stepOrder.map((id) => run.steps[id]), [
    { header: "STEP", value: (step) => step.stepId },
    { header: "STATUS", value: (step) => step.status },
    {
      header: "GEN",
      value: (step) =>
        step.startedAt === undefined ? "" : String(generationNumber(step.generation)),
      right: true,
    },
    { header: "CANDIDATES", value: (step) => String(step.responses.length), right: true },
    {
      header: "PICKED",
      value: (step) => step.userSelection === undefined ? "" : String(step.userSelection + 1),
      right: true,
    },
    { header: "TOKENS", value: (step) => String(step.usage.totalTokens), right: true },
    { header: "RESULT", value: (step) => truncate(step.selectedText ?? "", 50) },
  ]);
}

/**
 * `runs events`: one JSON event a line with `--json`, else a table; events
 * of another run than `runId` (a branch's parent history) name their run.
 */
export function printRunEvents(
  output: Output,
  events: EventEnvelope[],
  options: { runId: string },
): void {
  if (output.json) {
    for (const event of events) output.printJsonLine(event);
    return;
  }
  output.table(events, [
    { header: "SEQ", value: (event) => String(event.sequence), right: true },
    { header: "TIME", value: (event) => shortTime(event.time) },
    { header: "TYPE", value: (event) => event.type },
    { header: "RUN", value: (event) => event.runId === options.runId ? "" : event.runId },
    { header: "DETAILS", value: describeEvent },
  ], "no events");
}
