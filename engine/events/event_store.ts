/**
 * The EventStore interface: append-only per-run streams with optimistic
 * concurrency (`expectedVersion`), reads that follow a branch into its
 * parent's history, live subscriptions, state loading (snapshots + tail,
 * time travel) and run listing. Implementations: memory_event_store.ts
 * (engine) and storage/lmdb/lmdb_event_store.ts; both pass the contract suite in
 * event_store_contract.ts.
 *
 * @example
 * ```ts
 * const state = await store.loadRun(runId);
 * const events = decide({ type: "startRun" }, state);
 * await store.append(runId, events, { expectedVersion: state.version });
 * ```
 */
import type { PipelineRun, RunStatus, TokenUsage } from "../run_model.ts";
import type { EventEnvelope, EventMetadata, NewEvent } from "./event_envelope.ts";
import { runTitle } from "../run_title.ts";

/** Options of `append`. */
export interface AppendOptions {
  /**
   * The stream head the caller decided against: 0 for a new run, the branch
   * point's sequence for a branch's first append, else `state.version`.
   */
  expectedVersion: number;
  /** Metadata applied to every event that does not set its own. */
  metadata?: Partial<EventMetadata>;
}

/** What an append wrote. */
export interface AppendResult {
  runId: string;
  /** Sequence of the first appended event (head + 1). */
  firstSequence: number;
  /** New head of the stream; pass it as the next `expectedVersion`. */
  lastSequence: number;
  /** The stored envelopes. */
  events: EventEnvelope[];
}

/** Options of `read`. */
export interface ReadOptions {
  /** First sequence to return (default 1). */
  fromSequence?: number;
  /** Last sequence to return (default the head). */
  toSequence?: number;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** Replay stored events from this sequence before live ones (single run only). */
  fromSequence?: number;
}

/** Options of `loadRun`. */
export interface LoadRunOptions {
  /** Time travel: the state right after this sequence (default the head). */
  atSequence?: number;
}

/** Filter of `listRuns`; runs come newest first. */
export interface RunFilter {
  status?: RunStatus;
  pipelineId?: string;
  /** Most runs returned (default 100). */
  limit?: number;
}

/** One row of a run listing. */
export interface RunSummary {
  runId: string;
  pipelineId: string;
  pipelineVersion?: string;
  workspace: string;
  status: RunStatus;
  currentStep?: string;
  parentRunId?: string;
  branchPoint?: { stepId: string; sequence: number };
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  /** Head of the stream. */
  version: number;
  stepCount: number;
  /** Steps completed or skipped. */
  doneSteps: number;
  /** Steps that wait for the writer (candidates to pick from, or a failure to handle); absent when none. */
  waitingFor?: string[];
  /** What the run is called: its latest result's heading, else its subject (engine/run_title.ts). */
  title?: string;
  /** In search results: where the run matched, and a snippet (engine/run_search.ts). */
  match?: { where: string; snippet: string };
  usage: TokenUsage;
}

/** Append-only run streams. */
export interface EventStore {
  /**
   * Appends `events` atomically after the stream's head. Throws
   * ConflictError (code "stale_version") when the head is not
   * `expectedVersion`, ValidationError for malformed events, NotFoundError
   * for a branch whose parent is missing; nothing is written then.
   */
  append(runId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  /** The run's events in order; for a branch, the parent's up to the branch point first. */
  read(runId: string, options?: ReadOptions): Promise<EventEnvelope[]>;
  /**
   * Calls `listener` with every event appended to `runId` (or to any run for
   * "*") from now on, in order per run, including appends by other processes
   * sharing the store. Returns the function that unsubscribes.
   */
  subscribe(
    runId: string,
    listener: (event: EventEnvelope) => void,
    options?: SubscribeOptions,
  ): () => void;
  /** The run's state (at `atSequence` when given). NotFoundError when the run does not exist. */
  loadRun(runId: string, options?: LoadRunOptions): Promise<PipelineRun>;
  /** Runs matching `filter`, newest first. */
  listRuns(filter?: RunFilter): Promise<RunSummary[]>;
  /** Ids of the runs branched directly from `runId`. */
  branches(runId: string): Promise<string[]>;
  /** Stops subscriptions and releases resources; pending appends finish first. */
  close(): Promise<void>;
}

/** The listing row of a run state. */
export function summarizeRun(state: PipelineRun): RunSummary {
  let doneSteps = 0;
  const waitingFor: string[] = [];
  for (const id of state.stepOrder) {
    const status = state.steps[id]?.status;
    if (status === "completed" || status === "skipped") doneSteps++;
    if (status === "awaiting_selection" || status === "failed") waitingFor.push(id);
  }
  const title = runTitle(state);
  return {
    runId: state.runId,
    pipelineId: state.pipelineId,
    pipelineVersion: state.pipelineVersion,
    workspace: state.workspace,
    status: state.status,
    currentStep: state.currentStep,
    parentRunId: state.parentRunId,
    branchPoint: state.branchPoint,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    completedAt: state.completedAt,
    version: state.version,
    stepCount: state.stepOrder.length,
    doneSteps,
    ...(waitingFor.length > 0 ? { waitingFor } : {}),
    ...(title === undefined ? {} : { title }),
    usage: state.usage,
  };
}
