/**
 * Retention of a PostgreSQL workspace's runs: the engine's `pruneRuns`
 * (engine/run_retention.ts decides what goes) over the PostgreSQL event
 * store's primitives. The port's `stream` is synchronous, so `summaries`
 * reads every run's head row along with the listing rows, and `stream`
 * answers from what it read.
 *
 * @example
 * ```ts
 * const report = await postgresRunRetention(store).prune({ now: new Date(), dryRun: true });
 * ```
 */
import { pruneRuns, type RunRetention } from "../../engine/run_retention.ts";
import type { PostgresEventStore } from "./postgres_event_store.ts";
import { ownStart, type StreamHead } from "./postgres_run_streams.ts";

/** Retention of a PostgreSQL event store's runs. */
export function postgresRunRetention(store: PostgresEventStore): RunRetention {
  return {
    prune: async (options) => {
      let heads = new Map<string, StreamHead>();
      return await pruneRuns({
        summaries: async () => {
          const [summaries, read] = await Promise.all([store.summaries(), store.heads()]);
          heads = read;
          return summaries;
        },
        stream: (runId) => {
          const head = heads.get(runId);
          return head ? { head: head.head, start: ownStart(head) } : undefined;
        },
        deleteRun: (runId) => store.deleteRun(runId),
        compactRun: (runId, upTo) => store.compactRun(runId, upTo),
      }, options);
    },
  };
}
