/**
 * Retention of an LMDB workspace's runs: the engine's `pruneRuns`
 * (engine/run_retention.ts decides what goes) over the primitives of the
 * LMDB event store (the run summaries projection, stream heads, deleting and
 * compacting runs).
 *
 * @example
 * ```ts
 * const report = await pruneRuns(store, { now: new Date(), dryRun: true });
 * ```
 */
import type { RunSummary } from "../../engine/events/event_store.ts";
import {
  type PruneOptions,
  type PruneReport,
  pruneRuns as pruneThrough,
  type RetentionPort,
  type RunRetention,
} from "../../engine/run_retention.ts";
import type { LmdbEventStore } from "./lmdb_event_store.ts";

export type { PruneOptions, PruneReport };

/** The retention primitives of an LMDB event store. */
export function lmdbRetentionPort(store: LmdbEventStore): RetentionPort {
  return {
    summaries: () => {
      const rows: RunSummary[] = [];
      for (const { value } of store.projections.runs.getRange()) rows.push(value);
      return Promise.resolve(rows);
    },
    stream: (runId) => {
      const head = store.head(runId);
      if (!head) return undefined;
      return { head: head.head, start: head.base ?? (head.parent ? head.parent.sequence + 1 : 1) };
    },
    deleteRun: (runId) => store.deleteRun(runId),
    compactRun: (runId, upTo) => store.compactRun(runId, upTo),
  };
}

/** Retention of an LMDB event store's runs. */
export function lmdbRunRetention(store: LmdbEventStore): RunRetention {
  const port = lmdbRetentionPort(store);
  return { prune: (options) => pruneThrough(port, options) };
}

/** Deletes abandoned branches and compacts old completed runs of `store`. */
export function pruneRuns(store: LmdbEventStore, options: PruneOptions): Promise<PruneReport> {
  return pruneThrough(lmdbRetentionPort(store), options);
}
