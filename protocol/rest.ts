/**
 * The REST API's request bodies, query strings and the answers clients rely
 * on, as zod schemas: routes parse every body and query with them (a
 * ValidationError naming each bad field otherwise), the OpenAPI document is
 * generated from them, and clients take their types. Run shapes reuse the
 * engine's schemas; where an answer holds engine values that have no schema
 * (events), a precise type sits next to the schema.
 *
 * @example
 * ```ts
 * const body = CreateRunBody.parse({ pipeline: "quick-article", inputs: { topic: "Deno" } });
 * ```
 */
import { z } from "zod";
import type { EventEnvelope } from "../engine/events/event_envelope.ts";
import type { RunSummary } from "../engine/events/event_store.ts";
import { PipelineRunSchema, TokenUsageSchema } from "../engine/run_model.ts";
import { RUN_STATUSES } from "../engine/run_status.ts";
import { ValidationIssueSchema } from "./problem.ts";

const StepId = z.string().min(1).max(200);
const Reason = z.string().max(2000).optional();
const LongText = z.string().max(1_000_000);

/** `POST /api/workspaces`. */
export const CreateWorkspaceBody = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
});

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

const PipelineName = z.string().min(1).max(100);
const Inputs = z.record(z.string(), z.unknown());

/** The pipeline a `pipeline_path` names: the file's stem, or undefined when it is not a YAML file. */
function pipelineNameOfPath(path: string): string | undefined {
  const file = path.split(/[\\/]/).pop() ?? "";
  const match = /^(.+)\.ya?ml$/i.exec(file);
  return match?.[1];
}

/**
 * `POST /api/runs`. It also accepts the field names of the original WriteIt
 * API, each mapped to its field here: `pipeline_id` and `pipeline_path` (a
 * pipeline file inside the workspace: `pipelines/tech-article.yaml` is the
 * pipeline `tech-article`) to `pipeline`, `user_inputs` to `inputs`,
 * `workspace_name` to `workspace`. An alias and its field with different
 * values are refused, naming both.
 */
export const CreateRunBody = z.strictObject({
  pipeline: PipelineName.optional().meta({ description: "Pipeline name." }),
  pipeline_id: PipelineName.optional().meta({ description: 'Alias of "pipeline".' }),
  pipeline_path: z.string().min(1).max(1000).optional().meta({
    description:
      'Alias of "pipeline": a pipeline file inside the workspace, such as "pipelines/tech-article.yaml" (the pipeline "tech-article").',
  }),
  workspace_name: z.string().min(1).max(200).optional().meta({
    description:
      "The workspace to create the run in; under /api/workspaces/{workspace}/ it must be that workspace.",
  }),
  inputs: Inputs.optional(),
  user_inputs: Inputs.optional().meta({ description: 'Alias of "inputs".' }),
  style: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
  responses: z.number().int().min(1).max(10).optional(),
  autoSelect: z.boolean().optional(),
  /** With no valid candidate, auto-selection takes the first anyway (else the run pauses there). */
  acceptInvalid: z.boolean().optional(),
  start: z.boolean().optional(),
}).superRefine((body, context) => {
  if (body.pipeline_path !== undefined && pipelineNameOfPath(body.pipeline_path) === undefined) {
    context.addIssue({
      code: "custom",
      path: ["pipeline_path"],
      message:
        `"${body.pipeline_path}" is not a pipeline file: name a .yaml file, such as "pipelines/tech-article.yaml"`,
    });
    return;
  }
  const pipelines = [
    ["pipeline", body.pipeline],
    ["pipeline_id", body.pipeline_id],
    [
      "pipeline_path",
      body.pipeline_path === undefined ? undefined : pipelineNameOfPath(body.pipeline_path),
    ],
  ].filter((pair): pair is [string, string] => pair[1] !== undefined);
  if (pipelines.length === 0) {
    context.addIssue({
      code: "custom",
      path: ["pipeline"],
      message: 'Name the pipeline: give "pipeline" (or "pipeline_id" or "pipeline_path")',
    });
  }
  for (const [field, value] of pipelines.slice(1)) {
    const [firstField, firstValue] = pipelines[0];
    if (value !== firstValue) {
      context.addIssue({
        code: "custom",
        path: [field],
        message:
          `"${firstField}" is "${firstValue}" but "${field}" names "${value}": give one of them, or the same pipeline in both`,
      });
    }
  }
  if (
    body.inputs !== undefined && body.user_inputs !== undefined &&
    JSON.stringify(body.inputs) !== JSON.stringify(body.user_inputs)
  ) {
    context.addIssue({
      code: "custom",
      path: ["user_inputs"],
      message:
        '"inputs" and "user_inputs" differ: give one of them ("user_inputs" is an alias of "inputs")',
    });
  }
}).transform(({ pipeline_id, pipeline_path, workspace_name, user_inputs, ...body }) => ({
  ...body,
  pipeline: body.pipeline ?? pipeline_id ?? pipelineNameOfPath(pipeline_path ?? "") ?? "",
  inputs: body.inputs ?? user_inputs ?? {},
  /** The `pipeline_path` as given, for the route to check it lies inside the workspace. */
  pipelinePath: pipeline_path,
  workspace: workspace_name,
}));

/** `POST /api/runs/{id}/start` (and `/execute`). */
export const StartRunBody = z.strictObject({
  autoSelect: z.boolean().optional(),
  acceptInvalid: z.boolean().optional(),
});

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

/** `POST …/rate`: a rating of one candidate ("none" takes it back) and an optional note. */
export const RateBody = z.strictObject({
  stepId: StepId,
  responseId: z.string().min(1).max(200),
  rating: z.enum(["up", "down", "none"]),
  note: z.string().max(2000).optional(),
  basedOn: BasedOn,
});

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
export const ResumeBody = z.strictObject({
  /** Continue on this model from now on: the step waiting for a pick (or failed) is asked again on it. */
  model: z.string().min(1).max(200).optional(),
  basedOn: BasedOn,
});

/** Query of `GET /api/runs`. */
export const ListRunsQuery = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  /** Text to search for in the runs (every word, anywhere: title, inputs, candidates, feedback). */
  q: z.string().max(200).optional(),
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
  /** Steps that wait for the writer; absent when none. */
  waitingFor: z.array(z.string()).optional(),
  /** What the run is called: its latest result's heading, else the subject it was started on. */
  title: z.string().optional(),
  /** With a search (`q`): where the run matched, and a snippet. */
  match: z.object({ where: z.string(), snippet: z.string() }).optional(),
  usage: TokenUsageSchema,
}).loose().meta({ id: "RunSummary" });

/** A run's state (shared in the OpenAPI document as one component). */
export const RunSchema = PipelineRunSchema.meta({ id: "PipelineRun" });

/** `{ run, driving }`: what run creation and every run action answer. */
export const RunResultSchema = z.object({
  run: RunSchema,
  /** True when background generation was started (HTTP 202). */
  driving: z.boolean(),
});

/** A run and whether the server is generating for it in the background. */
export type RunResult = z.infer<typeof RunResultSchema>;

/** `GET /api/runs`. */
export const RunListSchema = z.object({
  runs: z.array(RunSummarySchema),
  total: z.number().int(),
  nextOffset: z.number().int().nullable(),
});

/** `GET /api/runs`, with the engine's run summaries. */
export interface RunList {
  runs: RunSummary[];
  total: number;
  nextOffset: number | null;
}

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
export const EventPageSchema = z.object({
  events: z.array(EventSchema),
  lastSequence: z.number().int(),
});

/** `GET /api/runs/{id}/events`, with the engine's typed events. */
export interface EventPage {
  events: EventEnvelope[];
  lastSequence: number;
}

/** `POST /api/pipelines/validate`. */
export const PipelineValidationSchema = z.object({
  valid: z.boolean(),
  issues: z.array(ValidationIssueSchema),
});

/** Whether pipeline YAML validates, and every issue found, located. */
export type PipelineValidation = z.infer<typeof PipelineValidationSchema>;

/** Query of `GET /api/diff`: two text names (`RUN`, `RUN:step`, `RUN:step:N`, full run ids). */
export const DiffQuery = z.object({
  from: z.string().min(1).max(400).describe("RUN, RUN:step or RUN:step:N (full run id)"),
  to: z.string().min(1).max(400).describe("RUN, RUN:step or RUN:step:N (full run id)"),
});

/** One side of a diff: what the text is. */
export const DiffSideSchema = z.object({
  reference: z.string(),
  runId: z.string(),
  stepId: z.string().optional(),
  candidate: z.number().int().min(1).optional(),
  label: z.string(),
});

/** A word diff between two texts of runs. */
export const TextDiffSchema = z.object({
  from: DiffSideSchema,
  to: DiffSideSchema,
  stats: z.object({ added: z.number(), removed: z.number(), unchanged: z.number() }),
  parts: z.array(z.object({ kind: z.enum(["equal", "added", "removed"]), text: z.string() })),
}).meta({ id: "TextDiff" });

/** What `GET /api/diff` answers. */
export type TextDiffResponse = z.infer<typeof TextDiffSchema>;
