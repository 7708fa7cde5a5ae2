/**
 * Request and response bodies of the WriteIt REST API (team/SERVER_API.md),
 * as TypeScript types: the answers the protocol defines (protocol/rest.ts)
 * and the client's own request and listing shapes. Protocol and engine
 * shapes are imported with `import type` only, so neither zod nor the engine
 * reaches a browser bundle.
 */
import type { CacheStats } from "../engine/cache/cache_stats.ts";
import type { ValidationIssue } from "../engine/errors.ts";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { RunSummary } from "../engine/events/event_store.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import type { PipelineRun, RunStatus } from "../engine/run_model.ts";
import type {
  EventPage,
  PipelineValidation,
  RunList,
  RunResult,
  TextDiffResponse,
} from "../protocol/mod.ts";

export type {
  EventEnvelope,
  EventPage,
  Pipeline,
  PipelineRun,
  PipelineValidation,
  RunList,
  RunResult,
  RunStatus,
  RunSummary,
  TextDiffResponse,
  ValidationIssue,
};

/** `GET /api/health`. */
export interface HealthResponse {
  status: "ok";
  version: string;
  workspace: string;
}

/** One row of `GET /api/workspaces`. */
export interface WorkspaceListItem {
  name: string;
  isDefault: boolean;
  description?: string | null;
  /** ISO time the workspace was made. */
  createdAt?: string | null;
}

/** `GET /api/workspaces/{workspace}`. */
export interface WorkspaceDetail {
  name: string;
  runs: number;
}

/** One row of `GET /api/pipelines`. */
export interface PipelineListItem {
  name: string;
  origin: string;
  valid: boolean;
  title: string;
  description: string;
  steps: string[];
}

/** `GET /api/pipelines/{name}`. */
export interface PipelineDetail {
  pipeline: Pipeline;
  origin: string;
  issues: ValidationIssue[];
}

/** `POST /api/pipelines` (201). */
export interface RegisteredPipeline {
  name: string;
  pipeline: Pipeline;
  issues: ValidationIssue[];
}

/** Query of `GET /api/runs`. */
export interface RunFilter {
  status?: RunStatus;
  pipeline?: string;
  limit?: number;
  offset?: number;
}

/** Body of `POST /api/runs`. */
export interface CreateRunRequest {
  /** Pipeline name, as `GET /api/pipelines` lists it. */
  pipeline: string;
  inputs?: Record<string, unknown>;
  /** Style primer name. */
  style?: string;
  /** Model for every step (such as "offline"). */
  model?: string;
  /** Candidates per model at every step. */
  responses?: number;
  /** Pick the first valid candidate at every step; with none, the run pauses at that step. */
  autoSelect?: boolean;
  /** With no valid candidate, auto-selection takes the first anyway. */
  acceptInvalid?: boolean;
  /** Start driving at once (answer 202 with `driving: true`). */
  start?: boolean;
}

/** Formats of `GET /api/runs/{id}/export`. */
export type ExportFormat = "markdown" | "json" | "yaml" | "html";

/** The cache report of `GET /api/cache/stats`: the counters plus what the server adds. */
export type CacheStatsReport = CacheStats & {
  hitRate?: number;
  entries?: number;
  bytes?: number;
  ttlHours?: number;
  enabled?: boolean;
  workspace?: string;
  [key: string]: unknown;
};
