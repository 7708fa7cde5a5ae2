/**
 * The update fan-out of one RunService: who hears what of a run. Subscribers
 * (`subscribe`) get every event the store appends, from any process, plus
 * this process's streamed chunks and notices; local listeners
 * (`listenLocally`, advance's and merge's `onUpdate`) get the events appended
 * in this process plus the same chunks. A listener that throws never stops
 * the run or the other listeners.
 *
 * @example
 * ```ts
 * const hub = new RunUpdateHub(store);
 * const stop = hub.subscribe("run-1", (update) => console.log(update.type));
 * hub.emit("run-1", { type: "notice", runId: "run-1", message: "Falling back to claude-sonnet-4" });
 * stop();
 * ```
 */
import type { EventEnvelope } from "./events/event_envelope.ts";
import type { EventStore } from "./events/event_store.ts";
import type { RunUpdate } from "./run_update.ts";

type Listener = (update: RunUpdate) => void;

/** Listeners of runs' updates, by run. */
export class RunUpdateHub {
  readonly #store: EventStore;
  /** Listeners of chunks and notices (subscribe) per run. */
  #chunkListeners = new Map<string, Set<Listener>>();
  /** Listeners of events appended here plus chunks (advance's onUpdate) per run. */
  #localListeners = new Map<string, Set<Listener>>();

  constructor(store: EventStore) {
    this.#store = store;
  }

  /** Listens to every stored event of `runId` and to this process's chunks of it. */
  subscribe(runId: string, listener: Listener): () => void {
    const stopEvents = this.#store.subscribe(
      runId,
      (event) => listener({ type: "event", runId, event }),
    );
    const stopChunks = addListener(this.#chunkListeners, runId, listener);
    return () => {
      stopEvents();
      stopChunks();
    };
  }

  /** Listens to this process's appends and chunks of `runId` (advance's and merge's onUpdate). */
  listenLocally(runId: string, listener: Listener): () => void {
    return addListener(this.#localListeners, runId, listener);
  }

  /** Delivers a chunk or notice of `runId` to every listener of it. */
  emit(runId: string, update: RunUpdate): void {
    for (const listener of this.#chunkListeners.get(runId) ?? []) safely(listener, update);
    for (const listener of this.#localListeners.get(runId) ?? []) safely(listener, update);
  }

  /** True when someone listens to `runId` (building chunk updates is worth it). */
  wants(runId: string): boolean {
    return this.#chunkListeners.has(runId) || this.#localListeners.has(runId);
  }

  /** Delivers events appended in this process to the local listeners of `runId`. */
  emitEvents(runId: string, events: EventEnvelope[]): void {
    const listeners = this.#localListeners.get(runId);
    if (!listeners) return;
    for (const event of events) {
      for (const listener of listeners) safely(listener, { type: "event", runId, event });
    }
  }
}

function addListener<T>(
  map: Map<string, Set<T>>,
  key: string,
  listener: T,
): () => void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(listener);
  return () => {
    const current = map.get(key);
    if (!current) return;
    current.delete(listener);
    if (current.size === 0) map.delete(key);
  };
}

function safely(listener: Listener, update: RunUpdate): void {
  try {
    listener(update);
  } catch {
    // A failing listener must not stop the run or other listeners.
  }
}
