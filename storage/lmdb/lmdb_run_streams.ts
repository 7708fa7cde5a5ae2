/**
 * The raw run streams inside a workspace's LMDB environment: `run_events`
 * ([runId, sequence] → event tuple), `run_heads` (runId → head, parent link,
 * compaction base) and `run_snapshots` ([runId, sequence] → state). Reads
 * follow a branch into its parent's history; `stateAt` folds from the latest
 * usable snapshot with the fold it is given (the engine's, never its own). Writes (`putEvent`, `compact`, `remove`) must run inside
 * a write transaction of the environment; storage/lmdb/lmdb_event_store.ts owns
 * when they happen.
 */
import { asBinary, type Database, type Key } from "lmdb";
import type { EngineContext } from "../../engine/context.ts";
import { NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope } from "../../engine/events/event_envelope.ts";
import { compactionSnapshot } from "../../engine/events/event_stamping.ts";
import { type StoredEvent, upcastEvent } from "../../engine/events/event_upcasters.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import type { StoreOptions, WorkspaceDatabase } from "./workspace_database.ts";

/**
 * Options of every store of runs: plain msgpack maps rather than msgpackr's
 * per-value record definitions, which cost more to encode than the rest of
 * an append; maps decode as objects. Values written with records (by
 * earlier versions) still decode. `StoreOptions` does not name these msgpackr
 * options yet; `openStore` hands them to lmdb as given.
 */
export const RUN_STORE_OPTIONS: StoreOptions = { useRecords: false, mapsAsObjects: true };

/** Version of the snapshot format; snapshots of another version are ignored (replayed instead). */
export const SNAPSHOT_FORMAT = 1;

/** An event as stored: `[id, type, schemaVersion, time, data, metadata]` (run and sequence are the key). */
export type EventTuple = [string, string, number, string, unknown, EventEnvelope["metadata"]];

/** A stream's head record. */
export interface StreamHead {
  head: number;
  /** For a branch: the parent and the sequence its shared history ends at. */
  parent?: { runId: string; sequence: number };
  /** After compaction: sequences below this are folded into a `state_snapshot` event at it. */
  base?: number;
  /**
   * Sequence of the run's latest snapshot, so the next one comes `snapshotEvery`
   * events after it (absent in heads written before it existed).
   */
  snapshot?: number;
}

export interface StoredSnapshot {
  format: number;
  state: PipelineRun;
}

const LAST = Number.MAX_SAFE_INTEGER;

/** The stored value of an event (run and sequence are its key). */
export function eventRow(event: EventEnvelope | StoredEvent): EventTuple {
  return [event.id, event.type, event.schemaVersion, event.time, event.data, event.metadata];
}

/** The stored value of a snapshot of `state` (keyed by run and version). */
export function snapshotRow(state: PipelineRun): StoredSnapshot {
  return { format: SNAPSHOT_FORMAT, state };
}

/** LMDB's largest key, in bytes. */
const MAX_KEY_BYTES = 1978;

/** A row to put, its value already encoded (or to remove, without a value). */
export interface EncodedWrite {
  store: Database<unknown, Key>;
  key: Key;
  value?: ReturnType<typeof asBinary>;
}

/**
 * Encodes `value` with the store's own encoder (the bytes a `put` would
 * write) and checks the key's size, so that nothing about the row can fail
 * once writing starts.
 */
export function encodedWrite(
  store: Database<unknown, Key>,
  key: Key,
  value: unknown,
): EncodedWrite {
  checkKeySize(key);
  if (value === undefined) return { store, key };
  const encoder = (store as { encoder?: { encode(value: unknown): Uint8Array } }).encoder;
  if (!encoder) throw new TypeError("The event store's LMDB stores must use msgpack encoding");
  return { store, key, value: asBinary(encoder.encode(value)) };
}

function checkKeySize(key: Key): void {
  const parts = Array.isArray(key) ? key : [key];
  let bytes = 0;
  for (const part of parts) bytes += typeof part === "string" ? 3 * part.length + 2 : 10;
  if (bytes <= MAX_KEY_BYTES) return;
  bytes = 0;
  const encoder = new TextEncoder();
  for (const part of parts) {
    bytes += typeof part === "string" ? encoder.encode(part).length + 2 : 10;
  }
  if (bytes > MAX_KEY_BYTES) {
    throw new ValidationError(
      `Cannot store key "${
        String(parts[0]).slice(0, 60)
      }…" (${bytes} bytes): LMDB keys hold at most ${MAX_KEY_BYTES} bytes; use shorter run, step and response ids`,
    );
  }
}

/** Streams, heads and snapshots of one environment. */
export class LmdbRunStreams {
  readonly events: Database<EventTuple, Key>;
  readonly heads: Database<StreamHead, string>;
  readonly snapshots: Database<StoredSnapshot, Key>;
  readonly fold: RunFold;
  #cached: (runId: string) => PipelineRun | undefined;

  /**
   * `fold` turns events into run state; `cached` returns a state the caller
   * keeps current (any version), never mutated here.
   */
  constructor(
    database: WorkspaceDatabase,
    options: { fold: RunFold; cached?: (runId: string) => PipelineRun | undefined },
  ) {
    this.fold = options.fold;
    this.events = database.openStore<EventTuple, Key>("run_events", RUN_STORE_OPTIONS);
    this.heads = database.openStore<StreamHead, string>("run_heads", RUN_STORE_OPTIONS);
    this.snapshots = database.openStore<StoredSnapshot, Key>("run_snapshots", RUN_STORE_OPTIONS);
    this.#cached = options.cached ?? (() => undefined);
  }

  /** The head record of a run, or undefined. */
  head(runId: string): StreamHead | undefined {
    return this.heads.get(runId);
  }

  /** The head record of a run; NotFoundError when the run does not exist. */
  requireHead(runId: string): StreamHead {
    const head = this.heads.get(runId);
    if (!head) {
      throw new NotFoundError(`Run "${runId}" was not found: list runs with "writeit runs list"`);
    }
    return head;
  }

  /** Stores one event as given (its schema version included). */
  putEvent(event: EventEnvelope | StoredEvent): void {
    this.events.putSync([event.runId, event.sequence], eventRow(event));
  }

  /** Stores a snapshot of `state` at its version. */
  putSnapshot(state: PipelineRun): void {
    this.snapshots.putSync([state.runId, state.version], snapshotRow(state));
  }

  /** The run's own stored events in [from, to], upcast to the current schemas. */
  readOwn(runId: string, from: number, to: number): EventEnvelope[] {
    const events: EventEnvelope[] = [];
    const range = this.events.getRange({ start: [runId, from], end: [runId, to + 1] });
    for (const { key, value } of range) {
      const [id, type, schemaVersion, time, data, metadata] = value;
      const sequence = (key as [string, number])[1];
      events.push(upcastEvent({ id, runId, sequence, type, schemaVersion, time, data, metadata }));
    }
    return events;
  }

  /** Events visible to `runId` in [from, to], following branches into parents. */
  read(runId: string, from = 1, to = LAST): EventEnvelope[] {
    const head = this.requireHead(runId);
    const upTo = Math.min(to, head.head);
    // A compacted prefix reads as its one state_snapshot event.
    if (head.base !== undefined && from <= head.base) return this.readOwn(runId, head.base, upTo);
    if (head.parent && from <= head.parent.sequence) {
      const parentEnd = Math.min(upTo, head.parent.sequence);
      const inherited = this.read(head.parent.runId, from, parentEnd);
      return [...inherited, ...this.readOwn(runId, head.parent.sequence + 1, upTo)];
    }
    return this.readOwn(runId, from, upTo);
  }

  /** The state of `runId` right after `sequence`: latest usable snapshot plus the tail. */
  stateAt(runId: string, sequence: number): PipelineRun {
    const head = this.requireHead(runId);
    if (sequence > head.head || sequence < 1) {
      throw new ValidationError(
        `Run "${runId}" has sequences 1..${head.head}: ${sequence} is out of range`,
      );
    }
    const cached = this.#cached(runId);
    if (cached && cached.version === sequence) return this.fold.clone(cached);
    const ownStart = head.parent ? head.parent.sequence + 1 : 1;
    if (head.parent && sequence < ownStart) return this.stateAt(head.parent.runId, sequence);
    if (head.base !== undefined && sequence < head.base) {
      throw new ValidationError(
        `Run "${runId}" was compacted: its history before sequence ${head.base} is folded into one snapshot; load it at ${head.base} or later`,
      );
    }
    let state: PipelineRun | undefined;
    let from = ownStart;
    const snapshots = this.snapshots.getRange({
      start: [runId, sequence],
      end: [runId, ownStart - 1],
      reverse: true,
    });
    for (const { key, value } of snapshots) {
      if (value.format !== SNAPSHOT_FORMAT) continue;
      state = value.state;
      from = (key as [string, number])[1] + 1;
      break;
    }
    if (!state && head.base !== undefined) {
      state = this.fold.initialState(runId);
      from = head.base;
    } else if (!state) {
      state = head.parent
        ? this.stateAt(head.parent.runId, head.parent.sequence)
        : this.fold.initialState(runId);
    }
    for (const event of this.readOwn(runId, from, sequence)) this.fold.evolve(state, event);
    return state;
  }

  /**
   * Folds the run's own events up to `upTo` into one `state_snapshot` event
   * at `upTo` and deletes the events and snapshots before it. Returns how
   * many events went away (0 when there is nothing to compact).
   */
  compact(runId: string, upTo: number, context: EngineContext): number {
    const head = this.requireHead(runId);
    const start = head.base ?? (head.parent ? head.parent.sequence + 1 : 1);
    if (upTo <= start || upTo > head.head) return 0;
    const state = this.stateAt(runId, upTo);
    const last = this.readOwn(runId, upTo, upTo)[0];
    let removed = 0;
    for (const key of this.events.getKeys({ start: [runId, start], end: [runId, upTo + 1] })) {
      this.events.removeSync(key);
      removed++;
    }
    for (const key of this.snapshots.getKeys({ start: [runId, 0], end: [runId, upTo + 1] })) {
      this.snapshots.removeSync(key);
    }
    this.putEvent(compactionSnapshot(runId, upTo, state, { last, context }));
    this.heads.putSync(runId, { ...head, base: upTo });
    return removed - 1;
  }

  /** Deletes the run's events, snapshots and head (not its parent's). */
  remove(runId: string): void {
    for (const key of this.events.getKeys({ start: [runId, 0], end: [runId, LAST] })) {
      this.events.removeSync(key);
    }
    for (const key of this.snapshots.getKeys({ start: [runId, 0], end: [runId, LAST] })) {
      this.snapshots.removeSync(key);
    }
    this.heads.removeSync(runId);
  }
}
