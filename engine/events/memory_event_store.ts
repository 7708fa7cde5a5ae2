/**
 * An EventStore in memory: for tests, demos and the engine's own unit tests.
 * It follows the same rules as the LMDB store (expected versions, branches
 * reading through their parent, subscriptions, time travel) and passes the
 * same contract suite; nothing survives the process.
 *
 * @example
 * ```ts
 * const store = new MemoryEventStore({ context: fixedContext() });
 * ```
 */
import { type EngineContext, systemContext } from "../context.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { PipelineRun } from "../run_model.ts";
import { cloneState, evolveInPlace, foldEvents, initialState } from "../run_evolve.ts";
import type { EventEnvelope, NewEvent } from "./event_envelope.ts";
import {
  checkExpectedVersion,
  compactionSnapshot,
  initialHead,
  stampEvents,
} from "./event_stamping.ts";
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
} from "./event_store.ts";
import { SubscriptionHub } from "./subscription_hub.ts";
import { type StoredEvent, upcastEvent } from "./event_upcasters.ts";

interface Stream {
  events: EventEnvelope[];
  parent?: { runId: string; sequence: number };
  /** After compaction: sequences below this are folded into a `state_snapshot` event at it. */
  base?: number;
  children: string[];
  state: PipelineRun;
}

/** Options of a memory store. */
export interface MemoryEventStoreOptions {
  /** Clock and ids for envelopes (default the system ones). */
  context?: EngineContext;
}

/** EventStore kept in a Map. */
export class MemoryEventStore implements EventStore {
  #streams = new Map<string, Stream>();
  #hub = new SubscriptionHub();
  #context: EngineContext;
  #closed = false;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.#context = options.context ?? systemContext();
  }

  append(runId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    try {
      return Promise.resolve(this.#appendNow(runId, events, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #appendNow(runId: string, events: NewEvent[], options: AppendOptions): AppendResult {
    if (this.#closed) throw new TypeError("The event store is closed");
    const stream = this.#streams.get(runId);
    const head = stream ? stream.state.version : initialHead(events);
    checkExpectedVersion(runId, head, options);
    if (events.length === 0) {
      return { runId, firstSequence: head + 1, lastSequence: head, events: [] };
    }
    const stamped = stampEvents(runId, events, {
      ...options,
      head,
      exists: stream !== undefined,
      context: this.#context,
    });
    let target = stream;
    if (!target) {
      let state = initialState(runId);
      let parent: Stream["parent"];
      const first = stamped[0];
      if (first.type === "run_branched") {
        const parentStream = this.#streams.get(first.data.parentRunId);
        if (!parentStream) {
          throw new NotFoundError(
            `Cannot branch run "${runId}" from "${first.data.parentRunId}": no such run`,
          );
        }
        if (first.data.branchPoint.sequence > parentStream.state.version) {
          throw new ValidationError(
            `Cannot branch run "${runId}" at sequence ${first.data.branchPoint.sequence}: run "${first.data.parentRunId}" ends at ${parentStream.state.version}`,
          );
        }
        parent = { runId: first.data.parentRunId, sequence: first.data.branchPoint.sequence };
        state = this.#stateAt(parent.runId, parent.sequence);
        parentStream.children.push(runId);
      }
      target = { events: [], parent, children: [], state };
      this.#streams.set(runId, target);
    }
    for (const event of stamped) {
      target.events.push(event);
      evolveInPlace(target.state, event);
    }
    for (const event of stamped) this.#hub.publish(event);
    return {
      runId,
      firstSequence: stamped[0].sequence,
      lastSequence: stamped[stamped.length - 1].sequence,
      events: stamped,
    };
  }

  /**
   * Adds already-stamped events (such as an export or an older log) to a new
   * stream, upcasting each to the current schema. Throws ConflictError when
   * the run already has events.
   */
  importEvents(runId: string, stored: StoredEvent[]): Promise<void> {
    try {
      const events = stored.map(upcastEvent);
      const head = this.#streams.get(runId)?.state.version ?? 0;
      checkExpectedVersion(runId, head, { expectedVersion: 0 });
      if (events[0]?.type !== "run_created") {
        throw new ValidationError(`An imported run must start with "run_created"`);
      }
      const state = initialState(runId);
      for (const event of events) evolveInPlace(state, event);
      this.#streams.set(runId, { events, children: [], state });
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #require(runId: string): Stream {
    const stream = this.#streams.get(runId);
    if (!stream) {
      throw new NotFoundError(`Run "${runId}" was not found: list runs with "writeit runs list"`);
    }
    return stream;
  }

  #readAll(runId: string, upTo: number): EventEnvelope[] {
    const stream = this.#require(runId);
    const own = stream.events.filter((event) => event.sequence <= upTo);
    if (!stream.parent || stream.base !== undefined) return own;
    return [...this.#readAll(stream.parent.runId, Math.min(upTo, stream.parent.sequence)), ...own];
  }

  #stateAt(runId: string, sequence: number): PipelineRun {
    const stream = this.#require(runId);
    if (sequence >= stream.state.version) return cloneState(stream.state);
    if (stream.base !== undefined && sequence < stream.base) {
      throw new ValidationError(
        `Run "${runId}" was compacted: its history before sequence ${stream.base} is folded into one snapshot; load it at ${stream.base} or later`,
      );
    }
    return foldEvents(initialState(runId), this.#readAll(runId, sequence));
  }

  read(runId: string, options: ReadOptions = {}): Promise<EventEnvelope[]> {
    try {
      const from = options.fromSequence ?? 1;
      const events = this.#readAll(runId, options.toSequence ?? Number.MAX_SAFE_INTEGER);
      return Promise.resolve(events.filter((event) => event.sequence >= from));
    } catch (error) {
      return Promise.reject(error);
    }
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
    return this.#hub.subscribe(runId, listener, replay);
  }

  loadRun(runId: string, options: LoadRunOptions = {}): Promise<PipelineRun> {
    try {
      const stream = this.#require(runId);
      const at = options.atSequence ?? stream.state.version;
      if (at > stream.state.version || at < 1) {
        throw new ValidationError(
          `Run "${runId}" has sequences 1..${stream.state.version}: ${at} is out of range`,
        );
      }
      return Promise.resolve(this.#stateAt(runId, at));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  listRuns(filter: RunFilter = {}): Promise<RunSummary[]> {
    const rows = [...this.#streams.values()]
      .map((stream) => summarizeRun(stream.state))
      .filter((row) => filter.status === undefined || row.status === filter.status)
      .filter((row) => filter.pipelineId === undefined || row.pipelineId === filter.pipelineId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.runId.localeCompare(a.runId));
    return Promise.resolve(rows.slice(0, filter.limit ?? 100));
  }

  branches(runId: string): Promise<string[]> {
    try {
      return Promise.resolve([...this.#require(runId).children]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The run's head and the first sequence of its own stored events (after a
   * compaction or a branch point), or undefined when there is no such run.
   */
  streamBounds(runId: string): { head: number; start: number } | undefined {
    const stream = this.#streams.get(runId);
    if (!stream) return undefined;
    const start = stream.base ?? (stream.parent ? stream.parent.sequence + 1 : 1);
    return { head: stream.state.version, start };
  }

  /** Deletes a run that no branch reads through. Throws ValidationError when it has branches. */
  deleteRun(runId: string): Promise<void> {
    try {
      const stream = this.#require(runId);
      if (stream.children.length > 0) {
        throw new ValidationError(
          `Cannot delete run "${runId}": branches ${
            stream.children.map((id) => `"${id}"`).join(", ")
          } read through it; delete them first`,
        );
      }
      if (stream.parent) {
        const parent = this.#streams.get(stream.parent.runId);
        if (parent) parent.children = parent.children.filter((id) => id !== runId);
      }
      this.#streams.delete(runId);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Folds the run's own events up to `upTo` into one `state_snapshot` event
   * at `upTo`. Returns how many events were removed (0 when there is nothing
   * to compact).
   */
  compactRun(runId: string, upTo: number): Promise<number> {
    try {
      const stream = this.#require(runId);
      const start = stream.base ?? (stream.parent ? stream.parent.sequence + 1 : 1);
      if (upTo <= start || upTo > stream.state.version) return Promise.resolve(0);
      const state = this.#stateAt(runId, upTo);
      const last = stream.events.find((event) => event.sequence === upTo);
      const kept = stream.events.filter((event) => event.sequence > upTo);
      const removed = stream.events.length - kept.length;
      const snapshot = compactionSnapshot(runId, upTo, state, { last, context: this.#context });
      stream.events = [snapshot, ...kept];
      stream.base = upTo;
      return Promise.resolve(removed - 1);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#hub.clear();
    return Promise.resolve();
  }
}
