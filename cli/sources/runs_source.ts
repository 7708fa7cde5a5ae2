/**
 * What `writeit runs list|show|events` and `writeit export` read about runs,
 * in either mode: the workspace's event store (cli/sources/local_runs_source.ts)
 * or a server's REST API (cli/remote/remote_runs_source.ts).
 */
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import type { RunSummary } from "../../engine/events/event_store.ts";
import type { PipelineRun, RunStatus } from "../../engine/run_model.ts";

/** Which runs `list()` returns; newest first. */
export interface RunsFilter {
  status?: RunStatus;
  pipeline?: string;
  limit: number;
}

/** The runs of one workspace. */
export interface RunsSource {
  /** The command line that reaches these runs (`writeit` or `writeit --server …`), for hints. */
  readonly command: string;
  list(filter: RunsFilter): Promise<RunSummary[]>;
  /** How many runs there are in all, whatever their status or pipeline. */
  count(): Promise<number>;
  /** The full id of the run `text` names: the id itself or an unambiguous prefix. */
  resolve(text: string): Promise<string>;
  /** The run's state, now or right after `atSequence`. */
  get(runId: string, options?: { atSequence?: number }): Promise<PipelineRun>;
  /** The ids of the runs branched from this one. */
  branches(runId: string): Promise<string[]>;
  events(runId: string, options?: { fromSequence?: number }): Promise<EventEnvelope[]>;
}
