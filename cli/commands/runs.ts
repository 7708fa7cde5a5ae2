/**
 * `writeit runs list|show|events|prune`: browse a workspace's runs and their
 * event logs, travel to any sequence, and apply retention. `list`, `show`
 * and `events` read through a RunsSource (cli/sources/runs_source.ts): the
 * workspace's event store, so they see runs another process (the server,
 * another CLI) is writing, or with `--server` the server's REST API.
 * `prune` is local only.
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
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";
import { cliContext } from "../cli_context.ts";
import { localOnly, openPort } from "../command_mode.ts";
import type { RunsSource } from "../sources/runs_source.ts";
import { positiveInteger } from "../option_values.ts";
import {
  printRunEvents,
  printRunHeader,
  printRunSteps,
  printRunSummaries,
  shortTime,
} from "../run_view.ts";
import { UsageError } from "../usage_error.ts";

/** The runs of the workspace the command works on, here or on the server. */
export function openRunsSource(command: Command) {
  return openPort<RunsSource>(command, {
    local: async (context) =>
      (await import("../sources/local_runs_source.ts")).localRunsSource(context),
    remote: async (context) =>
      (await import("../remote/remote_runs_source.ts")).remoteRunsSource(context),
  });
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
        const status = options.status;
        if (status !== undefined && !isRunStatus(status)) {
          throw new UsageError(
            `Unknown status "${status}": use one of ${RUN_STATUSES.join(", ")}`,
          );
        }
        const limit = options.limit === undefined ? 50 : positiveInteger(options.limit, "--limit");
        const { scope, port } = await openRunsSource(command);
        const filter = { status, pipeline: options.pipeline };
        const rows = await port.list({ ...filter, limit });
        const filtered = status !== undefined || options.pipeline !== undefined;
        const total = rows.length === 0 && filtered ? await port.count() : undefined;
        printRunSummaries(scope.output, rows, { command: port.command, filter, total });
      },
    );

  runs.command("show")
    .description("show a run's state, now or at an earlier sequence")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--at <sequence>", "the state right after this event sequence (time travel)")
    .option("--json", "print the run's state as JSON")
    .action(async (runText: string, options: { at?: string }, command: Command) => {
      const atSequence = options.at === undefined ? undefined : positiveInteger(options.at, "--at");
      const { scope, port } = await openRunsSource(command);
      const runId = await port.resolve(runText);
      const run = await port.get(runId, { atSequence });
      if (scope.json) return scope.output.printJson(run);
      printRunHeader(scope.output, run, { runId, atSequence });
      const branches = await port.branches(runId);
      printRunSteps(scope.output, run, { branches });
    });

  runs.command("events")
    .description("print a run's event log (a branch's starts with its parent's history)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("--from <sequence>", "start at this sequence")
    .option("--json", "print one JSON event per line")
    .action(async (runText: string, options: { from?: string }, command: Command) => {
      const fromSequence = options.from === undefined
        ? undefined
        : positiveInteger(options.from, "--from");
      const { scope, port } = await openRunsSource(command);
      const runId = await port.resolve(runText);
      const events = await port.events(runId, { fromSequence });
      printRunEvents(scope.output, events, { runId });
    });

  localOnly(runs.command("prune"))
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
      const backend = await context.backend();
      const report = await backend.retention.prune({
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
