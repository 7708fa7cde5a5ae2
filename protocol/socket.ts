/**
 * The frames of the run WebSocket `/ws/{runId}`: what the server sends
 * (hello, event, chunk, chunk_reset, notice, driving, ack, error), each a zod
 * schema with its type inferred, and the messages a client sends
 * (`{ id, action, ...body }`, the body as `ACTION_BODIES` defines it).
 *
 * @example
 * ```ts
 * const frame = ServerFrameSchema.parse(JSON.parse(text));
 * if (frame.type === "chunk") console.log(frame.text);
 * ```
 */
import type { ServerFrameType } from "./frame_types.ts";
import { z } from "zod";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { ActionBody, SocketActionName } from "./actions.ts";
import { ProblemSchema } from "./problem.ts";
import { RunSchema } from "./rest.ts";

/** A stored event: checked for its `type` and `sequence` only, typed as the engine's event. */
export const EventEnvelopeSchema = z.custom<EventEnvelope>((value) => {
  const event = value as { type?: unknown; sequence?: unknown } | null;
  return typeof event === "object" && event !== null && typeof event.type === "string" &&
    typeof event.sequence === "number";
}, { message: "An event needs a type and a sequence number" });

/** First frame: the run as it is now. */
export const HelloFrameSchema = z.object({
  type: z.literal("hello"),
  runId: z.string(),
  workspace: z.string(),
  /** `run.version`: the last event sequence folded into `run`. */
  sequence: z.number().int(),
  run: RunSchema,
  driving: z.boolean(),
});

/** A stored event (in sequence order). */
export const EventFrameSchema = z.object({
  type: z.literal("event"),
  event: EventEnvelopeSchema,
});

/** Streamed text of one candidate: append it. */
export const ChunkFrameSchema = z.object({
  type: z.literal("chunk"),
  stepId: z.string(),
  generation: z.number().int(),
  model: z.string(),
  candidateIndex: z.number().int(),
  text: z.string(),
});

/** Discard the text streamed so far for that candidate (its stream restarted). */
export const ChunkResetFrameSchema = z.object({
  type: z.literal("chunk_reset"),
  stepId: z.string(),
  generation: z.number().int(),
  model: z.string(),
  candidateIndex: z.number().int(),
  reason: z.string(),
});

/** Something worth telling the writer (a fallback model, a retry). */
export const NoticeFrameSchema = z.object({
  type: z.literal("notice"),
  stepId: z.string().optional(),
  message: z.string(),
});

/** Background driving started or stopped (`error` when it failed, such as run_leased). */
export const DrivingFrameSchema = z.object({
  type: z.literal("driving"),
  driving: z.boolean(),
  error: ProblemSchema.optional(),
});

/** An action succeeded; `id` echoes the message's. `run` and `driving` are absent for `ping`. */
export const AckFrameSchema = z.object({
  type: z.literal("ack"),
  id: z.string().optional(),
  action: z.string(),
  run: RunSchema.optional(),
  driving: z.boolean().optional(),
});

/** An action or message was refused (`id` echoes the message's, when it had one). */
export const ErrorFrameSchema = z.object({
  type: z.literal("error"),
  id: z.string().optional(),
  problem: ProblemSchema,
});

/** Any frame the server sends. */
export const ServerFrameSchema = z.discriminatedUnion("type", [
  HelloFrameSchema,
  EventFrameSchema,
  ChunkFrameSchema,
  ChunkResetFrameSchema,
  NoticeFrameSchema,
  DrivingFrameSchema,
  AckFrameSchema,
  ErrorFrameSchema,
]);

/** Every frame type has a schema, and every schema's type is listed. */
type SameTypes<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const framesListed: SameTypes<ServerFrame["type"], ServerFrameType> = true;
void framesListed;

/** The `hello` frame. */
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
/** The `event` frame. */
export type EventFrame = z.infer<typeof EventFrameSchema>;
/** The `chunk` frame. */
export type ChunkFrame = z.infer<typeof ChunkFrameSchema>;
/** The `chunk_reset` frame. */
export type ChunkResetFrame = z.infer<typeof ChunkResetFrameSchema>;
/** The `notice` frame. */
export type NoticeFrame = z.infer<typeof NoticeFrameSchema>;
/** The `driving` frame. */
export type DrivingFrame = z.infer<typeof DrivingFrameSchema>;
/** The `ack` frame. */
export type AckFrame = z.infer<typeof AckFrameSchema>;
/** The `error` frame. */
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
/** Any frame the server sends. */
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Longest message `id` the server echoes. */
export const MAX_MESSAGE_ID_LENGTH = 200;

/**
 * A client message's envelope: an `id` to match the answer (echoed in its
 * `ack` or `error`) and the action; the remaining fields are the action's
 * body.
 */
export const ClientMessageSchema = z.object({
  id: z.string().max(MAX_MESSAGE_ID_LENGTH).optional(),
  action: z.string(),
}).loose();

/** An action a client may send, with its body (the socket adds `id`). */
export type RunAction =
  | { [A in SocketActionName]: { action: A } & ActionBody<A> }[SocketActionName]
  | { action: "ping" };

/** A message a client sends. */
export type ClientMessage = RunAction & { id?: string };
