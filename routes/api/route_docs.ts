/**
 * Every REST route with the zod schemas of its query, body and answer: the
 * source of `/api/openapi.json` (routes/openapi.ts renders it), and what the
 * API tests check real answers against, so the document cannot drift from
 * the behaviour. Workspace-scoped routes are listed once; the document adds
 * their `/api/workspaces/{workspace}/…` twins.
 */
import { z } from "zod";
import { PipelineSchema as EnginePipelineSchema } from "../../engine/pipeline_schema.ts";
import { openApiDocument, type RouteDoc, withWorkspaceRoutes } from "../openapi.ts";
import {
  ACTION_BODIES,
  CreateRunBody,
  CreateWorkspaceBody,
  DiffQuery,
  EventPageSchema,
  EventsQuery,
  ExportQuery,
  GetRunQuery,
  ListRunsQuery,
  RegisterPipelineBody,
  RunListSchema,
  RunResultSchema,
  RunSchema,
  RunSummarySchema,
  TextDiffSchema,
  ValidatePipelineBody,
  ValidationIssueSchema,
} from "../../protocol/mod.ts";

const PipelineSchema = EnginePipelineSchema.meta({ id: "Pipeline" });

const Issue = ValidationIssueSchema.loose().meta({ id: "ValidationIssue" });

const Health = z.object({ status: z.literal("ok"), version: z.string(), workspace: z.string() });
const Workspace = z.object({
  name: z.string(),
  isDefault: z.boolean(),
  description: z.string().optional(),
  createdAt: z.string().optional(),
});
const PipelineListItem = z.object({
  name: z.string(),
  origin: z.string(),
  valid: z.boolean(),
  title: z.string(),
  description: z.string(),
  steps: z.array(z.string()),
});
const PipelineAnswer = z.object({
  name: z.string(),
  pipeline: PipelineSchema,
  issues: z.array(Issue),
});
const RunAnswer = z.object({
  run: RunSchema,
  driving: z.boolean(),
  driveError: z.string().optional(),
});
const ActionAnswers = {
  202: { description: "Recorded; the run goes on in the background", schema: RunResultSchema },
  404: { description: "No such run" },
  409: { description: "The run's state does not allow it, or another process drives it" },
  422: { description: "The body is not valid" },
};

const ACTION_SUMMARIES: Record<keyof typeof ACTION_BODIES, string> = {
  start: "Start or continue a run in the background",
  select: "Pick a candidate (0-based index or response id) and complete the step",
  merge: "Merge two or more candidates with a model (in the background)",
  edit: "Replace the step's result with hand-written text",
  feedback: "Give feedback on a step, and regenerate with it unless regenerate is false",
  regenerate: "Ask for new candidates of a step",
  skip: "Skip a step",
  rate: "Rate a candidate up or down (none takes it back), with an optional note",
  branch: "Fork the run at a step into a new run",
  rewind: "Send the run back to a step (history kept)",
  pause: "Pause the run",
  resume: "Resume a paused or failed run; with model, continue on that model",
  cancel: "Cancel the run",
};

/** The REST routes, once each (workspace-scoped ones without their twins). */
export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: "get",
    path: "/api/health",
    summary: "Server health",
    tags: ["operations"],
    response: Health,
    public: true,
  },
  {
    method: "get",
    path: "/api/workspaces",
    summary: "List workspaces",
    tags: ["workspaces"],
    response: z.object({ workspaces: z.array(Workspace) }),
  },
  {
    method: "post",
    path: "/api/workspaces",
    summary: "Create a workspace",
    tags: ["workspaces"],
    body: CreateWorkspaceBody,
    status: 201,
    response: z.object({ workspace: Workspace }),
    responses: { 409: { description: "It exists" }, 422: { description: "Bad name" } },
  },
  {
    method: "get",
    path: "/api/workspaces/{workspace}",
    summary: "Describe a workspace: its description, creation time and number of runs",
    tags: ["workspaces"],
    params: z.object({ workspace: z.string().describe("Workspace name") }),
    response: z.object({ workspace: Workspace.extend({ runs: z.number().int() }) }),
    responses: { 404: { description: "No such workspace" } },
  },
  {
    method: "get",
    path: "/api/pipelines",
    summary: "List the pipelines the workspace can run",
    tags: ["pipelines"],
    response: z.object({ pipelines: z.array(PipelineListItem) }),
  },
  {
    method: "post",
    path: "/api/pipelines",
    summary: "Register a pipeline from YAML text (or check one by name)",
    tags: ["pipelines"],
    body: RegisterPipelineBody,
    status: 201,
    response: PipelineAnswer,
    responses: { 422: { description: "It does not validate: every issue, located" } },
  },
  {
    method: "post",
    path: "/api/pipelines/validate",
    summary: "Validate pipeline YAML (JSON body or text/yaml)",
    tags: ["pipelines"],
    body: ValidatePipelineBody,
    bodyContentTypes: ["application/json", "text/yaml"],
    response: z.object({ valid: z.boolean(), issues: z.array(Issue) }),
  },
  {
    method: "get",
    path: "/api/pipelines/{name}",
    summary: "A pipeline, normalized",
    tags: ["pipelines"],
    response: z.object({ pipeline: PipelineSchema, origin: z.string(), issues: z.array(Issue) }),
    responses: { 404: { description: "No such pipeline" } },
  },
  {
    method: "get",
    path: "/api/runs",
    summary: "List runs, newest first, with filters and paging",
    tags: ["runs"],
    query: ListRunsQuery,
    response: RunListSchema,
  },
  {
    method: "post",
    path: "/api/runs",
    summary: "Create a run (and start it in the background with start: true)",
    description:
      "The original API's field names are accepted as aliases: pipeline_id and pipeline_path (a pipeline file inside the workspace; its stem is the pipeline) for pipeline, user_inputs for inputs, workspace_name for the workspace. An alias and its field with different values is a 422 naming both.",
    tags: ["runs"],
    body: CreateRunBody,
    status: 201,
    response: RunResultSchema,
    responses: {
      202: { description: "Created and started", schema: RunResultSchema },
      404: { description: "No such pipeline" },
      422: {
        description:
          "Bad inputs, an invalid pipeline, a pipeline_path outside the workspace, or an alias that disagrees with its field",
      },
    },
  },
  {
    method: "get",
    path: "/api/runs/{id}",
    summary: "A run's state (at=N: as it was at sequence N)",
    tags: ["runs"],
    query: GetRunQuery,
    response: RunAnswer,
    responses: { 404: { description: "No such run" } },
  },
  {
    method: "get",
    path: "/api/runs/{id}/events",
    summary: "A run's events from a sequence number",
    tags: ["runs"],
    query: EventsQuery,
    response: EventPageSchema,
  },
  {
    method: "get",
    path: "/api/runs/live",
    summary:
      "The run list as it changes (Server-Sent Events: `event: run` with a RunSummary per change)",
    tags: ["runs"],
    response: z.string(),
    responseContentType: "text/event-stream",
  },
  {
    method: "get",
    path: "/api/runs/{id}/branches",
    summary: "Runs branched from this one",
    tags: ["runs"],
    response: z.object({ branches: z.array(RunSummarySchema) }),
  },
  {
    method: "get",
    path: "/api/runs/{id}/export",
    summary: "Export a run (markdown with front matter, json, yaml or html)",
    tags: ["runs"],
    query: ExportQuery,
    response: z.string(),
    responseContentType: "text/markdown",
  },
  {
    method: "get",
    path: "/api/diff",
    summary: "Word diff between two texts: RUN (its article), RUN:step or RUN:step:N",
    tags: ["runs"],
    query: DiffQuery,
    response: TextDiffSchema,
  },
  ...(Object.keys(ACTION_BODIES) as (keyof typeof ACTION_BODIES)[]).map((action): RouteDoc => ({
    method: "post",
    path: `/api/runs/{id}/${action}`,
    summary: ACTION_SUMMARIES[action],
    tags: ["run actions"],
    body: ACTION_BODIES[action],
    response: RunResultSchema,
    status: action === "branch" ? 201 : 200,
    responses: ActionAnswers,
  })),
  {
    method: "post",
    path: "/api/runs/{id}/execute",
    summary: "Start a run (the original API's path; same as /start)",
    tags: ["run actions"],
    body: ACTION_BODIES.start,
    status: 202,
    response: RunResultSchema,
  },
  {
    method: "get",
    path: "/api/cache/stats",
    summary: "The workspace's LLM response cache statistics",
    tags: ["cache"],
    response: z.object({ workspace: z.string(), stats: z.record(z.string(), z.unknown()) }),
  },
];

/** The OpenAPI document of the API. */
export function apiDocument(version: string): ReturnType<typeof openApiDocument> {
  return openApiDocument(withWorkspaceRoutes(ROUTE_DOCS), {
    title: "WriteIt API",
    version,
    description:
      "LLM writing pipelines under human control. Live run updates: WebSocket /ws/{runId}?workspace=W&since=N (see the README).",
  });
}
