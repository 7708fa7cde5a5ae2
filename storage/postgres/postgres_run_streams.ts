/**
 * Reading and folding run streams in PostgreSQL: a run's head row
 * (`writeit_runs`: head, parent link, compaction base, last snapshot), its
 * own events (`writeit_events`), and the state at any sequence from the
 * latest usable snapshot (`writeit_snapshots`) plus the tail. Reads follow a
 * branch into its parent's history, which is never copied: a branch stores
 * only its own events after the branch point, as in storage/lmdb/. Folding
 * uses the fold it is given (the engine's, never its own). Every method
 * takes the pool or a transaction, so storage/postgres/postgres_event_store.ts
 * can read inside the transaction that appends.
 */
import type { EngineContext } from "../../engine/context.ts";
import { NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import { compactionSnapshot } from "../../engine/events/event_stamping.ts";
import { type StoredEvent, upcastEvent } from "../../engine/events/event_upcasters.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import type { Sql, Transaction } from "./postgres_connection.ts";

/** The pool, or a transaction of it. */
export type Queryable = Sql | Transaction;

/** Version of the snapshot format; snapshots of another version are ignored (replayed instead). */
export const SNAPSHOT_FORMAT = 1;

/** A stream's head row. */
export interface StreamHead {
  head: number;
  /** For a branch: the parent and the sequence its shared history ends at. */
  parent?: { runId: string; sequence: number };
  /** After compaction: sequences below this are folded into a `state_snapshot` event at it. */
  base?: number;
  /** Sequence of the run's latest snapshot. */
  snapshot?: number;
}

interface HeadRow {
  run_id: string;
  head: number;
  parent_run_id: string | null;
  parent_sequence: number | null;
  base: number | null;
  snapshot: number | null;
}

const LAST = 2_147_483_647;

function streamHead(row: HeadRow): StreamHead {
  return {
    head: row.head,
    ...(row.parent_run_id !== null
      ? { parent: { runId: row.parent_run_id, sequence: row.parent_sequence ?? 0 } }
      : {}),
    ...(row.base !== null ? { base: row.base } : {}),
    ...(row.snapshot !== null ? { snapshot: row.snapshot } : {}),
  };
}

/** The first sequence a run stores itself (after its branch point or compaction). */
export function ownStart(head: StreamHead): number {
  return head.base ?? (head.parent ? head.parent.sequence + 1 : 1);
}

/** The columns of an event row, as a JSON-ready record (for `json_to_recordset`). */
export function eventRecord(event: EventEnvelope | StoredEvent): Record<string, unknown> {
  return {
    sequence: event.sequence,
    id: event.id,
    type: event.type,
    schema_version: event.schemaVersion,
    time: event.time,
    data: event.data,
    metadata: event.metadata,
  };
}

/** Streams of one workspace. */
export class PostgresRunStreams {
  readonly workspace: string;
  readonly fold: RunFold;

  constructor(workspace: string, fold: RunFold) {
    this.workspace = workspace;
    this.fold = fold;
  }

  /** The head row of a run, or undefined. */
  async head(db: Queryable, runId: string): Promise<StreamHead | undefined> {
    const [row] = await db<HeadRow[]>`
      select run_id, head, parent_run_id, parent_sequence, base, snapshot from writeit_runs
      where workspace = ${this.workspace} and run_id = ${runId}`;
    return row ? streamHead(row) : undefined;
  }

  /** The head rows of `runIds` that exist (every run when `runIds` is omitted), by run id. */
  async heads(db: Queryable, runIds?: string[]): Promise<Map<string, StreamHead>> {
    const rows = await db<HeadRow[]>`
      select run_id, head, parent_run_id, parent_sequence, base, snapshot from writeit_runs
      where workspace = ${this.workspace}
        ${runIds === undefined ? db`` : db`and run_id = any(${db.array(runIds)}::text[])`}`;
    return new Map(rows.map((row) => [row.run_id, streamHead(row)]));
  }

  /** The head row of a run; NotFoundError when the run does not exist. */
  async requireHead(db: Queryable, runId: string): Promise<StreamHead> {
    const head = await this.head(db, runId);
    if (!head) {
      throw new NotFoundError(`Run "${runId}" was not found: list runs with "writeit runs list"`);
    }
    return head;
  }

  /** The run's own stored events in [from, to], upcast to the current schemas. */
  async readOwn(db: Queryable, runId: string, from: number, to: number): Promise<EventEnvelope[]> {
    const rows = await db<StoredEvent[]>`
      select id, run_id as "runId", sequence, type, schema_version as "schemaVersion", time,
        data, metadata
      from writeit_events
      where workspace = ${this.workspace} and run_id = ${runId}
        and sequence between ${from} and ${Math.min(to, LAST)}
      order by sequence`;
    return rows.map((row) => upcastEvent({ ...row }));
  }

  /** Events visible to `runId` in [from, to], following branches into parents. */
  async read(db: Queryable, runId: string, from = 1, to = LAST): Promise<EventEnvelope[]> {
    const head = await this.requireHead(db, runId);
    const upTo = Math.min(to, head.head);
    if (head.base !== undefined && from <= head.base) {
      return await this.readOwn(db, runId, head.base, upTo);
    }
    if (head.parent && from <= head.parent.sequence) {
      const parentEnd = Math.min(upTo, head.parent.sequence);
      const inherited = await this.read(db, head.parent.runId, from, parentEnd);
      return [...inherited, ...await this.readOwn(db, runId, head.parent.sequence + 1, upTo)];
    }
    return await this.readOwn(db, runId, from, upTo);
  }

  /** The state of `runId` right after `sequence`: latest usable snapshot plus the tail. */
  async stateAt(db: Queryable, runId: string, sequence: number): Promise<PipelineRun> {
    const head = await this.requireHead(db, runId);
    if (sequence > head.head || sequence < 1) {
      throw new ValidationError(
        `Run "${runId}" has sequences 1..${head.head}: ${sequence} is out of range`,
      );
    }
    const start = head.parent ? head.parent.sequence + 1 : 1;
    if (head.parent && sequence < start) return await this.stateAt(db, head.parent.runId, sequence);
    if (head.base !== undefined && sequence < head.base) {
      throw new ValidationError(
        `Run "${runId}" was compacted: its history before sequence ${head.base} is folded into one snapshot; load it at ${head.base} or later`,
      );
    }
    const [snapshot] = await db<{ sequence: number; state: PipelineRun }[]>`
      select sequence, state from writeit_snapshots
      where workspace = ${this.workspace} and run_id = ${runId} and format = ${SNAPSHOT_FORMAT}
        and sequence between ${start} and ${sequence}
      order by sequence desc limit 1`;
    let state: PipelineRun;
    let from: number;
    if (snapshot) {
      state = snapshot.state;
      from = snapshot.sequence + 1;
    } else if (head.base !== undefined) {
      state = this.fold.initialState(runId);
      from = head.base;
    } else {
      state = head.parent
        ? await this.stateAt(db, head.parent.runId, head.parent.sequence)
        : this.fold.initialState(runId);
      from = start;
    }
    for (const event of await this.readOwn(db, runId, from, sequence)) {
      this.fold.evolve(state, event);
    }
    return state;
  }

  /**
   * Folds the run's own events up to `upTo` into one `state_snapshot` event
   * at `upTo` (keeping that row's global position, so subscribers never see
   * it as new) and deletes the events and snapshots before it. Inside a
   * transaction; returns how many events went away.
   */
  async compact(
    tx: Transaction,
    runId: string,
    upTo: number,
    context: EngineContext,
  ): Promise<number> {
    const head = await this.requireHead(tx, runId);
    const start = ownStart(head);
    if (upTo <= start || upTo > head.head) return 0;
    const state = await this.stateAt(tx, runId, upTo);
    const last = (await this.readOwn(tx, runId, upTo, upTo))[0];
    const snapshot = compactionSnapshot(runId, upTo, state, { last, context });
    const removed = await tx`
      delete from writeit_events
      where workspace = ${this.workspace} and run_id = ${runId}
        and sequence >= ${start} and sequence < ${upTo}`;
    await tx`
      update writeit_events set id = ${snapshot.id}, type = ${snapshot.type},
        schema_version = ${snapshot.schemaVersion}, time = ${snapshot.time},
        data = ${JSON.stringify(snapshot.data)}::text::json,
        metadata = ${JSON.stringify(snapshot.metadata)}::text::json
      where workspace = ${this.workspace} and run_id = ${runId} and sequence = ${upTo}`;
    await tx`
      delete from writeit_snapshots
      where workspace = ${this.workspace} and run_id = ${runId} and sequence <= ${upTo}`;
    await tx`
      update writeit_runs set base = ${upTo}, snapshot = null
      where workspace = ${this.workspace} and run_id = ${runId}`;
    return removed.count;
  }
}
