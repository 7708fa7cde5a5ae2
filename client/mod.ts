/**
 * The WriteIt client library: `WriteItClient` for the REST API, `RunSocket`
 * to follow one run live over its WebSocket, and the errors both raise. The
 * request, answer and frame types come from the wire protocol
 * (protocol/mod.ts) as types only, so this bundles for a browser without zod
 * or the engine.
 *
 * @example
 * ```ts
 * import { WriteItClient } from "./client/mod.ts";
 * const client = new WriteItClient({ baseUrl: "http://127.0.0.1:8080" });
 * const { run } = await client.createRun({ pipeline: "quick-article", inputs: { topic: "Deno" } });
 * ```
 */
export {
  type ActionRequest,
  type RetryOptions,
  type WatchOptions,
  WriteItClient,
  type WriteItClientOptions,
} from "./writeit_client.ts";
export {
  reconnectDelay,
  type ReconnectOptions,
  RunSocket,
  type RunSocketClose,
  type RunSocketEvents,
  type RunSocketOptions,
  type RunSocketState,
  type WebSocketFactory,
} from "./run_socket.ts";
export { type ApiErrorOptions, WriteItApiError, WriteItNetworkError } from "./api_error.ts";
export { openRemoteSession } from "./remote_run_session.ts";
export { parseServerFrame } from "./socket_frames.ts";
export type {
  CacheStatsReport,
  CreateRunRequest,
  EventPage,
  ExportFormat,
  HealthResponse,
  PipelineDetail,
  PipelineListItem,
  PipelineValidation,
  RegisteredPipeline,
  RunFilter,
  RunList,
  RunResult,
  TextDiffResponse,
  WorkspaceDetail,
  WorkspaceListItem,
} from "./api_types.ts";
export type {
  AckFrame,
  ChunkFrame,
  ChunkResetFrame,
  ClientMessage,
  DrivingFrame,
  ErrorFrame,
  EventFrame,
  HelloFrame,
  NoticeFrame,
  Problem,
  RunAction,
  ServerFrame,
  StaleDetails,
} from "../protocol/mod.ts";
