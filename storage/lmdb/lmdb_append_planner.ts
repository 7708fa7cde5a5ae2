/**
 * How the LMDB event store decides an append: against the run's state kept
 * in memory as soon as the append arrives (`prepare`, outside any
 * transaction, so this work overlaps the commit of the batch before), and
 * inside the write transaction (`decide`), which checks the expected version
 * against the stream head read there and either keeps the prepared rows or
 * decides afresh from what is written. Everything that can fail happens
 * before an append's first write, so a failing append writes nothing. The
 * planner also keeps the run states in memory (least recently used ones
 * leave first) and picks when a snapshot is due. It folds with the fold it
 * is given (`options.fold`, the engine's), never with one of its own. storage/lmdb/lmdb_event_store.ts
 * owns the queue, the transactions and the acknowledgements.
 */
import type { Key } from "lmdb";
import type { EngineContext } from "../../engine/context.ts";
import { NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope, NewEvent } from "../../engine/events/event_envelope.ts";
import {
  checkExpectedVersion,
  initialHead,
  stampEvents,
} from "../../engine/events/event_stamping.ts";
import type { AppendOptions, AppendResult } from "../../engine/events/event_store.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import {
  type EncodedWrite,
  encodedWrite,
  eventRow,
  type LmdbRunStreams,
  snapshotRow,
  type StreamHead,
} from "./lmdb_run_streams.ts";
import { indexKeysOf, projectionWrites, type RunProjectionStores } from "./run_projections.ts";

/** An append waiting in the store's queue, and what became of it. */
export interface PendingAppend {
  runId: string;
  events: NewEvent[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
  /** Worked out when the append arrived, to be checked and written by the transaction. */
  prepared?: PreparedAppend;
  /** True once the transaction wrote `prepared` as it was. */
  usedPrepared?: boolean;
  result?: AppendResult;
  error?: unknown;
}

/**
 * An append decided ahead of its transaction, against the cached state of
 * its run: envelopes, the folded state and every row but the head, encoded.
 * The transaction writes it only if the stream's head is still the expected
 * version and what it was built on (`basis`) was written as prepared too.
 */
export interface PreparedAppend {
  exists: boolean;
  /** The earlier append of the same run this one was folded onto, while that one was pending. */
  basis?: PendingAppend;
  state: PipelineRun;
  stamped: EventEnvelope[];
  writes: EncodedWrite[];
}

/** A run's state kept in memory, and the version of it known to be written. */
interface CachedRun {
  state: PipelineRun;
  written: number;
  /** The append `state` was last folded ahead for, until it is settled. */
  pending?: PendingAppend;
}

/**
 * Snapshots one commit may write: a little more than its events make due on
 * average (events / snapshotEvery), so that runs crossing a multiple together
 * spread their snapshots over the next commits instead of one slow commit.
 */
function snapshotBudget(events: number, every: number): number {
  return every > 0 ? 2 + Math.ceil((1.5 * events) / every) : 0;
}

/** Options of a planner. */
export interface AppendPlannerOptions {
  context: EngineContext;
  /** How events fold into run state (the engine's `runFold`). */
  fold: RunFold;
  /** Snapshot every this many events of a stream (0: never). */
  snapshotEvery: number;
  /** Most run states kept in memory. */
  cachedRuns: number;
}

/** Decides appends for one LMDB event store and keeps its run states. */
export class AppendPlanner {
  #streams: LmdbRunStreams;
  #projections: RunProjectionStores;
  #context: EngineContext;
  #fold: RunFold;
  #snapshotEvery: number;
  /** States by run; a state may run ahead of `written` by appends prepared but not yet written. */
  #cache = new Map<string, CachedRun>();
  #cacheLimit: number;

  constructor(
    streams: LmdbRunStreams,
    projections: RunProjectionStores,
    options: AppendPlannerOptions,
  ) {
    this.#streams = streams;
    this.#projections = projections;
    this.#context = options.context;
    this.#fold = options.fold;
    this.#snapshotEvery = options.snapshotEvery;
    this.#cacheLimit = options.cachedRuns;
  }

  /** Snapshots a commit of `events` events may write (see `snapshotBudget`). */
  snapshotBudget(events: number): { snapshots: number } {
    return { snapshots: snapshotBudget(events, this.#snapshotEvery) };
  }

  /** Called once `item` is settled: a later append of its run no longer builds on it. */
  settled(item: PendingAppend): void {
    const cached = this.#cache.get(item.runId);
    if (cached?.pending === item) cached.pending = undefined;
  }

  /** Drops every run state (after a failed transaction). */
  clear(): void {
    this.#cache.clear();
  }

  /** The cached state of a run if it is exactly what is written (not ahead of it). */
  writtenState(runId: string): PipelineRun | undefined {
    const cached = this.#cache.get(runId);
    return cached && cached.state.version === cached.written ? cached.state : undefined;
  }

  /** Drops the run's state: the next append of it is decided from what is written. */
  forget(runId: string): void {
    this.#cache.delete(runId);
  }

  /**
   * Decides an append as soon as it arrives, outside any transaction, when
   * the run's state at the expected version is in memory (or the append
   * creates a new run): this work then overlaps the commit of the batch
   * before. Returns undefined when it cannot (the transaction decides then).
   */
  prepare(item: PendingAppend): PreparedAppend | undefined {
    const { runId, events, options } = item;
    if (events.length === 0) return undefined;
    const cached = this.#cache.get(runId);
    let exists: boolean;
    let basis: PendingAppend | undefined;
    let state: PipelineRun;
    if (!cached) {
      if (options.expectedVersion !== 0 || events[0].type !== "run_created") {
        return undefined;
      }
      exists = false;
      state = this.#fold.initialState(runId);
    } else {
      state = cached.state;
      if (state.version !== options.expectedVersion || state.version === 0) return undefined;
      if (cached.written === state.version) basis = undefined;
      else if (cached.pending?.prepared?.state === state) basis = cached.pending;
      else return undefined;
      exists = true;
    }
    try {
      const before = exists ? indexKeysOf(state) : undefined;
      const stamped = stampEvents(runId, events, {
        ...options,
        head: options.expectedVersion,
        exists,
        context: this.#context,
        validate: false,
      });
      const writes = this.#foldAndEncode(state, stamped, before);
      this.#remember(runId, state, cached?.written ?? 0).pending = item;
      return { exists, basis, state, stamped, writes };
    } catch {
      // The state may be half-folded: drop it; the transaction decides this append again.
      this.forget(runId);
      return undefined;
    }
  }

  /**
   * Decides one append inside the running transaction and returns its rows,
   * already encoded, without writing any: it throws when the append must fail.
   * Uses the append's prepared rows when they still hold.
   */
  decide(
    item: PendingAppend,
    budget: { snapshots: number },
  ): { result: AppendResult; writes: EncodedWrite[] } {
    const { runId, events, options } = item;
    const stored = this.#streams.head(runId);
    const head = stored ? stored.head : initialHead(events);
    checkExpectedVersion(runId, head, options);
    if (events.length === 0) {
      return {
        result: { runId, firstSequence: head + 1, lastSequence: head, events: [] },
        writes: [],
      };
    }
    const prepared = item.prepared;
    let stamped: EventEnvelope[];
    let state: PipelineRun;
    let writes: EncodedWrite[];
    let parent = stored?.parent;
    const basis = prepared?.basis;
    if (
      prepared && prepared.exists === (stored !== undefined) &&
      (basis === undefined || (basis.usedPrepared === true && basis.error === undefined))
    ) {
      ({ stamped, state, writes } = prepared);
      item.usedPrepared = true;
    } else {
      // Decided afresh: a state folded ahead for this run no longer describes what is written.
      if (prepared) this.forget(runId);
      ({ stamped, state, writes, parent } = this.#decideAfresh(item, stored, head));
    }
    const last = stamped[stamped.length - 1].sequence;
    // A snapshot is due `every` events after the previous one; at most a few per commit, so
    // that many runs crossing a multiple together spread their snapshots over several commits.
    const every = this.#snapshotEvery;
    let snapshot = stored?.snapshot;
    if (every > 0) {
      // Heads written before `snapshot` existed: snapshots sat at multiples of `every`.
      snapshot ??= Math.floor(head / every) * every;
      // Only the state the cache holds, at this append's last event: it may have moved on,
      // folded ahead for a later pending append, or been dropped half-folded.
      const current = this.#cache.get(runId)?.state === state && state.version === last;
      if (last - snapshot >= every && budget.snapshots > 0 && current) {
        budget.snapshots--;
        writes.push(encodedWrite(this.#streams.snapshots, [runId, last], snapshotRow(state)));
        snapshot = last;
      }
    }
    const headRow: StreamHead = { head: last, parent, base: stored?.base };
    if (snapshot !== undefined) headRow.snapshot = snapshot;
    writes.push(encodedWrite(this.#streams.heads, runId, headRow));
    const cached = this.#cache.get(runId);
    if (cached?.state === state) cached.written = last;
    const result = {
      runId,
      firstSequence: stamped[0].sequence,
      lastSequence: last,
      events: stamped,
    };
    return { result, writes };
  }

  /** Stamps, folds and encodes an append against what is written (no prepared rows). */
  #decideAfresh(
    item: PendingAppend,
    stored: StreamHead | undefined,
    head: number,
  ): {
    stamped: EventEnvelope[];
    state: PipelineRun;
    writes: EncodedWrite[];
    parent: StreamHead["parent"];
  } {
    const { runId, events, options } = item;
    const stamped = stampEvents(runId, events, {
      ...options,
      head,
      exists: stored !== undefined,
      context: this.#context,
      validate: false,
    });
    let parent = stored?.parent;
    let state: PipelineRun;
    let before: Key[] | undefined;
    if (stored) {
      // The cached state itself when it is the written one (dropped if folding throws).
      const written = this.writtenState(runId);
      state = written?.version === head ? written : this.#streams.stateAt(runId, head);
      before = indexKeysOf(state);
    } else if (stamped[0].type === "run_branched") {
      const branch = stamped[0].data;
      const parentHead = this.#streams.head(branch.parentRunId);
      if (!parentHead) {
        throw new NotFoundError(
          `Cannot branch run "${runId}" from "${branch.parentRunId}": no such run`,
        );
      }
      if (branch.branchPoint.sequence > parentHead.head) {
        throw new ValidationError(
          `Cannot branch run "${runId}" at sequence ${branch.branchPoint.sequence}: run "${branch.parentRunId}" ends at ${parentHead.head}`,
        );
      }
      parent = { runId: branch.parentRunId, sequence: branch.branchPoint.sequence };
      state = this.#streams.stateAt(parent.runId, parent.sequence);
    } else {
      state = this.#fold.initialState(runId);
    }
    const writes = this.#foldAndEncode(state, stamped, before);
    this.#remember(runId, state, head);
    return { stamped, state, writes, parent };
  }

  /**
   * Folds `stamped` into `state` (in place) and returns the encoded rows of
   * the events and of the projections they change; `before` as for
   * `projectionWrites`.
   */
  #foldAndEncode(
    state: PipelineRun,
    stamped: EventEnvelope[],
    before: Key[] | undefined,
  ): EncodedWrite[] {
    const writes: EncodedWrite[] = [];
    for (const event of stamped) {
      this.#fold.evolve(state, event);
      writes.push(
        encodedWrite(this.#streams.events, [event.runId, event.sequence], eventRow(event)),
      );
    }
    for (const write of projectionWrites(this.#projections, state, stamped, before)) {
      writes.push(encodedWrite(write.store, write.key, write.value));
    }
    return writes;
  }

  #remember(runId: string, state: PipelineRun, written: number): CachedRun {
    const entry: CachedRun = { state, written };
    this.#cache.delete(runId);
    this.#cache.set(runId, entry);
    if (this.#cache.size > this.#cacheLimit) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    return entry;
  }
}
