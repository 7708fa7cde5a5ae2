/**
 * The run side of the data model (seed 002): a PipelineRun with one StepState
 * per pipeline step, each holding every AIResponse a model (or a merge, or a
 * hand edit) produced, plus token usage and cost. These are the shapes that
 * `evolve` folds events into and that the CLI, API and exports read. zod
 * schemas guard every boundary; the TypeScript types are inferred from them.
 */
import { z } from "zod";
import { RUN_STATUSES } from "./run_status.ts";
import { emptyUsage, MAX_STEP_RETRIES } from "./run_values.ts";

/** Token counts for one call or a sum of calls; `estimated` when a tokenizer counted instead of the provider. */
export const TokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** Cost in US dollars from the price table; 0 when the model has no price. */
  costUsd: z.number().nonnegative(),
  estimated: z.boolean().default(false),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export { addUsage, emptyUsage, MAX_ATTEMPT_FAILURES, MAX_STEP_RETRIES } from "./run_values.ts";

/** Lifecycle of a run (seed: INITIALIZING → RUNNING → PAUSED/COMPLETED, any → ERROR; plus CANCELLED). */
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/**
 * Lifecycle of a step. `awaiting_selection` means candidates are in and a
 * human (or `--yes`) must pick; `stale` means an earlier selection changed
 * after this step ran, so its result no longer follows from its inputs.
 */
export const StepStatusSchema = z.enum([
  "pending",
  "running",
  "awaiting_selection",
  "completed",
  "skipped",
  "failed",
  "stale",
]);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** Where a candidate came from. */
export const ResponseOriginSchema = z.enum(["model", "merge", "edit", "user_input"]);
export type ResponseOrigin = z.infer<typeof ResponseOriginSchema>;

/** Result of a step's validation rules applied to one candidate. */
export const ResponseValidationSchema = z.object({
  passed: z.boolean(),
  /** Why it failed, one reason per broken rule (`"shorter than 500 characters (412)"`). */
  reasons: z.array(z.string()).default([]),
});
export type ResponseValidation = z.infer<typeof ResponseValidationSchema>;

/** One candidate within a step (seed AIResponse). Immutable once created. */
export const AIResponseSchema = z.object({
  responseId: z.string().min(1),
  stepId: z.string().min(1),
  /** Which generation of the step produced it: 0 first, +1 per regenerate. */
  generation: z.number().int().nonnegative(),
  /** Position within its generation and model (drives the cache key). */
  candidateIndex: z.number().int().nonnegative(),
  modelName: z.string().min(1),
  provider: z.string().min(1),
  /** Exact prompt sent to the model (seed: cannot be empty). */
  promptUsed: z.string().min(1),
  rawOutput: z.string(),
  processedContent: z.string(),
  createdAt: z.string(),
  usage: TokenUsageSchema,
  /** Seconds from request to last chunk (seed: must be positive). */
  processingTime: z.number().nonnegative(),
  qualityScore: z.number().min(0).max(1).optional(),
  origin: ResponseOriginSchema.default("model"),
  cached: z.boolean().default(false),
  validation: ResponseValidationSchema.default({ passed: true, reasons: [] }),
  /** For merges: the candidates it was made from. */
  sourceResponseIds: z.array(z.string()).optional(),
  finishReason: z.string().optional(),
});
export type AIResponse = z.infer<typeof AIResponseSchema>;

/**
 * A model call of a step that failed and was tried again (`retry`, after
 * `delayMs`) or handed to the next model of the preference list
 * (`fallback`, to `next`).
 */
export const AttemptFailureSchema = z.object({
  generation: z.number().int().nonnegative(),
  /** The candidate set (as the step names it). */
  model: z.string().min(1),
  candidateIndex: z.number().int().nonnegative(),
  /** The model that failed, as `provider:modelId`. */
  failedModel: z.string().min(1),
  /** Which attempt of that model failed (1-based; 0 when unknown, as for a fallback). */
  attempt: z.number().int().nonnegative(),
  /** The failure's stable code (`rate_limited`, `timeout`, `empty_answer`, `truncated`, …). */
  code: z.string(),
  reason: z.string(),
  action: z.enum(["retry", "fallback"]),
  delayMs: z.number().nonnegative().optional(),
  /** The model tried next, for a fallback. */
  next: z.string().optional(),
  at: z.string().optional(),
});
export type AttemptFailure = z.infer<typeof AttemptFailureSchema>;

/** A writer's rating of one candidate, and a note on it. */
export const CandidateRatingSchema = z.object({
  rating: z.enum(["up", "down"]).optional(),
  note: z.string().optional(),
  at: z.string(),
});
export type CandidateRating = z.infer<typeof CandidateRatingSchema>;

/** One piece of feedback a writer gave on a step. */
export const FeedbackSchema = z.object({
  text: z.string().min(1),
  at: z.string(),
  generation: z.number().int().nonnegative(),
});
export type Feedback = z.infer<typeof FeedbackSchema>;

/** State of one step in a run (seed StepState). */
export const StepStateSchema = z.object({
  stepId: z.string().min(1),
  status: StepStatusSchema,
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  generation: z.number().int().nonnegative().default(0),
  responses: z.array(AIResponseSchema).default([]),
  /** Index into `responses` of the chosen candidate. */
  userSelection: z.number().int().nonnegative().optional(),
  /** Text that later steps read: the selection, a merge or a hand edit. */
  selectedText: z.string().optional(),
  feedback: z.array(FeedbackSchema).default([]),
  /** Ratings and notes by candidate id (they change nothing else in the run). */
  ratings: z.record(z.string(), CandidateRatingSchema).optional(),
  mergedContent: z.string().optional(),
  retryCount: z.number().int().min(0).max(MAX_STEP_RETRIES).default(0),
  /** Rendered prompt of the current generation. */
  prompt: z.string().optional(),
  /** System prompt of the current generation, when the step has one. */
  systemPrompt: z.string().optional(),
  /** Models asked in the current generation (one candidate set per model). */
  models: z.array(z.string()).default([]),
  /** Candidates asked per model in the current generation. */
  responseCount: z.number().int().nonnegative().default(0),
  error: z.string().optional(),
  usage: TokenUsageSchema.default(emptyUsage()),
  /** Retries and fallbacks of the current generation's model calls, oldest first. */
  attemptFailures: z.array(AttemptFailureSchema).optional(),
}).superRefine((step, context) => {
  if (step.userSelection !== undefined && step.userSelection >= step.responses.length) {
    context.addIssue({
      code: "custom",
      path: ["userSelection"],
      message:
        `Selection ${step.userSelection} is out of range: step "${step.stepId}" has ${step.responses.length} responses`,
    });
  }
  if (
    step.status === "completed" && step.responses.length === 0 && step.selectedText === undefined
  ) {
    context.addIssue({
      code: "custom",
      path: ["responses"],
      message: `Step "${step.stepId}" is completed but has no responses`,
    });
  }
  if (step.startedAt && step.completedAt && step.completedAt < step.startedAt) {
    context.addIssue({
      code: "custom",
      path: ["completedAt"],
      message: `Step "${step.stepId}" completed before it started`,
    });
  }
});
export type StepState = z.infer<typeof StepStateSchema>;

/** Where a branch left its parent. */
export const BranchPointSchema = z.object({
  /** The step the child re-runs from (the child keeps the parent's earlier steps). */
  stepId: z.string().min(1),
  /** The parent's sequence number the child's shared history ends at. */
  sequence: z.number().int().nonnegative(),
});
export type BranchPoint = z.infer<typeof BranchPointSchema>;

/** A run of a pipeline (seed PipelineRun). */
export const PipelineRunSchema = z.object({
  runId: z.string().min(1),
  /** Pipeline name (file stem) and the content hash of the definition the run used. */
  pipelineId: z.string().min(1),
  pipelineVersion: z.string().optional(),
  pipelineHash: z.string().optional(),
  workspace: z.string().min(1),
  parentRunId: z.string().optional(),
  branchPoint: BranchPointSchema.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  status: RunStatusSchema,
  currentStep: z.string().optional(),
  userInputs: z.record(z.string(), z.unknown()),
  styleId: z.string().optional(),
  styleVersion: z.number().int().positive().optional(),
  /** Step ids in pipeline order. */
  stepOrder: z.array(z.string()),
  /** Step id → ids of the steps it depends on (`depends_on`, resolved). */
  stepDependencies: z.record(z.string(), z.array(z.string())).default({}),
  /** Run options chosen at creation (auto-approve, model overrides, …). */
  options: z.record(z.string(), z.unknown()).optional(),
  startedAt: z.string().optional(),
  steps: z.record(z.string(), StepStateSchema),
  usage: TokenUsageSchema.default(emptyUsage()),
  error: z.string().optional(),
  /** Why the run is paused, while it is. */
  pauseReason: z.string().optional(),
  /** The step a paused run stopped at because it needs a person (no valid candidate to auto-select). */
  pausedStep: z.string().optional(),
  /** Sequence number of the last event folded in. */
  version: z.number().int().nonnegative(),
});
export type PipelineRun = z.infer<typeof PipelineRunSchema>;
