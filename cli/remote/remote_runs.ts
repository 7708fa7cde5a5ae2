/**
 * `writeit --server URL runs list|show|events`: the same tables and JSON as
 * the local commands (both print through cli/run_view.ts), read through the
 * REST API. A run may be named by an unambiguous prefix of its id, as
 * locally.
 */
import type { Command } from "commander";
import { NotFoundError } from "../../engine/errors.ts";
import type { RunSummary } from "../../engine/events/event_store.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";
import { WriteItApiError, type WriteItClient } from "../../client/mod.ts";
import { positiveInteger } from "../option_values.ts";
import { printRunEvents, printRunHeader, printRunSteps, printRunSummaries } from "../run_view.ts";
import { UsageError } from "../usage_error.ts";
import { remoteContext, remotely } from "./remote_context.ts";

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
        printRunSummaries(context.output, rows, { command: "writeit --server …" });
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
        printRunHeader(context.output, run, { runId, atSequence: at });
        // The contract says summaries; a server may send bare ids.
        const branches = (await client.branches(runId)).map((branch) =>
          typeof branch === "string" ? branch : (branch as RunSummary).runId
        );
        printRunSteps(context.output, run, { branches });
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
        printRunEvents(context.output, events, { runId });
      })
    );
  return runs;
}
