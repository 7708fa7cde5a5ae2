/**
 * Read models of runs kept in the workspace's LMDB environment, following the
 * data-model seed's key schema. They are written in the same transaction as
 * the events they follow (by storage/lmdb/lmdb_event_store.ts), so they never
 * disagree with the log; `projectRun` computes the same rows from a state so
 * tests and repairs can compare them with a replay.
 *
 * Stores and keys (seed key → here):
 * - `run:{id}` → `runs`: runId → RunSummary
 * - `step:{run}:{step}` + `step_responses:{run}:{step}` → `run_steps`:
 *   [runId, stepId] → StepProjection (StepState without candidate bodies, with `responseIds`)
 * - `response:{id}` → `run_responses`: responseId → ResponseLocation (where the event holding it is)
 * - `branch_parent:{child}` / `branch_children:{parent}` → `run_branches`:
 *   ["parent", childId] → parentId and ["child", parentId, childId] → BranchPoint
 * - `recent_runs:{ws}`, `completed_runs:{ws}`, `run_by_config:{pipeline}:{time}` →
 *   `run_index`: ["recent", workspace, createdAt, runId], ["completed", workspace,
 *   completedAt, runId], ["pipeline", pipelineId, createdAt, runId] → runId
 */
import type { Database, Key } from "lmdb";
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import { type RunSummary, summarizeRun } from "../../engine/events/event_store.ts";
import type { BranchPoint, PipelineRun, StepState } from "../../engine/run_model.ts";
import { RUN_STORE_OPTIONS } from "./lmdb_run_streams.ts";
import type { WorkspaceDatabase } from "./workspace_database.ts";

/**
 * A step's row: its state without the bulky parts that only a full load
 * needs (candidate bodies, prompts, the feedback texts), plus the ids of its
 * candidates in order and the number of feedback notes. Kept small because
 * it is rewritten by every event of the step.
 */
export type StepProjection =
  & Omit<StepState, "responses" | "feedback" | "prompt" | "systemPrompt">
  & { responseIds: string[]; feedbackCount: number };

/** Where a candidate is stored: the event that carries it. */
export interface ResponseLocation {
  runId: string;
  stepId: string;
  sequence: number;
}

/** The projection stores of one environment. */
export interface RunProjectionStores {
  runs: Database<RunSummary, string>;
  steps: Database<StepProjection, Key>;
  responses: Database<ResponseLocation, string>;
  branches: Database<unknown, Key>;
  index: Database<string, Key>;
}

/** Opens (creating) the projection stores. */
export function openRunProjections(database: WorkspaceDatabase): RunProjectionStores {
  return {
    runs: database.openStore<RunSummary, string>("runs", RUN_STORE_OPTIONS),
    steps: database.openStore<StepProjection, Key>("run_steps", RUN_STORE_OPTIONS),
    responses: database.openStore<ResponseLocation, string>("run_responses", RUN_STORE_OPTIONS),
    branches: database.openStore<unknown, Key>("run_branches", RUN_STORE_OPTIONS),
    index: database.openStore<string, Key>("run_index", RUN_STORE_OPTIONS),
  };
}

/** The step row of a step state. */
export function projectStep(step: StepState): StepProjection {
  const { responses, feedback, prompt: _prompt, systemPrompt: _systemPrompt, ...rest } = step;
  return {
    ...rest,
    responseIds: responses.map((response) => response.responseId),
    feedbackCount: feedback.length,
  };
}

/** Index keys a run summary occupies. */
export function indexKeys(summary: RunSummary): Key[] {
  const keys: Key[] = [
    ["recent", summary.workspace, summary.createdAt, summary.runId],
    ["pipeline", summary.pipelineId, summary.createdAt, summary.runId],
  ];
  if (summary.status === "completed" && summary.completedAt) {
    keys.push(["completed", summary.workspace, summary.completedAt, summary.runId]);
  }
  return keys;
}

/** Step ids an event changes. */
function touchedSteps(state: PipelineRun, event: EventEnvelope): string[] {
  switch (event.type) {
    case "run_created":
    case "run_branched":
    case "run_rewound":
    case "state_snapshot":
      return state.stepOrder;
    case "steps_invalidated":
      return event.data.stepIds;
    case "run_paused":
      return [];
    default:
      return "stepId" in event.data ? [event.data.stepId] : [];
  }
}

/** What the index keys of a run depend on, captured before new events are folded in. */
export function indexKeysOf(state: PipelineRun): Key[] | undefined {
  return state.version === 0 ? undefined : indexKeys(summarizeIndexFields(state));
}

function summarizeIndexFields(state: PipelineRun): RunSummary {
  return {
    runId: state.runId,
    workspace: state.workspace,
    pipelineId: state.pipelineId,
    createdAt: state.createdAt,
    status: state.status,
    completedAt: state.completedAt,
  } as RunSummary;
}

/** One row to put (or, with `value` undefined, to remove) in a projection store. */
export interface ProjectionWrite {
  store: Database<unknown, Key>;
  key: Key;
  value?: unknown;
}

/**
 * The rows that `events` (already folded into `state`) change, without
 * writing them: the event store encodes every value before its first write,
 * so that an append either writes all its rows or none. `before` holds the
 * run's index keys before the events (from `indexKeysOf`; undefined for a
 * new run or a new branch).
 */
export function projectionWrites(
  stores: RunProjectionStores,
  state: PipelineRun,
  events: EventEnvelope[],
  before: Key[] | undefined,
): ProjectionWrite[] {
  const runId = state.runId;
  const writes: ProjectionWrite[] = [];
  const put = <V, K extends Key>(store: Database<V, K>, key: K, value: V) =>
    writes.push({ store: store as unknown as Database<unknown, Key>, key, value });
  let steps: string[] | Set<string> = [];
  for (const event of events) {
    const touched = touchedSteps(state, event);
    // One event touching one step (the common case) needs no set.
    if (events.length === 1) steps = touched;
    else if (touched.length > 0) {
      if (!(steps instanceof Set)) steps = new Set(steps);
      for (const id of touched) steps.add(id);
    }
    if (event.type === "step_response_generated" || event.type === "step_responses_merged") {
      const response = event.data.response;
      put(stores.responses, response.responseId, {
        runId,
        stepId: event.data.stepId,
        sequence: event.sequence,
      });
    }
    if (event.type === "run_branched") {
      put(stores.branches, ["parent", runId], event.data.parentRunId);
      put(stores.branches, ["child", event.data.parentRunId, runId], event.data.branchPoint);
    }
  }
  for (const id of steps) {
    const step = state.steps[id];
    if (step) put(stores.steps, [runId, id], projectStep(step));
  }
  const summary = summarizeRun(state);
  put(stores.runs, runId, summary);
  const oldKeys = before ?? [];
  const newKeys = indexKeys(summary);
  for (const key of oldKeys) {
    if (!newKeys.some((other) => sameKey(key, other))) {
      writes.push({ store: stores.index as Database<unknown, Key>, key });
    }
  }
  for (const key of newKeys) {
    if (!oldKeys.some((other) => sameKey(key, other))) put(stores.index, key, runId);
  }
  return writes;
}

/**
 * Writes the rows that `events` (already folded into `state`) change. Must
 * run inside a write transaction; `before` as for `projectionWrites`.
 */
export function writeProjections(
  stores: RunProjectionStores,
  state: PipelineRun,
  events: EventEnvelope[],
  before: Key[] | undefined,
): void {
  for (const write of projectionWrites(stores, state, events, before)) {
    if (write.value === undefined) write.store.removeSync(write.key);
    else write.store.putSync(write.key, write.value);
  }
}

function sameKey(a: Key, b: Key): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b;
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

/** Removes every row of `runId` (not its parent's); inside a write transaction. */
export function removeProjections(stores: RunProjectionStores, runId: string): void {
  const summary = stores.runs.get(runId);
  for (const key of stores.steps.getKeys({ start: [runId], end: [runId, "\uffff"] })) {
    stores.steps.removeSync(key);
  }
  if (summary) {
    for (const key of indexKeys(summary)) stores.index.removeSync(key);
  }
  const parent = stores.branches.get(["parent", runId]) as string | undefined;
  if (parent !== undefined) {
    stores.branches.removeSync(["parent", runId]);
    stores.branches.removeSync(["child", parent, runId]);
  }
  stores.runs.removeSync(runId);
}

/** Ids of the runs branched directly from `runId`, oldest key first. */
export function childRuns(stores: RunProjectionStores, runId: string): string[] {
  const children: string[] = [];
  for (
    const key of stores.branches.getKeys({
      start: ["child", runId],
      end: ["child", runId, "\uffff"],
    })
  ) {
    children.push((key as string[])[2]);
  }
  return children;
}

/** The branch point each direct child of `runId` left it at. */
export function childBranchPoints(
  stores: RunProjectionStores,
  runId: string,
): { runId: string; branchPoint: BranchPoint }[] {
  const rows: { runId: string; branchPoint: BranchPoint }[] = [];
  for (
    const { key, value } of stores.branches.getRange({
      start: ["child", runId],
      end: ["child", runId, "\uffff"],
    })
  ) {
    rows.push({ runId: (key as string[])[2], branchPoint: value as BranchPoint });
  }
  return rows;
}

/** Run summaries newest first, from the index; `pipelineId` narrows to one pipeline. */
export function* summariesNewestFirst(
  stores: RunProjectionStores,
  pipelineId?: string,
): Generator<RunSummary> {
  const prefix = pipelineId === undefined ? ["recent"] : ["pipeline", pipelineId];
  const keys = stores.index.getKeys({
    start: [...prefix, "\uffff"],
    end: prefix,
    reverse: true,
  });
  for (const key of keys) {
    const runId = (key as string[])[3];
    const summary = stores.runs.get(runId);
    if (summary) yield summary;
  }
}
