/**
 * `writeit --server URL runs list|show|events`: the same tables and JSON as
 * the local commands (cli/commands/runs.ts), read through the REST API. A
 * run may be named by an unambiguous prefix of its id, as locally.
 */
import type { Command } from "commander";
import { NotFoundError } from "../../engine/errors.ts";
import type { RunSummary } from "../../engine/events/event_store.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";
import { WriteItApiError } from "../../client/api_error.ts";
import type { WriteItClient } from "../../client/writeit_client.ts";
import { describeEvent } from "../commands/runs.ts";
import { UsageError } from "../usage_error.ts";
import { remoteContext, remotely } from "./remote_context.ts";

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

/** The full id of the run `text` names: the id itself or an unambiguous prefix. */
export async function resolveRemoteRunId(client: WriteItClient, text: string): Promise<string> {
  const wanted = text.trim();
  if (!wanted) throw new UsageError("Name a run: its id or the first characters of it");
  try {
    return (await client.getRun(wanted)).runId;
  } catch (error) {
    if (!(error instanceof WriteItApiError) || error.status !== 404) throw error;
  }
  const matches: string[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await client.listRuns({ limit: 200, offset });
    for (const run of page.runs) if (run.runId.startsWith(wanted)) matches.push(run.runId);
    offset = page.runs.length === 0 ? null : page.nextOffset;
  }
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new NotFoundError(
      `No run "${wanted}" on the server${
        client.workspace ? ` in workspace "${client.workspace}"` : ""
      }: see \`writeit --server … runs list\``,
    );
  }
  throw new UsageError(
    `"${wanted}" matches ${matches.length} runs (${
      matches.slice(0, 5).join(", ")
    }…): give more characters of the id`,
  );
}

/** The run header the local `runs show` prints. */
export function printRunHeader(run: PipelineRun, print: (text: string) => void): void {
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

/** Registers `runs list|show|events` for `--server`. */
export function registerRemoteRunsCommands(program: Command): Command {
  const runs = program.command("runs").description("list and inspect runs and their event logs");

  runs.command("list")
    .description("list runs, newest first")
    .option("--status <status>", `only runs with this status (${RUN_STATUSES.join(", ")})`)
    .option("--pipeline <name>", "only runs of this pipeline")
    .option("--limit <count>", "most runs to show (default 50)")
    .option("--json", "print the runs as JSON")
    .action((options: { status?: string; pipeline?: string; limit?: string }, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const status = options.status;
        if (status !== undefined && !isRunStatus(status)) {
          throw new UsageError(`Unknown status "${status}": use one of ${RUN_STATUSES.join(", ")}`);
        }
        const limit = options.limit === undefined ? 50 : positiveInteger(options.limit, "--limit");
        const { runs: rows } = await context.client.listRuns({
          status: status as PipelineRun["status"] | undefined,
          pipeline: options.pipeline,
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
        ], "no runs yet: start one with `writeit --server … run PIPELINE`");
      })
    );

  runs.command("show")
    .description("show a run's state, now or at an earlier sequence")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--at <sequence>", "the state right after this event sequence (time travel)")
    .option("--json", "print the run's state as JSON")
    .action((runText: string, options: { at?: string }, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const at = options.at === undefined ? undefined : positiveInteger(options.at, "--at");
        const { client } = context;
        const runId = await resolveRemoteRunId(client, runText);
        const run = await client.getRun(runId, { at });
        if (context.json) return context.output.printJson(run);
        const print = (text: string) => context.output.print(text);
        printRunHeader(run, print);
        if (run.runId !== runId) {
          print(`Shared     at sequence ${at}, branch ${runId} still shared this history`);
        }
        const branches = await client.branches(runId);
        if (branches.length > 0) {
          // The contract says summaries; a server may send bare ids.
          const ids = branches.map((branch) =>
            typeof branch === "string" ? branch : (branch as RunSummary).runId
          );
          print(`Branches   ${ids.join(", ")}`);
        }
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
      })
    );

  runs.command("events")
    .description("print a run's event log (a branch's starts with its parent's history)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--from <sequence>", "start at this sequence")
    .option("--json", "print one JSON event per line")
    .action((runText: string, options: { from?: string }, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const from = options.from === undefined
          ? undefined
          : positiveInteger(options.from, "--from");
        const runId = await resolveRemoteRunId(context.client, runText);
        const { events } = await context.client.events(runId, { from });
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
      })
    );
  return runs;
}
