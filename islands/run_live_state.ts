/**
 * What the run view knows about a run, as signals: the run (from the page,
 * then from the WebSocket's hello, acks and re-reads), whether the server is
 * generating, the connection's state, the text streaming into each
 * candidate, the event history for the timeline, and notices. Frames from
 * the socket are applied here; chunks are batched per animation frame so a
 * fast stream re-renders at most once per frame. Runs only ever move forward:
 * an older copy (a slow re-read) never replaces a newer one.
 */
import { batch, computed, signal } from "@preact/signals";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import type { ChunkFrame, ChunkResetFrame } from "../protocol/mod.ts";
import type { RunSocketState } from "../client/mod.ts";
import { type StreamedCandidate, streamKey } from "./candidate_columns.ts";

/** Most notices kept. */
const MAX_NOTICES = 5;

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
  #pending = new Map<string, StreamedCandidate>();
  #resets = new Set<string>();
  #flushScheduled = false;
  readonly #schedule: (flush: () => void) => void;

  constructor(
    run: PipelineRun,
    options: { driving?: boolean; schedule?: (flush: () => void) => void } = {},
  ) {
    this.run = signal(run);
    this.driving = signal(options.driving ?? false);
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

  /** Takes a run state unless it is older than the one shown. Returns whether it was taken. */
  acceptRun(run: PipelineRun): boolean {
    if (run.runId !== this.run.value.runId || run.version < this.run.value.version) return false;
    batch(() => {
      this.run.value = run;
      this.#prune(run);
    });
    return true;
  }

  /** Adds events (from the history request or the socket), keeping sequence order without duplicates. */
  addEvents(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    const bySequence = new Map(this.events.value.map((event) => [event.sequence, event]));
    for (const event of events) bySequence.set(event.sequence, event);
    this.events.value = [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
  }

  /** Appends a streamed chunk (applied on the next frame). */
  chunk(frame: ChunkFrame): void {
    const key = streamKey(frame);
    const pending = this.#pending.get(key);
    if (pending) pending.text += frame.text;
    else {
      this.#pending.set(key, {
        stepId: frame.stepId,
        generation: frame.generation,
        model: frame.model,
        candidateIndex: frame.candidateIndex,
        text: frame.text,
      });
    }
    this.#scheduleFlush();
  }

  /** Discards a candidate's streamed text (its stream restarted). */
  chunkReset(frame: ChunkResetFrame): void {
    const key = streamKey(frame);
    this.#pending.delete(key);
    this.#resets.add(key);
    this.#scheduleFlush();
  }

  /** Records a notice for the writer. */
  notice(message: string): void {
    this.notices.value = [...this.notices.value, message].slice(-MAX_NOTICES);
  }

  /** Applies buffered chunks now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.size === 0 && this.#resets.size === 0) return;
    const streams = new Map(this.streams.value);
    for (const key of this.#resets) streams.delete(key);
    for (const [key, part] of this.#pending) {
      const existing = streams.get(key);
      streams.set(key, existing ? { ...existing, text: existing.text + part.text } : part);
    }
    this.#pending = new Map();
    this.#resets = new Set();
    this.streams.value = streams;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#schedule(() => this.flush());
  }

  /** Drops streamed text that a recorded response or a newer generation has replaced. */
  #prune(run: PipelineRun): void {
    const streams = this.streams.value;
    if (streams.size === 0) return;
    let changed = false;
    const kept = new Map<string, StreamedCandidate>();
    for (const [key, stream] of streams) {
      const step = run.steps[stream.stepId];
      const finished = step !== undefined && step.status !== "running" &&
        step.status !== "pending" && stream.generation === step.generation;
      const replaced = !step || stream.generation < step.generation || finished;
      if (replaced) changed = true;
      else kept.set(key, stream);
    }
    if (changed) this.streams.value = kept;
  }
}
