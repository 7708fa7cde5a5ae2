/**
 * The normalized pipeline model: what `loadPipeline` returns after checking a
 * YAML file in the original's dialect (snake_case keys, maps of inputs and
 * steps) and filling in defaults. Names are camelCase; inputs and steps keep
 * file order. The zod schemas guard other boundaries (pipelines sent over the
 * API, stored pipelines) and give the TypeScript types.
 *
 * Defaults applied by the loader, per step: `type` "llm_generation";
 * `dependsOn` the previous step ([] for the first); `modelPreference` the
 * step's `model_preference`, else `defaults.model`, else [] (the caller's
 * configured default model); `models` the step's `models`, else
 * `defaults.models` when that is a list, else []; `responseCount` (candidates
 * per model) the step's `response_count`, else `defaults.responses_per_step`,
 * else 1; `temperature`, `maxTokens`, `style` from the step, else from
 * `defaults`; `allowFeedback` true and `autoApprove` false unless set;
 * `allowTruncated` from the step, else from `defaults`, else left out (false).
 */
import { z } from "zod";
import type { ValidationIssue } from "./errors.ts";

/** Step and input names: a letter, then letters, digits or underscores. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]*$/i;

/** Style primer ids: lowercase letters, digits and hyphens, starting with a letter. */
export const PRIMER_ID_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Keys of `defaults` with a meaning of their own; any other key is a free value for templates. */
export const RESERVED_DEFAULT_KEYS = [
  "model",
  "models",
  "temperature",
  "max_tokens",
  "style",
  "responses_per_step",
  "allow_feedback",
  "auto_approve",
  "allow_truncated",
] as const;

export const INPUT_TYPES = ["text", "textarea", "number", "boolean", "choice"] as const;
export const STEP_TYPES = ["llm_generation", "user_input"] as const;

/** Most candidates a step may ask for per model. */
export const MAX_RESPONSE_COUNT = 10;

export const PipelineMetadataSchema = z.object({
  name: z.string(),
  description: z.string().default(""),
  version: z.string().optional(),
  author: z.string().optional(),
  tags: z.array(z.string()).default([]),
  /** Any other metadata key (`created`, `estimated_time` …), kept as written. */
  extras: z.record(z.string(), z.unknown()).default({}),
});
export type PipelineMetadata = z.infer<typeof PipelineMetadataSchema>;

export const ChoiceOptionSchema = z.object({
  value: z.string(),
  label: z.string(),
  description: z.string().optional(),
});
export type ChoiceOption = z.infer<typeof ChoiceOptionSchema>;

export const InputSpecSchema = z.object({
  name: z.string().regex(NAME_PATTERN),
  type: z.enum(INPUT_TYPES),
  label: z.string(),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  placeholder: z.string().optional(),
  help: z.string().optional(),
  maxLength: z.number().int().positive().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(ChoiceOptionSchema).default([]),
});
export type InputSpec = z.infer<typeof InputSpecSchema>;

export const StepValidationSchema = z.object({
  minResponseLength: z.number().int().nonnegative().optional(),
  maxResponseLength: z.number().int().positive().optional(),
  /** Words or phrases every candidate must contain (case-insensitive). */
  requiredElements: z.array(z.string()).default([]),
  /** Other `check_*` flags from the file, kept for checkers that know them. */
  checks: z.record(z.string(), z.unknown()).default({}),
});
export type StepValidation = z.infer<typeof StepValidationSchema>;

export const StepSpecSchema = z.object({
  id: z.string().regex(NAME_PATTERN),
  name: z.string(),
  description: z.string().default(""),
  type: z.enum(STEP_TYPES),
  /** Empty only for `user_input` steps without instructions. */
  promptTemplate: z.string(),
  systemPrompt: z.string().optional(),
  /** Fallback order of models; templated values are already rendered. */
  modelPreference: z.array(z.string().min(1)),
  /** Models asked side by side, one candidate set each; [] = use `modelPreference`. */
  models: z.array(z.string().min(1)),
  /** Candidates per model. */
  responseCount: z.number().int().min(1).max(MAX_RESPONSE_COUNT),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
  /**
   * Accept an answer cut by the token limit as a candidate (`allow_truncated`);
   * by default such an answer is a failed attempt.
   */
  allowTruncated: z.boolean().optional(),
  dependsOn: z.array(z.string()),
  validation: StepValidationSchema.optional(),
  selectionPrompt: z.string().optional(),
  ui: z.record(z.string(), z.unknown()).default({}),
  allowFeedback: z.boolean(),
  autoApprove: z.boolean(),
  /** Style primer id for this step; falls back to the pipeline's. */
  style: z.string().optional(),
});
export type StepSpec = z.infer<typeof StepSpecSchema>;

export const PipelineSchema = z.object({
  /** From `options.id`, else the file name without extension, else a slug of the name. */
  id: z.string().min(1),
  metadata: PipelineMetadataSchema,
  defaults: z.record(z.string(), z.unknown()),
  inputs: z.array(InputSpecSchema),
  steps: z.array(StepSpecSchema).min(1),
  /** `defaults.style`: the style primer attached to every step unless a step names its own. */
  style: z.string().optional(),
  /** SHA-256 (hex) of the source text. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  source: z.object({ file: z.string().optional() }),
});
export type Pipeline = z.infer<typeof PipelineSchema>;

/** The outcome of loading user text: `value` is set iff no issue has severity "error". */
export interface LoadResult<T> {
  value?: T;
  issues: ValidationIssue[];
}
