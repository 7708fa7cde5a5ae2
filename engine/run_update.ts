/**
 * What a run's listeners receive: every stored event of the run, the streamed
 * text of each candidate (and its resets when a stream restarts), and notices
 * that are not events. The executor fans them out through
 * engine/run_update_hub.ts; the CLI, the run WebSocket and the dashboard
 * render them.
 */
import type { EventEnvelope } from "./events/event_envelope.ts";

/** A stored event of the run. */
export interface EventUpdate {
  type: "event";
  runId: string;
  event: EventEnvelope;
}

/** Streamed text of one candidate (batched by the streaming buffer size). */
export interface ChunkUpdate {
  type: "chunk";
  runId: string;
  stepId: string;
  generation: number;
  /** Candidate set label: the model name as the step lists it (`offline:gpt-4.1` under an offline override). */
  model: string;
  candidateIndex: number;
  text: string;
}

/** The candidate's text so far is void: it restarts (a retry or fallback after a cut stream). */
export interface ChunkResetUpdate {
  type: "chunk_reset";
  runId: string;
  stepId: string;
  generation: number;
  model: string;
  candidateIndex: number;
  reason: string;
}

/** Something worth telling the writer that is not an event (a fallback to the next model). */
export interface NoticeUpdate {
  type: "notice";
  runId: string;
  stepId?: string;
  message: string;
}

/** What subscribers receive. */
export type RunUpdate = EventUpdate | ChunkUpdate | ChunkResetUpdate | NoticeUpdate;
