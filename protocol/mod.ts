/**
 * The wire protocol between a WriteIt server and its clients: the zod
 * schemas of REST bodies, queries and answers, the WebSocket frames and
 * client messages, the problem document with its codes, and the actions on
 * a run. The server parses and builds with these values; clients take the
 * types (`import type`), so a browser bundle stays free of zod.
 *
 * @example
 * ```ts
 * import { ACTION_BODIES, type ServerFrame } from "./protocol/mod.ts";
 * ```
 */
export {
  ACTION_BODIES,
  type ActionBody,
  type ActionName,
  isActionName,
  isSocketAction,
  type ParsedActionBody,
  SOCKET_ACTIONS,
  type SocketActionName,
} from "./actions.ts";
export {
  type Problem,
  PROBLEM_CODES,
  type ProblemCode,
  ProblemSchema,
  type StaleDetails,
  StaleDetailsSchema,
  ValidationIssueSchema,
} from "./problem.ts";
export {
  BranchBody,
  CreateRunBody,
  CreateWorkspaceBody,
  DiffQuery,
  DiffSideSchema,
  EditBody,
  type EventPage,
  EventPageSchema,
  EventSchema,
  EventsQuery,
  EXPORT_FORMATS,
  ExportQuery,
  FeedbackBody,
  GetRunQuery,
  ListRunsQuery,
  MergeBody,
  type PipelineValidation,
  PipelineValidationSchema,
  ReasonBody,
  RegenerateBody,
  RegisterPipelineBody,
  ResumeBody,
  RewindBody,
  type RunList,
  RunListSchema,
  type RunResult,
  RunResultSchema,
  RunSchema,
  RunSummarySchema,
  SelectBody,
  SkipBody,
  StartRunBody,
  type TextDiffResponse,
  TextDiffSchema,
  ValidatePipelineBody,
} from "./rest.ts";
export {
  type AckFrame,
  AckFrameSchema,
  type ChunkFrame,
  ChunkFrameSchema,
  type ChunkResetFrame,
  ChunkResetFrameSchema,
  type ClientMessage,
  ClientMessageSchema,
  type DrivingFrame,
  DrivingFrameSchema,
  type ErrorFrame,
  ErrorFrameSchema,
  EventEnvelopeSchema,
  type EventFrame,
  EventFrameSchema,
  type HelloFrame,
  HelloFrameSchema,
  MAX_MESSAGE_ID_LENGTH,
  type NoticeFrame,
  NoticeFrameSchema,
  type RunAction,
  type ServerFrame,
  ServerFrameSchema,
} from "./socket.ts";
export { SERVER_FRAME_TYPES, type ServerFrameType } from "./frame_types.ts";
