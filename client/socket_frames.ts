/**
 * Reading the frames of the run WebSocket `/ws/{runId}` in the client. The
 * frames themselves are defined in protocol/socket.ts; this file takes their
 * types only (no zod in a browser bundle) and checks just enough of a
 * frame's shape to dispatch it safely.
 */
import type { ServerFrame } from "../protocol/mod.ts";
import { SERVER_FRAME_TYPES } from "../protocol/frame_types.ts";

const FRAME_TYPES: ReadonlySet<string> = new Set(SERVER_FRAME_TYPES);

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
