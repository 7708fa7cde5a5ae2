/**
 * Retention for a workspace's runs, on request (`writeit runs prune`), the
 * same for every backend:
 * - abandoned branches (not completed, untouched for `abandonedAfterMs`, with
 *   no branches of their own) are deleted; repeating until none is left, so a
 *   dead chain of branches goes leaf first;
 * - old completed runs (completed more than `compactAfterMs` ago) are
 *   compacted: their stream's prefix becomes one `state_snapshot` event, up
 *   to the earliest point a branch reads through, so every kept run and every
 *   branch still loads and exports the same state.
 * Runs that are not branches are never deleted here. A backend provides the
 * few primitives (`RetentionPort`); `pruneRuns` decides what to do with them.
 *
 * @example
 * ```ts
 * const report = await backend.retention.prune({ now: new Date(), dryRun: true });
 * ```
 */
import type { RunSummary } from "./events/event_store.ts";

const DAY = 24 * 60 * 60 * 1000;

/** Options of a prune. */
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

/** What a prune did (or would do, on a dry run). */
export interface PruneReport {
  dryRun: boolean;
  /** Branches deleted, leaves first. */
  deleted: { runId: string; parentRunId: string; status: string; updatedAt: string }[];
  /** Runs whose prefix up to `upTo` became one snapshot event. */
  compacted: { runId: string; upTo: number; removedEvents: number }[];
}

/** Retention of one backend's runs. */
export interface RunRetention {
  /** Deletes abandoned branches and compacts old completed runs. */
  prune(options: PruneOptions): Promise<PruneReport>;
}

/** What a backend offers retention. */
export interface RetentionPort {
  /** Every run's listing row, in any order. */
  summaries(): Promise<RunSummary[]>;
  /**
   * The run's head and the first sequence of its own events still stored
   * (after a compaction or a branch point), or undefined when it is gone.
   */
  stream(runId: string): { head: number; start: number } | undefined;
  /** Deletes a run no branch reads through (ValidationError otherwise). */
  deleteRun(runId: string): Promise<void>;
  /**
   * Folds the run's events up to `upTo` into one `state_snapshot` event at
   * `upTo`; returns how many events went away.
   */
  compactRun(runId: string, upTo: number): Promise<number>;
}

/** Deletes abandoned branches and compacts old completed runs through `port`. */
export async function pruneRuns(port: RetentionPort, options: PruneOptions): Promise<PruneReport> {
  const now = options.now.getTime();
  const abandonedBefore = new Date(now - (options.abandonedAfterMs ?? 7 * DAY)).toISOString();
  const compactBefore = new Date(now - (options.compactAfterMs ?? 30 * DAY)).toISOString();
  const dryRun = options.dryRun ?? false;
  const report: PruneReport = { dryRun, deleted: [], compacted: [] };

  const all = await port.summaries();
  const summaries = new Map<string, RunSummary>();
  for (const summary of all) summaries.set(summary.runId, summary);
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
      if (!dryRun) await port.deleteRun(summary.runId);
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
    const stream = port.stream(summary.runId);
    if (!stream) continue;
    let upTo = stream.head;
    for (const child of all) {
      if (child.parentRunId !== summary.runId || child.branchPoint === undefined) continue;
      if (!deleted.has(child.runId)) upTo = Math.min(upTo, child.branchPoint.sequence);
    }
    if (upTo - stream.start < 2) continue;
    const removedEvents = dryRun ? upTo - stream.start : await port.compactRun(summary.runId, upTo);
    report.compacted.push({ runId: summary.runId, upTo, removedEvents });
  }
  return report;
}
