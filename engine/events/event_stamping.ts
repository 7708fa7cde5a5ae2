/**
 * Rules every EventStore applies before writing, in one place so that the
 * memory and LMDB stores agree: the expected-version check, where
 * `run_created` and `run_branched` may appear, data validation against the
 * current schemas, and stamping id, time, sequence, schema version and
 * metadata from the store's EngineContext.
 */
import { ConflictError, ValidationError } from "../errors.ts";
import type { EngineContext } from "../context.ts";
import type { EventEnvelope, NewEvent } from "./event_envelope.ts";
import type { AppendOptions } from "./event_store.ts";
import type { PipelineRun } from "../run_model.ts";
import { parseEventData, RUN_EVENT_VERSIONS } from "./run_events.ts";

/** The head a new stream starts from: 0, or the branch point for a branch's first append. */
export function initialHead(events: NewEvent[]): number {
  const first = events[0];
  return first?.type === "run_branched" ? first.data.branchPoint.sequence : 0;
}

/** Throws ConflictError "stale_version" unless `head` is the expected version. */
export function checkExpectedVersion(runId: string, head: number, options: AppendOptions): void {
  if (head !== options.expectedVersion) {
    throw new ConflictError(
      `Run "${runId}" is at version ${head}, not ${options.expectedVersion}: another writer appended first; reload the run and decide again`,
      { code: "stale_version" },
    );
  }
}

/**
 * Validates `events` for a stream whose head is `head` (`exists` false for a
 * stream with no own events yet) and returns their envelopes, numbered from
 * head + 1. `validate: false` skips the zod check of each event's data (the
 * structural rules still apply).
 */
export function stampEvents(
  runId: string,
  events: NewEvent[],
  options: AppendOptions & {
    head: number;
    exists: boolean;
    context: EngineContext;
    validate?: boolean;
  },
): EventEnvelope[] {
  const time = options.context.now().toISOString();
  const correlationId = options.metadata?.correlationId ?? options.context.newId();
  return events.map((event, index) => {
    const creates = event.type === "run_created" || event.type === "run_branched";
    if (creates !== (!options.exists && index === 0)) {
      throw new ValidationError(
        options.exists || index > 0
          ? `Event "${event.type}" can only start a new run, but run "${runId}" already has events: append it to a new run id`
          : `Run "${runId}" does not exist: its first event must be "run_created" or "run_branched", not "${event.type}"`,
      );
    }
    const data = options.validate === false ? event.data : parseEventData(event.type, event.data);
    return {
      id: event.id ?? options.context.newId(),
      runId,
      sequence: options.head + index + 1,
      type: event.type,
      schemaVersion: RUN_EVENT_VERSIONS[event.type],
      time: event.time ?? time,
      data,
      metadata: {
        ...options.metadata,
        ...event.metadata,
        correlationId: event.metadata?.correlationId ?? correlationId,
      },
    } as EventEnvelope;
  });
}

/**
 * The `state_snapshot` envelope that replaces a run's events up to `upTo`
 * when retention compacts it: it takes the id, time and correlation of the
 * last event it stands for (`last`), so replays and exports keep them.
 */
export function compactionSnapshot(
  runId: string,
  upTo: number,
  state: PipelineRun,
  options: { last?: EventEnvelope; context: EngineContext },
): EventEnvelope {
  const { last, context } = options;
  return {
    id: last?.id ?? context.newId(),
    runId,
    sequence: upTo,
    type: "state_snapshot",
    schemaVersion: RUN_EVENT_VERSIONS.state_snapshot,
    time: last?.time ?? state.updatedAt,
    data: { state },
    metadata: {
      correlationId: last?.metadata.correlationId ?? context.newId(),
      actor: "retention",
    },
  } as EventEnvelope;
}
