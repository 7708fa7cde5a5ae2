/**
 * Group commit for the PostgreSQL event store: the appends that queued up
 * while the previous transaction committed are decided and written together
 * in one transaction, under the workspace's append lock (see
 * postgres_event_store.ts). Every append is decided in turn against the
 * heads read inside that transaction and the appends before it in the
 * batch: the expected-version check, stamping, folding with the engine's
 * fold (onto the state kept in memory when it is current), snapshots. An
 * append that fails its checks writes nothing and fails alone; the others
 * are written with three statements sent together (events in batch order,
 * so global positions follow it; one head and listing row per run;
 * snapshots), and one notification carries the batch's last position.
 *
 * A branch whose parent was appended to earlier in the same batch waits for
 * the next batch (its shared history must be readable first).
 */
import type { EngineContext } from "../../engine/context.ts";
import { NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope, NewEvent } from "../../engine/events/event_envelope.ts";
import type { StoredEvent } from "../../engine/events/event_upcasters.ts";
import {
  checkExpectedVersion,
  initialHead,
  stampEvents,
} from "../../engine/events/event_stamping.ts";
import {
  type AppendOptions,
  type AppendResult,
  summarizeRun,
} from "../../engine/events/event_store.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import type { Transaction } from "./postgres_connection.ts";
import { EVENTS_CHANNEL } from "./postgres_event_feed.ts";
import {
  eventRecord,
  ownStart,
  type PostgresRunStreams,
  SNAPSHOT_FORMAT,
  type StreamHead,
} from "./postgres_run_streams.ts";

/** An append waiting for its batch. */
export interface PendingAppend {
  runId: string;
  events: NewEvent[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** What a batch needs of its store. */
export interface BatchContext {
  workspace: string;
  streams: PostgresRunStreams;
  context: EngineContext;
  snapshotEvery: number;
  /** A copy of the run's state at `version` when this process holds it. */
  cachedState(runId: string, version: number): PipelineRun | undefined;
}

/** What a batch wrote. */
export interface BatchOutcome {
  /** Per append of the batch (those decided): its result or why it failed. */
  settled: { item: PendingAppend; result?: AppendResult; error?: unknown }[];
  /** Appends left for the next batch, in order. */
  deferred: PendingAppend[];
  /** The new state of every run written. */
  states: PipelineRun[];
  /** The last global position written, when anything was. */
  position?: number;
}

interface RunEntry {
  head: StreamHead;
  state: PipelineRun;
  /** Whether this batch appends to it. */
  touched: boolean;
}

/** The workspace's append lock, held until the transaction ends. */
export async function lockAppends(tx: Transaction, workspace: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${"writeit.append:" + workspace}, 0))`;
}

/** Decides and writes `items` in `tx` (which holds nothing yet). */
export async function writeBatch(
  tx: Transaction,
  items: PendingAppend[],
  batch: BatchContext,
): Promise<BatchOutcome> {
  const { streams, workspace } = batch;
  const ids = new Set<string>();
  for (const item of items) {
    ids.add(item.runId);
    const first = item.events[0];
    if (first?.type === "run_branched") ids.add(first.data.parentRunId);
  }
  // Sent together: the heads are read by a statement that starts once the lock is granted.
  const [, heads] = await Promise.all([
    lockAppends(tx, workspace),
    streams.heads(tx, [...ids]),
  ]);
  const runs = new Map<string, RunEntry>();
  const outcome: BatchOutcome = { settled: [], deferred: [], states: [] };
  const events: (EventEnvelope & { ordinal?: number })[] = [];
  const snapshots: { run_id: string; sequence: number; state: PipelineRun }[] = [];

  for (const [index, item] of items.entries()) {
    const { runId, options } = item;
    try {
      const entry = runs.get(runId);
      const stored = entry ? undefined : heads.get(runId);
      const current = entry?.head ?? stored;
      const head = current ? current.head : initialHead(item.events);
      checkExpectedVersion(runId, head, options);
      if (item.events.length === 0) {
        outcome.settled.push({
          item,
          result: { runId, firstSequence: head + 1, lastSequence: head, events: [] },
        });
        continue;
      }
      const stamped = stampEvents(runId, item.events, {
        ...options,
        head,
        exists: current !== undefined,
        context: batch.context,
        validate: false,
      });
      const first = stamped[0];
      let state: PipelineRun;
      let parent: StreamHead["parent"];
      if (entry) {
        state = streams.fold.clone(entry.state);
      } else if (current) {
        state = batch.cachedState(runId, head) ?? await streams.stateAt(tx, runId, head);
      } else if (first.type === "run_branched") {
        const parentId = first.data.parentRunId;
        if (runs.get(parentId)?.touched) {
          outcome.deferred.push(...items.slice(index));
          break;
        }
        const parentHead = heads.get(parentId);
        if (!parentHead) {
          throw new NotFoundError(`Cannot branch run "${runId}" from "${parentId}": no such run`);
        }
        const sequence = first.data.branchPoint.sequence;
        if (sequence > parentHead.head) {
          throw new ValidationError(
            `Cannot branch run "${runId}" at sequence ${sequence}: run "${parentId}" ends at ${parentHead.head}`,
          );
        }
        parent = { runId: parentId, sequence };
        state = batch.cachedState(parentId, sequence) ??
          await streams.stateAt(tx, parentId, sequence);
      } else {
        state = streams.fold.initialState(runId);
      }
      for (const event of stamped) streams.fold.evolve(state, event);

      const base: StreamHead = current ?? { head, ...(parent ? { parent } : {}) };
      const lastSnapshot = base.snapshot ?? ownStart(base) - 1;
      const snapshot = batch.snapshotEvery > 0 &&
        state.version - lastSnapshot >= batch.snapshotEvery;
      if (snapshot) snapshots.push({ run_id: runId, sequence: state.version, state });
      runs.set(runId, {
        head: { ...base, head: state.version, ...(snapshot ? { snapshot: state.version } : {}) },
        state,
        touched: true,
      });
      events.push(...stamped);
      outcome.settled.push({
        item,
        result: {
          runId,
          firstSequence: first.sequence,
          lastSequence: stamped[stamped.length - 1].sequence,
          events: stamped,
        },
      });
    } catch (error) {
      outcome.settled.push({ item, error });
    }
  }
  if (events.length === 0) return outcome;

  const rows = [...runs.values()].filter((entry) => entry.touched).map((entry) => {
    const summary = summarizeRun(entry.state);
    return {
      run_id: entry.state.runId,
      head: entry.head.head,
      parent_run_id: entry.head.parent?.runId ?? null,
      parent_sequence: entry.head.parent?.sequence ?? null,
      snapshot: entry.head.snapshot ?? null,
      pipeline_id: summary.pipelineId,
      status: summary.status,
      created_at: summary.createdAt,
      summary,
    };
  });
  outcome.states = [...runs.values()].map((entry) => entry.state);
  const [position] = await Promise.all([
    insertEvents(tx, workspace, events),
    tx`insert into writeit_runs (workspace, run_id, head, parent_run_id, parent_sequence,
        snapshot, pipeline_id, status, created_at, summary)
      select ${workspace}, r.run_id, r.head, r.parent_run_id, r.parent_sequence, r.snapshot,
        r.pipeline_id, r.status, r.created_at, r.summary
      from json_to_recordset(${JSON.stringify(rows)}::text::json) as r(run_id text,
        head integer, parent_run_id text, parent_sequence integer, snapshot integer,
        pipeline_id text, status text, created_at text, summary jsonb)
      on conflict (workspace, run_id) do update set head = excluded.head,
        status = excluded.status, pipeline_id = excluded.pipeline_id,
        created_at = excluded.created_at, summary = excluded.summary,
        snapshot = coalesce(excluded.snapshot, writeit_runs.snapshot)`,
    snapshots.length === 0 ? undefined : tx`
      insert into writeit_snapshots (workspace, run_id, sequence, format, state)
      select ${workspace}, s.run_id, s.sequence, ${SNAPSHOT_FORMAT}, s.state
      from json_to_recordset(${JSON.stringify(snapshots)}::text::json) as s(run_id text,
        sequence integer, state json)
      on conflict do nothing`,
  ]);
  outcome.position = position;
  return outcome;
}

/**
 * Inserts events (their runs' rows may follow in the same transaction), drawing
 * positions in the order given, and notifies; returns the last position.
 */
export async function insertEvents(
  tx: Transaction,
  workspace: string,
  events: (EventEnvelope | StoredEvent)[],
): Promise<number> {
  const records = JSON.stringify(
    events.map((event, ordinal) => ({
      ...eventRecord(event),
      run_id: event.runId,
      ordinal,
    })),
  );
  const [row] = await tx<{ position: number }[]>`
    with inserted as (
      insert into writeit_events (workspace, run_id, sequence, id, type, schema_version, time,
        data, metadata, position)
      select ${workspace}, r.run_id, r.sequence, r.id, r.type, r.schema_version, r.time,
        r.data, r.metadata, nextval('writeit_event_position')
      from (
        select * from json_to_recordset(${records}::text::json) as x(ordinal integer,
          run_id text, sequence integer, id text, type text, schema_version integer, time text,
          data json, metadata json)
        order by ordinal
      ) r
      returning position
    )
    select max(position)::bigint as position,
      pg_notify(${EVENTS_CHANNEL}, max(position)::text || ':' || ${workspace})
    from inserted`;
  return row.position;
}
