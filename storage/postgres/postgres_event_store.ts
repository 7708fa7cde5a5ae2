/**
 * The EventStore on PostgreSQL: one stream per run in `writeit_events`,
 * whose primary key (workspace, run, sequence) is the optimistic-concurrency
 * check — two instances can never both store sequence N of a run, and the
 * loser gets the same ConflictError ("stale_version") as with LMDB. Reads,
 * branches and time travel are storage/postgres/postgres_run_streams.ts;
 * live subscriptions across processes are postgres_event_feed.ts.
 *
 * Appends are group-committed (storage/postgres/postgres_append_batch.ts):
 * those that queue up while a transaction commits go into the next one
 * together. A transaction takes a transaction advisory lock of its
 * workspace (`pg_advisory_xact_lock`), reads the heads of the runs it
 * appends to, and decides each append in turn — expected version, stamping,
 * folding with the engine's fold (onto the run's state kept in memory when it
 * is current, else a snapshot plus tail) — then writes the events, each
 * run's head and listing row and, every `snapshotEvery` events, a snapshot,
 * and notifies `writeit_events` with its last position. An append that
 * fails its checks fails alone and writes nothing. An append is acknowledged
 * once its transaction committed (PostgreSQL's own durability settings
 * apply).
 *
 * Global positions (for subscriptions) come from one sequence, drawn after
 * the workspace lock is taken. Appends to one workspace therefore commit in
 * position order, so a reader that has seen position P has seen every
 * smaller position of that workspace: nothing is skipped because a
 * transaction with a smaller position committed later (the problem that
 * Marten and Emmett solve with a transaction-id high-water mark, which costs
 * a lag on every read; message-db takes a similar lock per category). The
 * price is that appends of one workspace are serialised across every
 * process sharing the database; appends to different workspaces are not.
 * The same lock orders imports, compactions and deletions with appends.
 *
 * @example
 * ```ts
 * const store = await PostgresEventStore.open(sql, { workspace: "default", fold: runFold });
 * await store.append("r1", events, { expectedVersion: 0 });
 * await store.close();
 * ```
 */
import { type EngineContext, systemContext } from "../../engine/context.ts";
import { ConflictError, ValidationError } from "../../engine/errors.ts";
import type { EventEnvelope, NewEvent } from "../../engine/events/event_envelope.ts";
import { checkExpectedVersion } from "../../engine/events/event_stamping.ts";
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type LoadRunOptions,
  type ReadOptions,
  type RunFilter,
  type RunSummary,
  type SubscribeOptions,
  summarizeRun,
} from "../../engine/events/event_store.ts";
import { type StoredEvent, upcastEvent } from "../../engine/events/event_upcasters.ts";
import { parseEventData } from "../../engine/events/run_events.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import { SubscriptionHub } from "../../engine/events/subscription_hub.ts";
import { runFold } from "../../engine/run_evolve.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import {
  databaseError,
  isPostgresError,
  type Sql,
  type Transaction,
  withDatabaseErrors,
} from "./postgres_connection.ts";
import {
  type BatchOutcome,
  insertEvents,
  lockAppends,
  type PendingAppend,
  writeBatch,
} from "./postgres_append_batch.ts";
import { PostgresEventFeed } from "./postgres_event_feed.ts";
import { PostgresRunStreams, type StreamHead } from "./postgres_run_streams.ts";

export type { StreamHead };

/** Most appends committed in one transaction. */
const MAX_BATCH = 256;

/** Options of the PostgreSQL store. */
export interface PostgresEventStoreOptions {
  /** The workspace whose runs this store holds (its row must exist). */
  workspace: string;
  /** How events fold into run state: the engine's `runFold` (the store never folds on its own). */
  fold?: RunFold;
  /** Clock and ids for envelopes (default the system ones). */
  context?: EngineContext;
  /** Snapshot every this many events of a stream (default 100; 0 turns snapshots off). */
  snapshotEvery?: number;
  /** How often subscribers read anyway, besides notifications (default 1000 ms). */
  pollIntervalMs?: number;
  /** Validate each event's data with zod before writing (default true). */
  validate?: boolean;
  /** Most run states kept in memory to avoid re-folding on append (default 1000). */
  cachedRuns?: number;
  /** The database URL, for error messages (its password is never shown). */
  url?: string;
}

/** Counters for benchmarks and diagnostics. */
export interface PostgresEventStoreStats {
  /** Appends that succeeded. */
  appends: number;
  events: number;
  /** Append transactions: appends / commits is the group-commit factor. */
  commits: number;
}

/** EventStore on PostgreSQL. */
export class PostgresEventStore implements EventStore {
  readonly workspace: string;
  readonly streams: PostgresRunStreams;
  readonly #sql: Sql;
  readonly #context: EngineContext;
  readonly #snapshotEvery: number;
  readonly #validate: boolean;
  readonly #cachedRuns: number;
  readonly #url: string;
  readonly #hub = new SubscriptionHub();
  readonly #feed: PostgresEventFeed;
  /** Run states at their head as this process last wrote them (most recent last). */
  readonly #states = new Map<string, PipelineRun>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #queue: PendingAppend[] = [];
  readonly #stats: PostgresEventStoreStats = { appends: 0, events: 0, commits: 0 };
  #draining?: Promise<void>;
  #closed = false;

  /** Opens the store of `options.workspace` and starts listening for other processes' appends. */
  static async open(sql: Sql, options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(sql, options);
    try {
      await store.#feed.start();
    } catch (error) {
      throw databaseError(store.#url, error);
    }
    return store;
  }

  private constructor(sql: Sql, options: PostgresEventStoreOptions) {
    this.#sql = sql;
    this.workspace = options.workspace;
    this.streams = new PostgresRunStreams(options.workspace, options.fold ?? runFold);
    this.#context = options.context ?? systemContext();
    this.#snapshotEvery = options.snapshotEvery ?? 100;
    this.#validate = options.validate ?? true;
    this.#cachedRuns = options.cachedRuns ?? 1000;
    this.#url = options.url ?? "postgres";
    this.#feed = new PostgresEventFeed(sql, {
      workspace: options.workspace,
      hub: this.#hub,
      pollIntervalMs: options.pollIntervalMs,
    });
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
    return this.#track(
      new Promise<AppendResult>((resolve, reject) => {
        this.#queue.push({ runId, events, options, resolve, reject });
        this.#drain();
      }),
    );
  }

  /** Commits queued appends, one batch (one transaction) at a time. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = (async () => {
      while (this.#queue.length > 0) {
        await this.#commit(this.#queue.splice(0, MAX_BATCH));
      }
    })().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#drain();
    });
  }

  /** Appends, events and commits so far. */
  stats(): PostgresEventStoreStats {
    return { ...this.#stats };
  }

  async #commit(items: PendingAppend[]): Promise<void> {
    this.#stats.commits++;
    let outcome: BatchOutcome;
    try {
      outcome = await this.#sql.begin((tx) =>
        writeBatch(tx, items, {
          workspace: this.workspace,
          streams: this.streams,
          context: this.#context,
          snapshotEvery: this.#snapshotEvery,
          cachedState: (runId, version) => this.#cachedState(runId, version),
        })
      ) as BatchOutcome;
    } catch (error) {
      // The transaction failed as a whole: nothing was written. When the database answered
      // (one append it could not store), commit the appends one by one so only that one fails.
      if (items.length > 1 && isPostgresError(error)) {
        for (const item of items) await this.#commit([item]);
        return;
      }
      for (const item of items) {
        this.#states.delete(item.runId);
        item.reject(this.#translate(item.runId, error));
      }
      return;
    }
    for (const state of outcome.states) this.#remember(state);
    this.#queue.unshift(...outcome.deferred);
    for (const { item, result, error } of outcome.settled) {
      if (error !== undefined) {
        item.reject(error);
        continue;
      }
      this.#stats.appends++;
      this.#stats.events += result!.events.length;
      item.resolve(result!);
    }
    if (outcome.position !== undefined) this.#feed.committed(outcome.position);
  }

  #translate(runId: string, error: unknown): Error {
    if (isPostgresError(error, "23505")) {
      return new ConflictError(
        `Run "${runId}" was appended to by another writer at the same time: reload the run and decide again`,
        { code: "stale_version", cause: error },
      );
    }
    return databaseError(this.#url, error);
  }

  #cachedState(runId: string, version: number): PipelineRun | undefined {
    const state = this.#states.get(runId);
    return state && state.version === version ? this.streams.fold.clone(state) : undefined;
  }

  #remember(state: PipelineRun): void {
    this.#states.delete(state.runId);
    this.#states.set(state.runId, state);
    if (this.#states.size > this.#cachedRuns) {
      this.#states.delete(this.#states.keys().next().value!);
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const settle = () => this.#inFlight.delete(promise);
    promise.then(settle, settle);
    return promise;
  }

  /** The head row of a run, or undefined. */
  head(runId: string): Promise<StreamHead | undefined> {
    return this.#query(() => this.streams.head(this.#sql, runId));
  }

  read(runId: string, options: ReadOptions = {}): Promise<EventEnvelope[]> {
    return this.#query(() =>
      this.streams.read(this.#sql, runId, options.fromSequence ?? 1, options.toSequence)
    );
  }

  loadRun(runId: string, options: LoadRunOptions = {}): Promise<PipelineRun> {
    return this.#query(async () => {
      const head = await this.streams.requireHead(this.#sql, runId);
      const at = options.atSequence ?? head.head;
      return this.#cachedState(runId, at) ?? await this.streams.stateAt(this.#sql, runId, at);
    });
  }

  subscribe(
    runId: string,
    listener: (event: EventEnvelope) => void,
    options: SubscribeOptions = {},
  ): () => void {
    const from = options.fromSequence;
    const replay = from !== undefined && runId !== "*"
      ? () => this.read(runId, { fromSequence: from }).catch(() => [])
      : undefined;
    const stop = this.#hub.subscribe(runId, listener, replay);
    this.#feed.subscribersChanged();
    return () => {
      stop();
      this.#feed.subscribersChanged();
    };
  }

  listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    return this.#query(async () => {
      const rows = await this.#sql<{ summary: RunSummary }[]>`
        select summary from writeit_runs
        where workspace = ${this.workspace}
          ${filter.status !== undefined ? this.#sql`and status = ${filter.status}` : this.#sql``}
          ${
        filter.pipelineId !== undefined
          ? this.#sql`and pipeline_id = ${filter.pipelineId}`
          : this.#sql``
      }
        order by created_at desc, run_id desc
        limit ${filter.limit ?? 100}`;
      return rows.map((row) => row.summary);
    });
  }

  /** Every run's listing row, in no particular order (for retention). */
  summaries(): Promise<RunSummary[]> {
    return this.#query(async () => {
      const rows = await this.#sql<{ summary: RunSummary }[]>`
        select summary from writeit_runs where workspace = ${this.workspace}`;
      return rows.map((row) => row.summary);
    });
  }

  /** Every run's head row, by run id (for retention). */
  heads(): Promise<Map<string, StreamHead>> {
    return this.#query(() => this.streams.heads(this.#sql));
  }

  branches(runId: string): Promise<string[]> {
    return this.#query(async () => {
      await this.streams.requireHead(this.#sql, runId);
      return await this.#children(this.#sql, runId);
    });
  }

  async #children(db: Sql | Transaction, runId: string): Promise<string[]> {
    const rows = await db<{ run_id: string }[]>`
      select run_id from writeit_runs
      where workspace = ${this.workspace} and parent_run_id = ${runId}
      order by run_id`;
    return rows.map((row) => row.run_id);
  }

  /**
   * Writes already-stamped events verbatim (keeping their schema versions)
   * as a new run; they are upcast when read. For imports and tests of older logs.
   */
  importEvents(runId: string, stored: StoredEvent[]): Promise<void> {
    return this.#track(
      this.#write(runId, async (tx) => {
        await lockAppends(tx, this.workspace);
        checkExpectedVersion(runId, (await this.streams.head(tx, runId))?.head ?? 0, {
          expectedVersion: 0,
        });
        const events = stored.map(upcastEvent);
        if (events[0]?.type !== "run_created") {
          throw new ValidationError(`An imported run must start with "run_created"`);
        }
        const state = this.streams.fold.initialState(runId);
        for (const event of events) this.streams.fold.evolve(state, event);
        const summary = summarizeRun(state);
        await tx`insert into writeit_runs (workspace, run_id, head, pipeline_id, status,
            created_at, summary)
          values (${this.workspace}, ${runId}, ${state.version}, ${summary.pipelineId},
            ${summary.status}, ${summary.createdAt}, ${JSON.stringify(summary)}::text::jsonb)`;
        const rows = stored.map((event) => ({ ...event, runId }));
        return await insertEvents(tx, this.workspace, rows);
      }).then((position) => this.#feed.committed(position)),
    );
  }

  /**
   * Folds the first `upTo` events of a run into one `state_snapshot` event at
   * `upTo` and deletes the events and snapshots before it. Returns how many
   * events were removed.
   */
  compactRun(runId: string, upTo: number): Promise<number> {
    return this.#track(this.#write(runId, async (tx) => {
      await lockAppends(tx, this.workspace);
      return await this.streams.compact(tx, runId, upTo, this.#context);
    }));
  }

  /** Deletes a run that no branch reads through. Throws ValidationError when it has branches. */
  deleteRun(runId: string): Promise<void> {
    return this.#track(this.#write(runId, async (tx) => {
      await lockAppends(tx, this.workspace);
      await this.streams.requireHead(tx, runId);
      const children = await this.#children(tx, runId);
      if (children.length > 0) {
        throw new ValidationError(
          `Cannot delete run "${runId}": branches ${
            children.map((id) => `"${id}"`).join(", ")
          } read through it; delete them first`,
        );
      }
      await tx`delete from writeit_runs where workspace = ${this.workspace} and run_id = ${runId}`;
    }));
  }

  async #write<T>(runId: string, body: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.#closed) throw new TypeError("The event store is closed");
    this.#states.delete(runId);
    try {
      return await this.#sql.begin(body) as T;
    } catch (error) {
      throw this.#translate(runId, error);
    } finally {
      this.#states.delete(runId);
    }
  }

  #query<T>(body: () => Promise<T>): Promise<T> {
    return withDatabaseErrors(this.#url, body);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    this.#hub.clear();
    await this.#feed.close();
  }
}
