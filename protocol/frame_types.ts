/**
 * The `type` of every frame the run WebSocket's server sends, as a plain
 * list without zod, so that a browser bundle can check frames against it
 * (protocol/socket.ts ties its frame schemas to the same list).
 *
 * @example
 * ```ts
 * SERVER_FRAME_TYPES.includes("hello"); // true
 * ```
 */
export const SERVER_FRAME_TYPES = [
  "hello",
  "event",
  "chunk",
  "chunk_reset",
  "notice",
  "driving",
  "ack",
  "error",
] as const;

/** A frame's `type`. */
export type ServerFrameType = (typeof SERVER_FRAME_TYPES)[number];
