/**
 * Every event a run's stream can hold, each with a zod schema for its data
 * and a schema version. Names are the data-model seed's, in snake_case.
 * Stored events keep the version they were written with; `upcastEvent`
 * (engine/events/event_upcasters.ts) turns older shapes into the current one
 * when reading, so an older log still loads after a schema grows.
 *
 * @example
 * ```ts
 * const data = parseEventData("run_paused", { reason: "lunch" });
 * ```
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import {
  AIResponseSchema,
  AttemptFailureSchema,
  BranchPointSchema,
  PipelineRunSchema,
  ResponseValidationSchema,
} from "../run_model.ts";

const StepIdSchema = z.string().min(1);

/** Why a step ran again: a plain regenerate, feedback to act on, or a resume after a crash. */
export const RetryReasonSchema = z.enum(["regenerate", "feedback", "resume", "model"]);
export type RetryReason = z.infer<typeof RetryReasonSchema>;

/** What made later steps stale. */
export const InvalidationCauseSchema = z.object({
  stepId: StepIdSchema,
  kind: z.enum(["edit", "rewind", "selection"]),
});
export type InvalidationCause = z.infer<typeof InvalidationCauseSchema>;

/** zod schema of each event type's `data`, in its current version. */
export const RunEventSchemas = {
  run_created: z.object({
    pipelineId: z.string().min(1),
    pipelineVersion: z.string().optional(),
    pipelineHash: z.string(),
    workspace: z.string().min(1),
    stepOrder: z.array(StepIdSchema),
    stepDependencies: z.record(z.string(), z.array(z.string())),
    inputs: z.record(z.string(), z.unknown()),
    styleId: z.string().optional(),
    styleVersion: z.number().int().positive().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
  run_started: z.object({}),
  run_paused: z.object({ reason: z.string().optional(), stepId: z.string().optional() }),
  run_resumed: z.object({}),
  /** Later generations of the run ask `model` (the run's model override from here on). */
  run_model_changed: z.object({ model: z.string().min(1), previous: z.string().optional() }),
  run_cancelled: z.object({ reason: z.string().optional() }),
  run_completed: z.object({}),
  run_failed: z.object({ error: z.string() }),
  step_started: z.object({
    stepId: StepIdSchema,
    generation: z.number().int().nonnegative(),
    prompt: z.string(),
    systemPrompt: z.string().optional(),
    models: z.array(z.string()),
    responseCount: z.number().int().nonnegative(),
  }),
  step_response_generated: z.object({ stepId: StepIdSchema, response: AIResponseSchema }),
  step_response_selected: z.object({ stepId: StepIdSchema, responseId: z.string().min(1) }),
  step_feedback_added: z.object({ stepId: StepIdSchema, text: z.string().min(1) }),
  step_retried: z.object({
    stepId: StepIdSchema,
    generation: z.number().int().nonnegative(),
    reason: RetryReasonSchema,
  }),
  step_failed: z.object({ stepId: StepIdSchema, error: z.string(), retryable: z.boolean() }),
  /** A model call of a running step failed and is retried or handed to the next model. */
  model_attempt_failed: AttemptFailureSchema.omit({ at: true }).extend({ stepId: StepIdSchema }),
  step_completed: z.object({
    stepId: StepIdSchema,
    responseId: z.string().optional(),
    text: z.string(),
  }),
  step_responses_merged: z.object({
    stepId: StepIdSchema,
    response: AIResponseSchema,
    sourceResponseIds: z.array(z.string()).min(2),
  }),
  step_edited: z.object({
    stepId: StepIdSchema,
    text: z.string().min(1),
    basedOnResponseId: z.string().optional(),
    /** The step's validation rules applied to the edited text (older events have none). */
    validation: ResponseValidationSchema.optional(),
  }),
  step_skipped: z.object({ stepId: StepIdSchema, reason: z.string().optional() }),
  /** A writer's rating of a candidate ("none" takes it back) and an optional note. */
  response_rated: z.object({
    stepId: StepIdSchema,
    responseId: z.string().min(1),
    rating: z.enum(["up", "down", "none"]),
    note: z.string().optional(),
  }),
  steps_invalidated: z.object({
    stepIds: z.array(StepIdSchema).min(1),
    cause: InvalidationCauseSchema,
  }),
  run_rewound: z.object({ toStepId: StepIdSchema }),
  /**
   * Going back or branching offers a step's candidates of `generation` again,
   * with no new generation (its prompt is the same, so a new one would only
   * repeat them).
   */
  step_reopened: z.object({ stepId: StepIdSchema, generation: z.number().int().nonnegative() }),
  run_branched: z.object({ parentRunId: z.string().min(1), branchPoint: BranchPointSchema }),
  /**
   * The whole state at this sequence. Regular snapshots live in a separate
   * store (they are derived, disposable data); this event only appears where
   * retention compacted a stream's prefix into one event, so that `read`
   * still returns a foldable stream.
   */
  state_snapshot: z.object({ state: PipelineRunSchema }),
} as const;

/** Name of an event type. */
export type RunEventType = keyof typeof RunEventSchemas;

/** Every event type name. */
export const RUN_EVENT_TYPES = Object.keys(RunEventSchemas) as RunEventType[];

/** Current schema version of each event type (1 unless its data shape changed). */
export const RUN_EVENT_VERSIONS: Record<RunEventType, number> = {
  run_created: 1,
  run_started: 1,
  run_paused: 1,
  run_resumed: 1,
  run_model_changed: 1,
  run_cancelled: 1,
  run_completed: 1,
  run_failed: 1,
  // v1: `{ stepId, prompt, model, generation? }`; v2 asks several models for several candidates.
  step_started: 2,
  step_response_generated: 1,
  step_response_selected: 1,
  step_feedback_added: 1,
  step_retried: 1,
  step_failed: 1,
  model_attempt_failed: 1,
  step_completed: 1,
  step_responses_merged: 1,
  step_edited: 1,
  step_skipped: 1,
  response_rated: 1,
  steps_invalidated: 1,
  run_rewound: 1,
  step_reopened: 1,
  run_branched: 1,
  state_snapshot: 1,
};

/** The data of an event type (output of its schema). */
export type RunEventData<T extends RunEventType> = z.output<(typeof RunEventSchemas)[T]>;

/** A typed `{ type, data }` pair: a discriminated union over every event type. */
export type RunEvent = { [T in RunEventType]: { type: T; data: RunEventData<T> } }[RunEventType];

/** The `{ type, data }` pair of one given type. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** True when `type` names a known event type. */
export function isRunEventType(type: string): type is RunEventType {
  return Object.hasOwn(RunEventSchemas, type);
}

/**
 * Validates an event's data against its current schema and returns the
 * parsed data (defaults applied). Throws ValidationError naming the event type
 * and the first broken field.
 */
export function parseEventData<T extends RunEventType>(type: T, data: unknown): RunEventData<T> {
  if (!isRunEventType(type)) {
    throw new ValidationError(
      `Unknown event type "${String(type)}": use one of ${RUN_EVENT_TYPES.join(", ")}`,
    );
  }
  const result = RunEventSchemas[type].safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      severity: "error" as const,
      message: issue.message,
      path: [type, ...issue.path.map(String)].join("."),
    }));
    throw new ValidationError(
      `Invalid data for event "${type}" at ${issues[0].path}: ${issues[0].message}`,
      issues,
    );
  }
  return result.data as RunEventData<T>;
}
