/**
 * Retention for a workspace's runs, on request (`writeit runs prune`):
 * - abandoned branches (not completed, untouched for `abandonedAfterMs`, with
 *   no branches of their own) are deleted; repeating until none is left, so a
 *   dead chain of branches goes leaf first;
 * - old completed runs (completed more than `compactAfterMs` ago) are
 *   compacted: their stream's prefix becomes one `state_snapshot` event, up
 *   to the earliest point a branch reads through, so every kept run and every
 *   branch still loads and exports the same state.
 * Runs that are not branches are never deleted here.
 *
 * @example
 * ```ts
 * const report = await pruneRuns(store, { now: new Date(), dryRun: true });
 * ```
 */
import type { RunSummary } from "../engine/events/event_store.ts";
import type { LmdbEventStore } from "./lmdb_event_store.ts";
import { childBranchPoints } from "./run_projections.ts";

const DAY = 24 * 60 * 60 * 1000;

/** Options of `pruneRuns`. */
export interface PruneOptions {
  /** The current time (from the EngineContext). */
  now: Date;
  /** Age after which an unfinished, cancelled or failed branch counts as abandoned (default 7 days). */
  abandonedAfterMs?: number;
  /** Age after which a completed run is compacted (default 30 days). */
  compactAfterMs?: number;
  /** Report what would change without changing anything (default false). */
  dryRun?: boolean;
}

/** What `pruneRuns` did (or would do, on a dry run). */
export interface PruneReport {
  dryRun: boolean;
  /** Branches deleted, leaves first. */
  deleted: { runId: string; parentRunId: string; status: string; updatedAt: string }[];
  /** Runs whose prefix up to `upTo` became one snapshot event. */
  compacted: { runId: string; upTo: number; removedEvents: number }[];
}

/** Deletes abandoned branches and compacts old completed runs of `store`. */
export async function pruneRuns(
  store: LmdbEventStore,
  options: PruneOptions,
): Promise<PruneReport> {
  const now = options.now.getTime();
  const abandonedBefore = new Date(now - (options.abandonedAfterMs ?? 7 * DAY)).toISOString();
  const compactBefore = new Date(now - (options.compactAfterMs ?? 30 * DAY)).toISOString();
  const dryRun = options.dryRun ?? false;
  const report: PruneReport = { dryRun, deleted: [], compacted: [] };

  const summaries = new Map<string, RunSummary>();
  for (const { key, value } of store.projections.runs.getRange()) summaries.set(key, value);
  const children = new Map<string, Set<string>>();
  for (const summary of summaries.values()) {
    if (summary.parentRunId === undefined) continue;
    const set = children.get(summary.parentRunId) ?? new Set();
    set.add(summary.runId);
    children.set(summary.parentRunId, set);
  }

  let changed = true;
  while (changed) {
    changed = false;
    for (const summary of summaries.values()) {
      if (
        summary.parentRunId === undefined || summary.status === "completed" ||
        summary.updatedAt >= abandonedBefore || (children.get(summary.runId)?.size ?? 0) > 0
      ) continue;
      if (!dryRun) await store.deleteRun(summary.runId);
      report.deleted.push({
        runId: summary.runId,
        parentRunId: summary.parentRunId,
        status: summary.status,
        updatedAt: summary.updatedAt,
      });
      summaries.delete(summary.runId);
      children.get(summary.parentRunId)?.delete(summary.runId);
      changed = true;
    }
  }

  const deleted = new Set(report.deleted.map((row) => row.runId));
  for (const summary of summaries.values()) {
    if (summary.status !== "completed" || (summary.completedAt ?? "") >= compactBefore) continue;
    const head = store.head(summary.runId);
    if (!head) continue;
    const start = head.base ?? (head.parent ? head.parent.sequence + 1 : 1);
    let upTo = head.head;
    for (const child of childBranchPoints(store.projections, summary.runId)) {
      if (!deleted.has(child.runId)) upTo = Math.min(upTo, child.branchPoint.sequence);
    }
    if (upTo - start < 2) continue;
    const removedEvents = dryRun ? upTo - start : await store.compactRun(summary.runId, upTo);
    report.compacted.push({ runId: summary.runId, upTo, removedEvents });
  }
  return report;
}
