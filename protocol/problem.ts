/**
 * The problem document (RFC 9457, `application/problem+json`) that every
 * refusal carries, over REST and in WebSocket `error` frames: a stable
 * `type` and `code`, a title, the HTTP status and a message, never a stack
 * trace. A validation failure lists its `issues` (each with a stable issue
 * `code` where one applies); a `stale_action` refusal says in `stale` what
 * changed since the version the action was decided on. `PROBLEM_CODES`
 * names the codes the server emits besides `http_<status>`.
 *
 * @example
 * ```ts
 * const problem = ProblemSchema.parse(await response.json());
 * if (problem.code === "stale_action") console.log(problem.stale?.changes);
 * ```
 */
import { z } from "zod";
import { ISSUE_CODES } from "../engine/errors.ts";

/** One located problem in user input (a pipeline, a primer, a request). */
export const ValidationIssueSchema = z.object({
  severity: z.enum(["error", "warning"]),
  message: z.string(),
  path: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  suggestion: z.string().optional(),
  code: z.enum(ISSUE_CODES).optional(),
});

/** For `stale_action`: the version decided on, the version now and what changed since. */
export const StaleDetailsSchema = z.object({
  basedOn: z.number().int(),
  version: z.number().int(),
  changes: z.array(z.string()),
});

/** A problem document. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  issues: z.array(ValidationIssueSchema).optional(),
  stale: StaleDetailsSchema.optional(),
});

/** A problem document. */
export type Problem = z.infer<typeof ProblemSchema>;

/** The `stale` details of a `stale_action` problem. */
export type StaleDetails = z.infer<typeof StaleDetailsSchema>;

/**
 * Codes the server puts in problem documents, by the status they come with;
 * HTTP-level refusals (bad JSON, no token, too large) carry `http_<status>`.
 */
export const PROBLEM_CODES = [
  // 422
  "validation_failed",
  // 404
  "not_found",
  // 409: a lost race
  "conflict",
  "stale_version",
  "stale_action",
  "run_leased",
  "workspace_exists",
  // 409: a command the run's state forbids
  "dependencies_incomplete",
  "duplicate_response",
  "empty_edit",
  "empty_feedback",
  "generation_mismatch",
  "invalid_command",
  "invalid_transition",
  "merge_needs_two",
  "nothing_selected",
  "response_step_mismatch",
  "retry_limit_reached",
  "run_exists",
  "run_finished",
  "run_not_created",
  "run_not_running",
  "selection_out_of_range",
  "step_done",
  "step_not_interrupted",
  "step_not_running",
  "step_not_started",
  "step_running",
  "step_stale",
  "steps_incomplete",
  "unknown_dependency",
  "unknown_step",
  // 402
  "budget_exceeded",
  // 429
  "rate_limited",
  // 500: the run could not go on (in `driving` frames) or the server failed
  "cancelled",
  "configuration_error",
  "missing_api_key",
  "unknown_model",
  "no_model",
  "provider_error",
  "all_models_failed",
  "retryable",
  "internal_error",
] as const;

/** A code of `PROBLEM_CODES`, or `http_<status>`. */
export type ProblemCode = typeof PROBLEM_CODES[number] | `http_${number}`;
