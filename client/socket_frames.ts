/**
 * The frames of the run WebSocket `/ws/{runId}` (team/SERVER_API.md): what
 * the server sends (hello, event, chunk, chunk_reset, notice, driving, ack,
 * error) and the actions a client sends (`{ id, action, ...fields }`).
 * Types only; `parseServerFrame` checks just enough of a frame's shape to
 * dispatch it safely.
 */
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { PipelineRun } from "../engine/run_model.ts";
import type { Problem } from "../server/problem.ts";

/** First frame: the run as it is now. */
export interface HelloFrame {
  type: "hello";
  runId: string;
  workspace: string;
  /** `run.version`: the last event sequence folded into `run`. */
  sequence: number;
  run: PipelineRun;
  driving: boolean;
}

/** A stored event (in sequence order). */
export interface EventFrame {
  type: "event";
  event: EventEnvelope;
}

/** Streamed text of one candidate: append it. */
export interface ChunkFrame {
  type: "chunk";
  stepId: string;
  generation: number;
  model: string;
  candidateIndex: number;
  text: string;
}

/** Discard the text streamed so far for that candidate (its stream restarted). */
export interface ChunkResetFrame {
  type: "chunk_reset";
  stepId: string;
  generation: number;
  model: string;
  candidateIndex: number;
  reason: string;
}

/** Something worth telling the writer (a fallback model, a retry). */
export interface NoticeFrame {
  type: "notice";
  stepId?: string;
  message: string;
}

/** Background driving started or stopped (`error` when it failed, such as run_leased). */
export interface DrivingFrame {
  type: "driving";
  driving: boolean;
  error?: Problem;
}

/** An action succeeded. `run` and `driving` are absent for `ping`. */
export interface AckFrame {
  type: "ack";
  id: string;
  action: string;
  run?: PipelineRun;
  driving?: boolean;
}

/** An action or message was refused. */
export interface ErrorFrame {
  type: "error";
  id?: string;
  problem: Problem;
}

/** Any frame the server sends. */
export type ServerFrame =
  | HelloFrame
  | EventFrame
  | ChunkFrame
  | ChunkResetFrame
  | NoticeFrame
  | DrivingFrame
  | AckFrame
  | ErrorFrame;

/** Actions a client may send (the socket adds `id`). */
export type RunAction =
  | { action: "select"; stepId: string; index?: number; responseId?: string }
  | { action: "feedback"; stepId: string; text: string; regenerate?: boolean }
  | { action: "regenerate"; stepId: string }
  | { action: "edit"; stepId: string; text: string }
  | { action: "skip"; stepId: string; reason?: string }
  | { action: "pause"; reason?: string }
  | { action: "resume" }
  | { action: "cancel"; reason?: string }
  | { action: "start"; autoSelect?: boolean }
  | { action: "ping" };

const FRAME_TYPES = new Set([
  "hello",
  "event",
  "chunk",
  "chunk_reset",
  "notice",
  "driving",
  "ack",
  "error",
]);

/** Parses a text frame; undefined when it is not JSON or not a frame this client knows. */
export function parseServerFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const frame = value as { type?: unknown; event?: { sequence?: unknown }; sequence?: unknown };
  if (typeof frame.type !== "string" || !FRAME_TYPES.has(frame.type)) return undefined;
  if (frame.type === "event" && typeof frame.event?.sequence !== "number") return undefined;
  if (frame.type === "hello" && typeof frame.sequence !== "number") return undefined;
  return value as ServerFrame;
}
