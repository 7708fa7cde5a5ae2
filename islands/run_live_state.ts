/**
 * What the run view knows about a run, as signals over the run session
 * (engine/run_session.ts, the model every front end shares): the run (from
 * the page, then from the WebSocket's hello, events, acks and re-reads),
 * whether the server is generating, the connection's state, the text
 * streaming into each candidate, the event history for the timeline, and
 * notices (what others decided, and the server's notices). Chunks are
 * batched per animation frame so a fast stream re-renders at most once per
 * frame. Runs only ever move forward: an older copy (a slow re-read) never
 * replaces a newer one.
 */
import { batch, computed, signal } from "@preact/signals";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import {
  applyUpdate,
  openSession,
  type RunSession,
  type SessionUpdate,
} from "../engine/run_session.ts";
import type { ChunkFrame, ChunkResetFrame } from "../protocol/mod.ts";
import type { RunSocketState } from "../client/mod.ts";
import type { StreamedCandidate } from "./candidate_columns.ts";

/** Live state of one run. */
export class RunLiveState {
  readonly run;
  readonly driving;
  readonly connection = signal<RunSocketState>("connecting");
  readonly streams = signal<ReadonlyMap<string, StreamedCandidate>>(new Map());
  readonly events = signal<readonly EventEnvelope[]>([]);
  readonly notices = signal<readonly string[]>([]);
  /** Highest sequence known (from the run or an event). */
  readonly lastSequence;
  #session: RunSession;
  #pending: SessionUpdate[] = [];
  #flushScheduled = false;
  readonly #schedule: (flush: () => void) => void;

  constructor(
    run: PipelineRun,
    options: {
      driving?: boolean;
      schedule?: (flush: () => void) => void;
      /** The actor this view acts as: its own decisions make no notices (default "dashboard"). */
      self?: string;
    } = {},
  ) {
    this.#session = openSession(run, {
      driving: options.driving ?? false,
      self: options.self ?? "dashboard",
    });
    this.run = signal(run);
    this.driving = signal(this.#session.driving);
    this.#schedule = options.schedule ??
      ((flush) =>
        typeof requestAnimationFrame === "function"
          ? requestAnimationFrame(() => flush())
          : setTimeout(flush, 16));
    this.lastSequence = computed(() => {
      const events = this.events.value;
      const last = events.length ? events[events.length - 1].sequence : 0;
      return Math.max(this.run.value.version, last);
    });
  }

  /** The session the signals show. */
  get session(): RunSession {
    return this.#session;
  }

  /** Takes a run state unless it is older than the one shown. Returns whether it was taken. */
  acceptRun(run: PipelineRun): boolean {
    this.#apply({ type: "run", run });
    return this.#session.run === run;
  }

  /** Whether something is generating for the run. */
  setDriving(driving: boolean): void {
    this.#apply({ type: "driving", driving });
  }

  /**
   * Adds events (from the history request or the socket), keeping sequence
   * order without duplicates; the next one in line is folded into the run.
   */
  addEvents(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    const bySequence = new Map(this.events.value.map((event) => [event.sequence, event]));
    for (const event of events) bySequence.set(event.sequence, event);
    const ordered = [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
    this.events.value = ordered;
    let session = this.#session;
    for (const event of ordered) {
      if (event.sequence > session.run.version) {
        session = applyUpdate(session, { type: "event", event });
      }
    }
    this.#publish(session);
  }

  /** Appends a streamed chunk (applied on the next frame). */
  chunk(frame: ChunkFrame): void {
    this.#pending.push({
      type: "chunk",
      stepId: frame.stepId,
      generation: frame.generation,
      model: frame.model,
      candidateIndex: frame.candidateIndex,
      text: frame.text,
    });
    this.#scheduleFlush();
  }

  /** Discards a candidate's streamed text (its stream restarted). */
  chunkReset(frame: ChunkResetFrame): void {
    this.#pending.push({
      type: "chunk_reset",
      stepId: frame.stepId,
      generation: frame.generation,
      model: frame.model,
      candidateIndex: frame.candidateIndex,
    });
    this.#scheduleFlush();
  }

  /** Records a notice for the writer. */
  notice(message: string): void {
    this.#apply({ type: "notice", message });
  }

  /** Applies buffered chunks now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    let session = this.#session;
    for (const update of this.#pending) session = applyUpdate(session, update);
    this.#pending = [];
    this.#publish(session);
  }

  #apply(update: SessionUpdate): void {
    this.#publish(applyUpdate(this.#session, update));
  }

  #publish(next: RunSession): void {
    if (next === this.#session) return;
    const before = this.#session;
    this.#session = next;
    batch(() => {
      if (next.run !== before.run) this.run.value = next.run;
      if (next.driving !== before.driving) this.driving.value = next.driving;
      if (next.streams !== before.streams) this.streams.value = next.streams;
      if (next.notices !== before.notices) this.notices.value = next.notices;
    });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#schedule(() => this.flush());
  }
}
