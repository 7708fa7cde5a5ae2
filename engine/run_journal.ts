/**
 * The write path of one run inside this process: it keeps the run's current
 * state, serializes appends (so concurrent steps of one run never race each
 * other), decides commands against the state, appends with the expected
 * version, folds what was stored back into the state, and on a conflict
 * (another process appended first) reloads and decides again. A command the
 * fresh state forbids surfaces as InvalidCommandError.
 *
 * Group commit: executes without their own metadata or `decidedOn` (the
 * engine's own facts, such as candidates finishing together) that queue up
 * while an append is under way are decided one after another, each against
 * the state the ones before it lead to, and stored in one append, so one
 * durable commit holds them all. Each still resolves with its own events, and
 * one that fails to decide rejects alone.
 *
 * @example
 * ```ts
 * const journal = await RunJournal.open(store, "run-1", { context });
 * await journal.execute(() => [{ type: "startRun" }]);
 * ```
 */
import type { EngineContext } from "./context.ts";
import { ConflictError } from "./errors.ts";
import { assertNotStale, type DecidedOn } from "./stale_action.ts";
import type { EventEnvelope, EventMetadata, NewEvent } from "./events/event_envelope.ts";
import type { EventStore } from "./events/event_store.ts";
import { RUN_EVENT_VERSIONS } from "./events/run_events.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide } from "./run_decider.ts";
import { cloneState, evolveInPlace } from "./run_evolve.ts";
import type { PipelineRun } from "./run_model.ts";

/** How many times a command is re-decided after conflicts before giving up. */
const MAX_CONFLICT_RETRIES = 8;

/** Options of a journal. */
export interface RunJournalOptions {
  context: EngineContext;
  /** Metadata for every append (actor, correlation). */
  metadata?: Partial<EventMetadata>;
  /** Called with the events of every successful append, in order. */
  onEvents?: (events: EventEnvelope[]) => void;
}

/**
 * Builds the commands to run against the current state; returning nothing
 * (or []) means "nothing to do any more" (the state moved on).
 */
export type CommandBuilder = (state: PipelineRun) => RunCommand[] | undefined;

/** Serialized, conflict-aware appends to one run. */
export class RunJournal {
  readonly runId: string;
  #store: EventStore;
  #state: PipelineRun;
  #options: RunJournalOptions;
  #tail: Promise<unknown> = Promise.resolve();
  #listeners = new Set<(events: EventEnvelope[]) => void>();
  /** The group of batchable executes queued last, still taking members (see `execute`). */
  #open?: PendingExecute[];

  constructor(store: EventStore, state: PipelineRun, options: RunJournalOptions) {
    this.runId = state.runId;
    this.#store = store;
    this.#state = state;
    this.#options = options;
  }

  /** Loads the run and opens a journal on it (NotFoundError when it does not exist). */
  static async open(
    store: EventStore,
    runId: string,
    options: RunJournalOptions,
  ): Promise<RunJournal> {
    return new RunJournal(store, await store.loadRun(runId), options);
  }

  /** The current state (owned by the journal: read it, do not change it). */
  get state(): PipelineRun {
    return this.#state;
  }

  /** Adds a listener for appended events; returns the function that removes it. */
  listen(listener: (events: EventEnvelope[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reloads the state from the store (after another process may have written). */
  refresh(): Promise<PipelineRun> {
    return this.#enqueue(async () => {
      this.#state = await this.#store.loadRun(this.runId);
      return this.#state;
    });
  }

  /**
   * Decides the commands `build` returns against the current state and
   * appends the resulting events in one append. Returns the stored events
   * ([] when there was nothing to do).
   */
  execute(
    build: CommandBuilder,
    options: { metadata?: Partial<EventMetadata>; decidedOn?: DecidedOn } = {},
  ): Promise<EventEnvelope[]> {
    if (options.metadata || options.decidedOn) {
      this.#open = undefined; // later executes must not be decided before this one
      return this.#enqueue(() => this.#executeNow(build, options.metadata, options.decidedOn));
    }
    return new Promise((resolve, reject) => {
      const member: PendingExecute = { build, resolve, reject };
      if (this.#open) {
        this.#open.push(member);
        return;
      }
      const group = [member];
      this.#open = group;
      this.#enqueue(() => {
        if (this.#open === group) this.#open = undefined;
        return this.#executeGroup(group);
      }).catch(() => undefined);
    });
  }

  /** Runs a group of batchable executes: alone as before, or decided in turn and appended at once. */
  async #executeGroup(group: PendingExecute[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      await this.#executeNow(only.build).then(only.resolve, only.reject);
      return;
    }
    let members = group;
    for (let attempt = 0;; attempt++) {
      const decided: { member: PendingExecute; count: number }[] = [];
      const events: NewEvent[] = [];
      let scratch = this.#state;
      for (const [index, member] of members.entries()) {
        let mine: NewEvent[];
        try {
          const commands = member.build(scratch) ?? [];
          mine = commands.length === 0 ? [] : decideAll(commands, scratch, this.#options.context);
        } catch (error) {
          member.reject(error);
          continue;
        }
        decided.push({ member, count: mine.length });
        if (mine.length === 0) continue;
        events.push(...mine);
        if (index < members.length - 1) {
          if (scratch === this.#state) scratch = cloneState(this.#state);
          evolveScratch(scratch, mine, this.#options.context);
        }
      }
      if (events.length === 0) {
        for (const { member } of decided) member.resolve([]);
        return;
      }
      try {
        const result = await this.#store.append(this.runId, events, {
          expectedVersion: this.#state.version,
          metadata: this.#options.metadata,
        });
        for (const event of result.events) evolveInPlace(this.#state, event);
        this.#options.onEvents?.(result.events);
        for (const listener of this.#listeners) listener(result.events);
        let offset = 0;
        for (const { member, count } of decided) {
          member.resolve(result.events.slice(offset, offset + count));
          offset += count;
        }
        return;
      } catch (error) {
        const stale = error instanceof ConflictError && error.code === "stale_version";
        if (!stale || attempt >= MAX_CONFLICT_RETRIES) {
          for (const { member } of decided) member.reject(error);
          return;
        }
        members = decided.map(({ member }) => member);
        try {
          this.#state = await this.#store.loadRun(this.runId);
        } catch (reloadError) {
          for (const member of members) member.reject(reloadError);
          return;
        }
      }
    }
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #executeNow(
    build: CommandBuilder,
    metadata?: Partial<EventMetadata>,
    decidedOn?: DecidedOn,
  ): Promise<EventEnvelope[]> {
    for (let attempt = 0;; attempt++) {
      await assertNotStale(
        (fromSequence) => this.#store.read(this.runId, { fromSequence }),
        this.#state,
        decidedOn,
      );
      const commands = build(this.#state) ?? [];
      if (commands.length === 0) return [];
      const events = decideAll(commands, this.#state, this.#options.context);
      if (events.length === 0) return [];
      try {
        const result = await this.#store.append(this.runId, events, {
          expectedVersion: this.#state.version,
          metadata: metadata ? { ...this.#options.metadata, ...metadata } : this.#options.metadata,
        });
        for (const event of result.events) evolveInPlace(this.#state, event);
        this.#options.onEvents?.(result.events);
        for (const listener of this.#listeners) listener(result.events);
        return result.events;
      } catch (error) {
        const stale = error instanceof ConflictError && error.code === "stale_version";
        if (!stale || attempt >= MAX_CONFLICT_RETRIES) throw error;
        this.#state = await this.#store.loadRun(this.runId);
      }
    }
  }
}

/** An execute waiting in a group. */
interface PendingExecute {
  build: CommandBuilder;
  resolve(events: EventEnvelope[]): void;
  reject(error: unknown): void;
}

/** Folds decided (not yet stored) events into a scratch state, stamped with placeholders. */
function evolveScratch(scratch: PipelineRun, events: NewEvent[], context: EngineContext): void {
  for (const event of events) {
    evolveInPlace(scratch, {
      ...event,
      id: "",
      runId: scratch.runId,
      sequence: scratch.version + 1,
      schemaVersion: RUN_EVENT_VERSIONS[event.type],
      time: context.now().toISOString(),
      metadata: { correlationId: "" },
    } as EventEnvelope);
  }
}

/** Decides several commands in order, each against the state the previous ones lead to. */
export function decideAll(
  commands: RunCommand[],
  state: PipelineRun,
  context: EngineContext,
): NewEvent[] {
  if (commands.length === 1) return decide(commands[0], state);
  const scratch = cloneState(state);
  const all: NewEvent[] = [];
  for (const command of commands) {
    const events = decide(command, scratch);
    evolveScratch(scratch, events, context);
    all.push(...events);
  }
  return all;
}
