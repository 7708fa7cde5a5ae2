/**
 * The EventStore on LMDB, inside a workspace's environment
 * (storage/lmdb/workspace_database.ts), next to other users of it such as the LLM
 * cache. Streams, heads and snapshots live in storage/lmdb/lmdb_run_streams.ts,
 * projections in storage/lmdb/run_projections.ts; this file adds `run_log` (one
 * entry per commit naming what it appended, which other processes poll to
 * feed their subscribers), the write queue and subscriptions.
 *
 * Writes: every `append` joins a queue; one LMDB transaction drains the
 * queue, checks each append's expected version against the stream head read
 * inside that transaction (LMDB serialises writers, also across processes),
 * writes events, head, snapshot and projections, and commits once for all
 * of them (group commit). An append is acknowledged after its own commit is
 * flushed to disk (`durability: "flushed"`, the default).
 *
 * Pipelining (deciding is storage/lmdb/lmdb_append_planner.ts): when a run's
 * state at the expected version is in memory, an append is decided as it
 * arrives — stamped, folded and its rows encoded —
 * while earlier batches commit; its transaction only checks the head and
 * writes the bytes (or decides afresh when the check fails). Every append
 * is fully decided before its first write, so a failing append writes
 * nothing without a child transaction. With many appends waiting and no
 * commit under way, the queue is split into two batches, so that one
 * batch's commit and fsync overlap the other's work. Snapshots are capped
 * per commit, so runs that cross a multiple together spread them out.
 *
 * @example
 * ```ts
 * const store = openLmdbEventStore("/tmp/ws/data", { fold: runFold });
 * await store.append("r1", events, { expectedVersion: 0 });
 * await store.close();
 * ```
 */
import type { Database } from "lmdb";
import { type EngineContext, systemContext } from "../../engine/context.ts";
import { ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope, NewEvent } from "../../engine/events/event_envelope.ts";
import { checkExpectedVersion } from "../../engine/events/event_stamping.ts";
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  LoadRunOptions,
  ReadOptions,
  RunFilter,
  RunSummary,
  SubscribeOptions,
} from "../../engine/events/event_store.ts";
import { type StoredEvent, upcastEvent } from "../../engine/events/event_upcasters.ts";
import { parseEventData } from "../../engine/events/run_events.ts";
import { SubscriptionHub } from "../../engine/events/subscription_hub.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import { runFold } from "../../engine/run_evolve.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import { LmdbRunStreams, RUN_STORE_OPTIONS, type StreamHead } from "./lmdb_run_streams.ts";
import {
  childRuns,
  openRunProjections,
  removeProjections,
  type RunProjectionStores,
  summariesNewestFirst,
  writeProjections,
} from "./run_projections.ts";
import { openWorkspaceDatabase, type WorkspaceDatabase } from "./workspace_database.ts";
import { AppendPlanner, type PendingAppend } from "./lmdb_append_planner.ts";

export type { StreamHead };

/** Split a batch in two when this many appends wait and no other commit is under way. */
const SPLIT_AT = 16;

/** Options of the LMDB store. */
export interface LmdbEventStoreOptions {
  /** How events fold into run state: the engine's `runFold` (the store never folds on its own). */
  fold?: RunFold;
  /** Clock and ids for envelopes (default the system ones). */
  context?: EngineContext;
  /** Snapshot every this many events of a stream (default 100; 0 turns snapshots off). */
  snapshotEvery?: number;
  /** How often to look for other processes' appends while someone subscribes (default 50 ms). */
  pollIntervalMs?: number;
  /** "flushed" (default): acknowledge after the commit reached the disk; "committed": once visible. */
  durability?: "flushed" | "committed";
  /** Validate each event's data with zod before writing (default true). */
  validate?: boolean;
  /** Most run states kept in memory to avoid re-folding on append (default 1000). */
  cachedRuns?: number;
}

/** Counters for benchmarks and diagnostics. */
export interface LmdbEventStoreStats {
  appends: number;
  events: number;
  /** Write transactions (each one commit): appends / commits is the group-commit factor. */
  commits: number;
  /** Time spent inside write transactions (JS side, holding LMDB's write lock), in milliseconds. */
  writeMs: number;
}

/** Opens a workspace environment in `directory` and an event store owning it. */
export function openLmdbEventStore(
  directory: string,
  options: LmdbEventStoreOptions = {},
): LmdbEventStore {
  return new LmdbEventStore(openWorkspaceDatabase(directory), { ...options, ownsDatabase: true });
}

/** EventStore on LMDB. */
export class LmdbEventStore implements EventStore {
  readonly database: WorkspaceDatabase;
  readonly projections: RunProjectionStores;
  readonly streams: LmdbRunStreams;
  #log: Database<[string, number, number][], number>;
  #context: EngineContext;
  #planner: AppendPlanner;
  #pollIntervalMs: number;
  #durability: "flushed" | "committed";
  #validate: boolean;
  #ownsDatabase: boolean;
  /** Batches created and not yet settled. */
  #inFlight = 0;
  #queue: PendingAppend[] = [];
  #scheduled = false;
  #lastBatch: Promise<unknown> = Promise.resolve();
  #hub = new SubscriptionHub();
  #poller?: ReturnType<typeof setInterval>;
  #logSeen = 0;
  /** The change-log position of this process's last commit (0 before the first). */
  #logPosition = 0;
  /** Last sequence this process published per run, so the poller skips its own appends. */
  #published = new Map<string, number>();
  #closed = false;
  #stats: LmdbEventStoreStats = { appends: 0, events: 0, commits: 0, writeMs: 0 };

  constructor(
    database: WorkspaceDatabase,
    options: LmdbEventStoreOptions & { ownsDatabase?: boolean } = {},
  ) {
    this.database = database;
    this.streams = new LmdbRunStreams(database, {
      fold: options.fold ?? runFold,
      cached: (runId) => this.#planner.writtenState(runId),
    });
    this.#log = database.openStore<[string, number, number][], number>("run_log", {
      ...RUN_STORE_OPTIONS,
      keyEncoding: "uint32",
    });
    this.projections = openRunProjections(database);
    this.#context = options.context ?? systemContext();
    this.#planner = new AppendPlanner(this.streams, this.projections, {
      context: this.#context,
      fold: this.streams.fold,
      snapshotEvery: options.snapshotEvery ?? 100,
      cachedRuns: options.cachedRuns ?? 1000,
    });
    this.#pollIntervalMs = Math.min(options.pollIntervalMs ?? 50, 100);
    this.#durability = options.durability ?? "flushed";
    this.#validate = options.validate ?? true;
    this.#ownsDatabase = options.ownsDatabase ?? false;
  }

  /** Appends, commits and transactions so far. */
  stats(): LmdbEventStoreStats {
    return { ...this.#stats };
  }

  append(runId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    if (this.#closed) return Promise.reject(new TypeError("The event store is closed"));
    try {
      if (this.#validate) {
        events = events.map((event) =>
          ({ ...event, data: parseEventData(event.type, event.data) }) as NewEvent
        );
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const item: PendingAppend = { runId, events, options, resolve, reject };
      item.prepared = this.#planner.prepare(item);
      this.#queue.push(item);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const items: PendingAppend[] = [];
    const batch = this.database.transaction(() => {
      this.#scheduled = false;
      // Alone in the pipeline with many appends waiting: commit them as two batches, so that
      // while one commits and syncs, the appends of the other are decided and queued again.
      let take = this.#queue.length;
      if (this.#inFlight === 1 && take >= SPLIT_AT) take = Math.ceil(take / 2);
      items.push(...this.#queue.splice(0, take));
      if (this.#queue.length > 0) queueMicrotask(() => this.#schedule());
      this.#stats.commits++;
      const began = performance.now();
      const written: [string, number, number][] = [];
      let events = 0;
      for (const item of items) events += item.events.length;
      const budget = this.#planner.snapshotBudget(events);
      for (const item of items) {
        try {
          // Everything that can fail (version check, stamping, folding, encoding, key sizes)
          // happens before an append's first write, so a failing append writes nothing while
          // the other appends of the batch still commit, without a child transaction each.
          const { result, writes } = this.#planner.decide(item, budget);
          for (const write of writes) {
            if (write.value === undefined) write.store.removeSync(write.key);
            else write.store.putSync(write.key, write.value);
          }
          item.result = result;
          const { events } = result;
          if (events.length > 0) {
            written.push([item.runId, events[0].sequence, events[events.length - 1].sequence]);
          }
        } catch (error) {
          this.#planner.forget(item.runId);
          item.error = error;
        }
      }
      // One change-log entry per commit tells other processes' pollers what to read.
      if (written.length > 0) {
        this.#logPosition = this.#nextLogPosition();
        this.#log.putSync(this.#logPosition, written);
      }
      this.#stats.writeMs += performance.now() - began;
    });
    // This batch's own flush (not a later batch's): captured now, while it is the newest.
    const flushed = this.#durability === "flushed"
      ? new Promise<unknown>((resolve, reject) => this.database.root.flushed.then(resolve, reject))
      : undefined;
    this.#inFlight++;
    this.#lastBatch = batch.then(async () => {
      if (flushed) await flushed;
      this.#inFlight--;
      for (const item of items) {
        this.#planner.settled(item);
        if (item.error !== undefined) {
          item.reject(item.error);
          continue;
        }
        this.#stats.appends++;
        this.#stats.events += item.result!.events.length;
        const events = item.result!.events;
        for (const event of events) this.#hub.publish(event);
        if (events.length > 0) this.#published.set(item.runId, events[events.length - 1].sequence);
        item.resolve(item.result!);
      }
    }, (error) => {
      // The transaction failed as a whole (disk full, environment closed): nothing was written.
      this.#inFlight--;
      this.#planner.clear();
      if (this.#scheduled && items.length === 0) {
        this.#scheduled = false;
        items.push(...this.#queue.splice(0));
      }
      for (const item of items) item.reject(error);
    });
  }

  /**
   * The change-log position for this commit (inside the write transaction).
   * Positions grow by one per commit and are never removed, so unless another
   * process took the one after ours, it is next; else look up the last one.
   */
  #nextLogPosition(): number {
    const guess = this.#logPosition + 1;
    if (this.#logPosition > 0 && !this.#log.doesExist(guess)) return guess;
    return this.#lastLogPosition() + 1;
  }

  #lastLogPosition(): number {
    for (const key of this.#log.getKeys({ reverse: true, limit: 1 })) return key as number;
    return 0;
  }

  /** Waits until every append queued so far is settled (batches split off later included). */
  async #settled(): Promise<void> {
    for (;;) {
      const last = this.#lastBatch;
      await last;
      if (last === this.#lastBatch && this.#queue.length === 0 && !this.#scheduled) return;
      // A batch was split off meanwhile: let its transaction start before checking again.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** The head record of a run, or undefined. */
  head(runId: string): StreamHead | undefined {
    return this.streams.head(runId);
  }

  read(runId: string, options: ReadOptions = {}): Promise<EventEnvelope[]> {
    try {
      return Promise.resolve(
        this.streams.read(runId, options.fromSequence, options.toSequence),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  loadRun(runId: string, options: LoadRunOptions = {}): Promise<PipelineRun> {
    try {
      const head = this.streams.requireHead(runId);
      return Promise.resolve(this.streams.stateAt(runId, options.atSequence ?? head.head));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  subscribe(
    runId: string,
    listener: (event: EventEnvelope) => void,
    options: SubscribeOptions = {},
  ): () => void {
    if (this.#hub.size === 0) this.#logSeen = this.#lastLogPosition();
    const from = options.fromSequence;
    const replay = from !== undefined && runId !== "*"
      ? () => this.read(runId, { fromSequence: from }).catch(() => [])
      : undefined;
    const stop = this.#hub.subscribe(runId, listener, replay);
    this.#startPolling();
    return () => {
      stop();
      if (this.#hub.size === 0) this.#stopPolling();
    };
  }

  #startPolling(): void {
    if (this.#poller !== undefined || this.#closed) return;
    this.#poller = setInterval(() => this.#poll(), this.#pollIntervalMs);
  }

  #stopPolling(): void {
    if (this.#poller !== undefined) clearInterval(this.#poller);
    this.#poller = undefined;
  }

  /** Publishes events that reached the log since the last poll (other processes' appends included). */
  #poll(): void {
    if (this.#closed) return;
    const seen = this.#logSeen;
    for (const { key, value } of this.#log.getRange({ start: seen + 1 })) {
      this.#logSeen = key as number;
      for (const [runId, first, last] of value) {
        if ((this.#published.get(runId) ?? 0) >= last) continue;
        try {
          for (const event of this.streams.readOwn(runId, first, last)) this.#hub.publish(event);
        } catch {
          // A run pruned meanwhile: nothing to deliver.
        }
      }
    }
  }

  listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const rows: RunSummary[] = [];
    const limit = filter.limit ?? 100;
    for (const summary of summariesNewestFirst(this.projections, filter.pipelineId)) {
      if (filter.status !== undefined && summary.status !== filter.status) continue;
      rows.push(summary);
      if (rows.length >= limit) break;
    }
    return Promise.resolve(rows);
  }

  branches(runId: string): Promise<string[]> {
    try {
      this.streams.requireHead(runId);
      return Promise.resolve(childRuns(this.projections, runId));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Writes already-stamped events verbatim (keeping their schema versions)
   * as a new run; they are upcast when read. For imports and tests of older logs.
   */
  async importEvents(runId: string, stored: StoredEvent[]): Promise<void> {
    await this.#settled();
    await this.database.transaction(() => {
      checkExpectedVersion(runId, this.streams.head(runId)?.head ?? 0, { expectedVersion: 0 });
      const events = stored.map(upcastEvent);
      if (events[0]?.type !== "run_created") {
        throw new ValidationError(`An imported run must start with "run_created"`);
      }
      const { fold } = this.streams;
      const state = fold.initialState(runId);
      for (const [index, event] of stored.entries()) {
        fold.evolve(state, events[index]);
        this.streams.putEvent({ ...event, runId });
      }
      this.streams.heads.putSync(runId, { head: state.version });
      writeProjections(this.projections, state, events, undefined);
    });
  }

  /**
   * Folds the first `upTo` events of a run into one `state_snapshot` event at
   * `upTo` and deletes the events and snapshots before it. Readers of the run
   * (and of branches that read through it at or after `upTo`) still fold to
   * the same states. Returns how many events were removed.
   */
  async compactRun(runId: string, upTo: number): Promise<number> {
    await this.#settled();
    return await this.database.transaction(() => {
      this.#planner.forget(runId);
      return this.streams.compact(runId, upTo, this.#context);
    });
  }

  /** Deletes a run that no branch reads through. Throws ValidationError when it has branches. */
  async deleteRun(runId: string): Promise<void> {
    await this.#settled();
    await this.database.transaction(() => {
      this.streams.requireHead(runId);
      const children = childRuns(this.projections, runId);
      if (children.length > 0) {
        throw new ValidationError(
          `Cannot delete run "${runId}": branches ${
            children.map((id) => `"${id}"`).join(", ")
          } read through it; delete them first`,
        );
      }
      const steps = this.projections.steps.getRange({ start: [runId], end: [runId, "\uffff"] });
      for (const { value } of steps) {
        for (const responseId of value.responseIds) {
          if (this.projections.responses.get(responseId)?.runId === runId) {
            this.projections.responses.removeSync(responseId);
          }
        }
      }
      removeProjections(this.projections, runId);
      this.streams.remove(runId);
      this.#planner.forget(runId);
      this.#published.delete(runId);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPolling();
    this.#hub.clear();
    await this.#settled();
    await this.database.root.flushed;
    if (this.#ownsDatabase) await this.database.close();
  }
}
