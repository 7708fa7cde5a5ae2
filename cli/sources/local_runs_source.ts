/**
 * The runs of the selected workspace, read through its event store
 * (cli/run_wiring.ts), so they include runs another process is writing.
 */
import type { CliContext } from "../cli_context.ts";
import { openRunStore, resolveRunId } from "../run_wiring.ts";
import type { RunsSource } from "./runs_source.ts";

/** A RunsSource over the workspace's event store. */
export async function localRunsSource(context: CliContext): Promise<RunsSource> {
  const store = await openRunStore(context);
  return {
    command: context.command(),
    list: (filter) =>
      store.listRuns({ status: filter.status, pipelineId: filter.pipeline, limit: filter.limit }),
    count: async () => (await store.listRuns({ limit: Number.MAX_SAFE_INTEGER })).length,
    resolve: (text) => resolveRunId(store, text),
    get: (runId, options = {}) => store.loadRun(runId, { atSequence: options.atSequence }),
    branches: (runId) => store.branches(runId),
    events: (runId, options = {}) => store.read(runId, { fromSequence: options.fromSequence }),
  };
}
