/**
 * How a stream's events fold into state, handed to a store that needs state
 * to plan its writes (projections, snapshots) without deciding anything
 * itself: the engine owns the fold (engine/run_evolve.ts exports `runFold`),
 * every backend receives it. Evolving happens in place, so a store can keep
 * one state per run in memory and fold appends onto it.
 *
 * @example
 * ```ts
 * const state = fold.initialState("r1");
 * for (const event of events) fold.evolve(state, event);
 * ```
 */
import type { PipelineRun } from "../run_model.ts";
import type { EventEnvelope } from "./event_envelope.ts";

/** The fold of one kind of stream. */
export interface StreamFold<State> {
  /** The state before a stream's first event. */
  initialState(streamId: string): State;
  /** Applies one event to `state`, in place. */
  evolve(state: State, event: EventEnvelope): void;
  /** A deep copy that later evolves of the original do not change. */
  clone(state: State): State;
}

/** The fold of run streams. */
export type RunFold = StreamFold<PipelineRun>;
