/**
 * What `/metrics` reports about the workspaces the server has opened: runs
 * by status, steps by status, tokens, cost, cache counters and the bytes its
 * backend takes. Finished runs
 * count from their summaries (their steps as completed or pending, without
 * loading them); active runs are loaded, so their steps' statuses are exact.
 */
import type { MetricsSnapshot, WorkspaceMetrics } from "./metrics.ts";
import type { WorkspaceHub } from "./workspace_hub.ts";

const ACTIVE = new Set(["initializing", "running", "paused"]);

/** Collects the snapshot of every opened workspace. */
export async function metricsSnapshot(hub: WorkspaceHub): Promise<MetricsSnapshot> {
  const workspaces: WorkspaceMetrics[] = [];
  for (const runtime of await hub.openedRuntimes()) {
    const runs = await runtime.store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
    const metrics: WorkspaceMetrics = {
      workspace: runtime.name,
      runsByStatus: {},
      stepsByStatus: {},
      tokens: { input: 0, output: 0 },
      costUsd: 0,
    };
    const count = (table: Record<string, number>, key: string, amount = 1) =>
      table[key] = (table[key] ?? 0) + amount;
    for (const run of runs) {
      count(metrics.runsByStatus, run.status);
      metrics.tokens.input += run.usage.inputTokens;
      metrics.tokens.output += run.usage.outputTokens;
      metrics.costUsd += run.usage.costUsd;
      if (ACTIVE.has(run.status)) {
        const state = await runtime.store.loadRun(run.runId);
        for (const step of Object.values(state.steps)) count(metrics.stepsByStatus, step.status);
      } else {
        count(metrics.stepsByStatus, "completed", run.doneSteps);
        count(metrics.stepsByStatus, "pending", run.stepCount - run.doneSteps);
      }
    }
    const cache = runtime.cacheStats();
    if (cache) metrics.cache = cache;
    const described = runtime.backend.describe();
    metrics.storage = { backend: described.kind, bytes: described.bytes };
    workspaces.push(metrics);
  }
  return { workspaces };
}
