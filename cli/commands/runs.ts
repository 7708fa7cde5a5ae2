/**
 * `writeit runs list|show|events|prune`: browse a workspace's runs and their
 * event logs, travel to any sequence, and apply retention. Reads go through
 * the workspace's LMDB event store (cli/run_wiring.ts), so they see runs that
 * another process (the server, another CLI) is writing.
 *
 * @example
 * ```sh
 * writeit runs list --status completed --json
 * writeit runs show 1b2c --at 12
 * writeit runs events 1b2c --json | jq .type
 * writeit runs prune --dry-run
 * ```
 */
import type { Command } from "commander";
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import type { RunSummary } from "../../engine/events/event_store.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";
import { cliContext } from "../cli_context.ts";
import { UsageError } from "../usage_error.ts";

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`${flag} takes a whole number of 1 or more, not "${text}"`);
  }
  return value;
}

function shortTime(iso: string | undefined): string {
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
      return `${event.data.stepId} generation ${event.data.generation}: ${
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
      return `${event.data.stepId} → generation ${event.data.generation} (${event.data.reason})`;
    case "step_failed":
      return `${event.data.stepId}: ${truncate(event.data.error, 60)}${
        event.data.retryable ? " (retryable)" : ""
      }`;
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
    case "run_branched":
      return `from ${event.data.parentRunId} at ${event.data.branchPoint.sequence} (re-runs ${event.data.branchPoint.stepId})`;
    case "state_snapshot":
      return `compacted history up to ${event.sequence}`;
    default:
      return "";
  }
}

function printRun(run: PipelineRun, print: (text: string) => void): void {
  print(`Run        ${run.runId}`);
  print(`Pipeline   ${run.pipelineId}${run.pipelineVersion ? ` ${run.pipelineVersion}` : ""}`);
  print(`Status     ${run.status}${run.error ? ` (${run.error})` : ""}`);
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
}

/** Registers `runs list|show|events|prune` on `program`. */
export function registerRunsCommands(program: Command): void {
  const runs = program.command("runs").description("list and inspect runs and their event logs");

  runs.command("list")
    .description("list runs, newest first")
    .option(
      "--status <status>",
      `only runs with this status (${RUN_STATUSES.join(", ")})`,
    )
    .option("--pipeline <name>", "only runs of this pipeline")
    .option("--limit <count>", "most runs to show (default 50)")
    .option("--json", "print the runs as JSON")
    .action(
      async (options: { status?: string; pipeline?: string; limit?: string }, command: Command) => {
        const context = cliContext(command);
        const status = options.status;
        if (status !== undefined && !isRunStatus(status)) {
          throw new UsageError(
            `Unknown status "${status}": use one of ${RUN_STATUSES.join(", ")}`,
          );
        }
        const limit = options.limit === undefined ? 50 : positiveInteger(options.limit, "--limit");
        const { openRunStore } = await import("../run_wiring.ts");
        const store = await openRunStore(context);
        const rows = await store.listRuns({
          status,
          pipelineId: options.pipeline,
          limit,
        });
        if (context.json) return context.output.printJson(rows);
        context.output.table<RunSummary>(rows, [
          { header: "RUN", value: (row) => row.runId },
          { header: "PIPELINE", value: (row) => row.pipelineId },
          { header: "STATUS", value: (row) => row.status },
          { header: "STEPS", value: (row) => `${row.doneSteps}/${row.stepCount}`, right: true },
          { header: "EVENTS", value: (row) => String(row.version), right: true },
          { header: "UPDATED", value: (row) => shortTime(row.updatedAt) },
          { header: "PARENT", value: (row) => row.parentRunId ?? "" },
        ], "no runs yet: start one with `writeit run PIPELINE`");
      },
    );

  runs.command("show")
    .description("show a run's state, now or at an earlier sequence")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--at <sequence>", "the state right after this event sequence (time travel)")
    .option("--json", "print the run's state as JSON")
    .action(async (runText: string, options: { at?: string }, command: Command) => {
      const context = cliContext(command);
      const atSequence = options.at === undefined ? undefined : positiveInteger(options.at, "--at");
      const { openRunStore, resolveRunId } = await import("../run_wiring.ts");
      const store = await openRunStore(context);
      const runId = await resolveRunId(store, runText);
      const run = await store.loadRun(runId, { atSequence });
      if (context.json) return context.output.printJson(run);
      const print = (text: string) => context.output.print(text);
      printRun(run, print);
      if (run.runId !== runId) {
        // Before its branch point a branch's history is its parent's.
        print(`Shared     at sequence ${atSequence}, branch ${runId} still shared this history`);
      }
      const branches = await store.branches(runId);
      if (branches.length > 0) print(`Branches   ${branches.join(", ")}`);
      print("");
      context.output.table(run.stepOrder.map((id) => run.steps[id]), [
        { header: "STEP", value: (step) => step.stepId },
        { header: "STATUS", value: (step) => step.status },
        { header: "GEN", value: (step) => String(step.generation), right: true },
        { header: "CANDIDATES", value: (step) => String(step.responses.length), right: true },
        {
          header: "PICKED",
          value: (step) => step.userSelection === undefined ? "" : String(step.userSelection + 1),
          right: true,
        },
        { header: "TOKENS", value: (step) => String(step.usage.totalTokens), right: true },
        { header: "RESULT", value: (step) => truncate(step.selectedText ?? "", 50) },
      ]);
    });

  runs.command("events")
    .description("print a run's event log (a branch's starts with its parent's history)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--from <sequence>", "start at this sequence")
    .option("--json", "print one JSON event per line")
    .action(async (runText: string, options: { from?: string }, command: Command) => {
      const context = cliContext(command);
      const fromSequence = options.from === undefined
        ? undefined
        : positiveInteger(options.from, "--from");
      const { openRunStore, resolveRunId } = await import("../run_wiring.ts");
      const store = await openRunStore(context);
      const runId = await resolveRunId(store, runText);
      const events = await store.read(runId, { fromSequence });
      if (context.json) {
        for (const event of events) context.output.printJsonLine(event);
        return;
      }
      context.output.table(events, [
        { header: "SEQ", value: (event) => String(event.sequence), right: true },
        { header: "TIME", value: (event) => shortTime(event.time) },
        { header: "TYPE", value: (event) => event.type },
        { header: "RUN", value: (event) => event.runId === runId ? "" : event.runId },
        { header: "DETAILS", value: describeEvent },
      ], "no events");
    });

  runs.command("prune")
    .description("delete abandoned branches and compact old completed runs")
    .option("--dry-run", "show what would change without changing anything")
    .option(
      "--abandoned-days <days>",
      "age after which an unfinished branch is abandoned (default 7)",
    )
    .option("--compact-days <days>", "age after which a completed run is compacted (default 30)")
    .option("--json", "print the report as JSON")
    .action(async (
      options: { dryRun?: boolean; abandonedDays?: string; compactDays?: string },
      command: Command,
    ) => {
      const context = cliContext(command);
      const day = 24 * 60 * 60 * 1000;
      const abandonedDays = options.abandonedDays === undefined
        ? 7
        : positiveInteger(options.abandonedDays, "--abandoned-days");
      const compactDays = options.compactDays === undefined
        ? 30
        : positiveInteger(options.compactDays, "--compact-days");
      const { openRunStore } = await import("../run_wiring.ts");
      const { pruneRuns } = await import("../../storage/run_retention.ts");
      const store = await openRunStore(context);
      const report = await pruneRuns(store, {
        now: new Date(),
        dryRun: options.dryRun ?? false,
        abandonedAfterMs: abandonedDays * day,
        compactAfterMs: compactDays * day,
      });
      if (context.json) return context.output.printJson(report);
      const verb = report.dryRun ? "Would delete" : "Deleted";
      for (const row of report.deleted) {
        context.output.print(
          `${verb} branch ${row.runId} of ${row.parentRunId} (${row.status}, last updated ${
            shortTime(row.updatedAt)
          })`,
        );
      }
      const compactVerb = report.dryRun ? "Would compact" : "Compacted";
      for (const row of report.compacted) {
        context.output.print(
          `${compactVerb} ${row.runId}: ${row.removedEvents} events folded into a snapshot at ${row.upTo}`,
        );
      }
      if (report.deleted.length === 0 && report.compacted.length === 0) {
        context.output.print("Nothing to prune");
      }
    });
}
