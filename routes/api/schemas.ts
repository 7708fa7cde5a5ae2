/**
 * The API's request and response bodies as zod schemas: every body a route
 * accepts is parsed with these (a ValidationError naming each bad field
 * otherwise), and the OpenAPI document is generated from the same schemas.
 * Run and event shapes reuse the engine's schemas.
 */
import { z } from "zod";
import { PipelineRunSchema, TokenUsageSchema } from "../../engine/run_model.ts";
import { RUN_STATUSES } from "../../engine/run_status.ts";
import { ValidationError } from "../../engine/errors.ts";

const StepId = z.string().min(1).max(200);
const Reason = z.string().max(2000).optional();
const LongText = z.string().max(1_000_000);

/** `POST /api/workspaces`. */
export const CreateWorkspaceBody = z.strictObject({ name: z.string().min(1).max(200) });

/** `POST /api/pipelines`: register YAML text under a name, or check a known pipeline by name. */
export const RegisterPipelineBody = z.strictObject({
  name: z.string().min(1).max(100),
  yaml: LongText.optional(),
});

/** `POST /api/pipelines/validate` (JSON form). */
export const ValidatePipelineBody = z.strictObject({
  yaml: LongText,
  name: z.string().min(1).max(100).optional(),
});

/** `POST /api/runs`. */
export const CreateRunBody = z.strictObject({
  pipeline: z.string().min(1).max(100),
  inputs: z.record(z.string(), z.unknown()).default({}),
  style: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
  responses: z.number().int().min(1).max(10).optional(),
  autoSelect: z.boolean().optional(),
  start: z.boolean().optional(),
});

/** `POST /api/runs/{id}/start` (and `/execute`). */
export const StartRunBody = z.strictObject({ autoSelect: z.boolean().optional() });

/**
 * The run version an action was decided on (the `version` of the run the
 * person was looking at). When someone else decided something since on the
 * same step or on the run, the action gets 409 `stale_action` and changes
 * nothing. Left out: no check.
 */
const BasedOn = z.number().int().min(0).optional();

/** `POST …/select`: a 0-based index or a response id. */
export const SelectBody = z.strictObject({
  stepId: StepId,
  index: z.number().int().min(0).optional(),
  responseId: z.string().min(1).max(200).optional(),
  basedOn: BasedOn,
}).refine((body) => (body.index === undefined) !== (body.responseId === undefined), {
  message: 'Give exactly one of "index" (0-based) or "responseId"',
});

/** `POST …/merge`. */
export const MergeBody = z.strictObject({
  stepId: StepId,
  responseIds: z.array(z.string().min(1).max(200)).min(2).max(20),
  instructions: z.string().max(10_000).optional(),
  model: z.string().min(1).max(200).optional(),
  basedOn: BasedOn,
});

/** `POST …/edit`. */
export const EditBody = z.strictObject({
  stepId: StepId,
  text: LongText.min(1),
  basedOn: BasedOn,
});

/** `POST …/feedback`: regenerates with it unless `regenerate` is false. */
export const FeedbackBody = z.strictObject({
  stepId: StepId,
  text: z.string().min(1).max(20_000),
  regenerate: z.boolean().default(true),
  basedOn: BasedOn,
});

/** `POST …/regenerate`. */
export const RegenerateBody = z.strictObject({ stepId: StepId, basedOn: BasedOn });

/** `POST …/skip`. */
export const SkipBody = z.strictObject({ stepId: StepId, reason: Reason, basedOn: BasedOn });

/** `POST …/branch`. */
export const BranchBody = z.strictObject({
  fromStepId: StepId,
  start: z.boolean().optional(),
  basedOn: BasedOn,
});

/** `POST …/rewind`. */
export const RewindBody = z.strictObject({ toStepId: StepId, basedOn: BasedOn });

/** `POST …/pause` and `…/cancel`. */
export const ReasonBody = z.strictObject({ reason: Reason, basedOn: BasedOn });

/** `POST …/resume`. */
export const ResumeBody = z.strictObject({ basedOn: BasedOn });

/** Query of `GET /api/runs`. */
export const ListRunsQuery = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  pipeline: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Query of `GET /api/runs/{id}`. */
export const GetRunQuery = z.object({ at: z.coerce.number().int().min(1).optional() });

/** Query of `GET /api/runs/{id}/events`. */
export const EventsQuery = z.object({ from: z.coerce.number().int().min(1).default(1) });

/** Export formats (`md` is also accepted as `markdown`). */
export const EXPORT_FORMATS = ["markdown", "md", "json", "yaml", "html"] as const;

/** Query of `GET /api/runs/{id}/export`. */
export const ExportQuery = z.object({
  format: z.enum(EXPORT_FORMATS).default("markdown"),
  history: z.enum(["true", "false", "1", "0"]).optional(),
});

/** A run summary in lists. */
export const RunSummarySchema = z.object({
  runId: z.string(),
  pipelineId: z.string(),
  workspace: z.string(),
  status: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  currentStep: z.string().optional(),
  parentRunId: z.string().optional(),
  usage: TokenUsageSchema,
}).loose().meta({ id: "RunSummary" });

/** A run's state (shared in the OpenAPI document as one component). */
export const RunSchema = PipelineRunSchema.meta({ id: "PipelineRun" });

/** `{ run, driving }`: what run actions answer. */
export const RunActionResponse = z.object({
  run: RunSchema,
  driving: z.boolean(),
});

/** `GET /api/runs`. */
export const RunListResponse = z.object({
  runs: z.array(RunSummarySchema),
  total: z.number().int(),
  nextOffset: z.number().int().nullable(),
});

/** A stored event. */
export const EventSchema = z.object({
  id: z.string(),
  runId: z.string(),
  sequence: z.number().int(),
  type: z.string(),
  schemaVersion: z.number().int(),
  time: z.string(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
});

/** `GET /api/runs/{id}/events`. */
export const EventListResponse = z.object({
  events: z.array(EventSchema),
  lastSequence: z.number().int(),
});

/**
 * Parses `value` with `schema`; a ValidationError listing every bad field
 * (dotted path and message) otherwise.
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where = "request body",
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    severity: "error" as const,
    path: issue.path.map(String).join("."),
    message: issue.path.length ? `"${issue.path.join(".")}": ${issue.message}` : issue.message,
  }));
  throw new ValidationError(
    `The ${where} is not valid: ${issues.map((issue) => issue.message).join("; ")}`,
    issues,
  );
}
