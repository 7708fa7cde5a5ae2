/**
 * `/api/runs`: create runs (and start them in the background), list them
 * with filters and paging, read a run's state (at any sequence number: time
 * travel), its events from a sequence number, its branches, and export it in
 * every format. The human actions live in run_actions.ts; the live list
 * (`GET /api/runs/live`, Server-Sent Events) in run_feed.ts.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { WorkspaceRuntime } from "../../server/workspace_hub.ts";
import { NotFoundError, ValidationError } from "../../engine/errors.ts";
import { summarizeRun } from "../../engine/events/event_store.ts";
import { renderExport } from "../../engine/export/export_renderer.ts";
import type { ExportFormat } from "../../engine/user_preferences.ts";
import { checkPipelineEntry } from "../../engine/pipeline_check.ts";
import type { ApiEnv } from "./api_env.ts";
import { runActionRoutes } from "./run_actions.ts";
import { runFeed } from "./run_feed.ts";
import {
  CreateRunBody,
  type EventPage,
  EventsQuery,
  ExportQuery,
  GetRunQuery,
  ListRunsQuery,
  type RunList,
  type RunResult,
} from "../../protocol/mod.ts";
import { parseBody, readBody } from "./request_body.ts";

/** Longest run id the API looks up. */
export const MAX_RUN_ID_LENGTH = 200;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  md: "text/markdown; charset=utf-8",
  json: "application/json; charset=utf-8",
  yaml: "application/yaml; charset=utf-8",
  html: "text/html; charset=utf-8",
};

/** Routes over the request's workspace (see api_env.ts). */
export function runRoutes(): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  // An id no run can have is unknown, whatever its length (LMDB keys are bounded).
  const checkRunId: MiddlewareHandler<ApiEnv> = async function checkRunId(context, next) {
    const runId = context.req.param("id");
    if (runId !== undefined && runId.length > MAX_RUN_ID_LENGTH) {
      throw new NotFoundError(
        `No run "${runId.slice(0, 40)}…": run ids are at most ${MAX_RUN_ID_LENGTH} characters`,
      );
    }
    await next();
  };
  routes.get("/live", runFeed);
  routes.use("/:id", checkRunId);
  routes.use("/:id/*", checkRunId);

  routes.get("/", async (context) => {
    const query = parseBody(ListRunsQuery, context.req.query(), "query");
    const { store, service } = context.get("runtime");
    const all = query.q?.trim()
      ? await service.searchRuns(query.q, { status: query.status, pipelineId: query.pipeline })
      : await store.listRuns({
        status: query.status,
        pipelineId: query.pipeline,
        limit: Number.MAX_SAFE_INTEGER,
      });
    const runs = all.slice(query.offset, query.offset + query.limit);
    const next = query.offset + runs.length;
    return context.json(
      { runs, total: all.length, nextOffset: next < all.length ? next : null } satisfies RunList,
    );
  });

  // What a run would cost, before it exists: the same body as creating one.
  routes.post("/estimate", async (context) => {
    const body = await readBody(context, CreateRunBody);
    const runtime = await runWorkspace(context, body.workspace);
    const entry = runtime.pipelines.findName(body.pipeline);
    const { pipeline, issues } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
    if (!pipeline) {
      throw new ValidationError(
        `Pipeline "${entry.name}" does not validate: fix it, then check with POST /api/pipelines/validate`,
        issues.filter((issue) => issue.severity === "error"),
      );
    }
    if (body.model) runtime.service.checkModelName(body.model);
    return context.json(
      runtime.service.estimateRun(pipeline, {
        inputs: body.inputs ?? {},
        modelOverride: body.model,
        responses: body.responses,
      }),
    );
  });

  routes.post("/", async (context) => {
    const body = await readBody(context, CreateRunBody);
    const runtime = await runWorkspace(context, body.workspace);
    if (body.pipelinePath !== undefined) checkInsideWorkspace(body.pipelinePath, runtime.path);
    const entry = runtime.pipelines.findName(body.pipeline);
    const { pipeline, issues } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
    if (!pipeline) {
      throw new ValidationError(
        `Pipeline "${entry.name}" does not validate: fix it, then check with POST /api/pipelines/validate`,
        issues.filter((issue) => issue.severity === "error"),
      );
    }
    const run = await runtime.service.createRun(pipeline, {
      inputs: body.inputs,
      styleId: body.style,
      modelOverride: body.model,
      responses: body.responses,
      autoSelect: body.autoSelect,
      acceptInvalid: body.acceptInvalid,
    });
    if (!body.start) return context.json({ run, driving: false } satisfies RunResult, 201);
    runtime.driver.drive(run.runId, {
      autoSelect: body.autoSelect,
      acceptInvalid: body.acceptInvalid,
    });
    return context.json({ run, driving: true } satisfies RunResult, 202);
  });

  routes.get("/:id", async (context) => {
    const { at } = parseBody(GetRunQuery, context.req.query(), "query");
    const runtime = context.get("runtime");
    const runId = context.req.param("id");
    const run = await runtime.store.loadRun(runId, { atSequence: at });
    const error = runtime.driver.lastError(runId);
    return context.json({
      run,
      driving: runtime.driver.isDriving(runId),
      ...(error ? { driveError: error instanceof Error ? error.message : String(error) } : {}),
    });
  });

  routes.get("/:id/events", async (context) => {
    const { from } = parseBody(EventsQuery, context.req.query(), "query");
    const { store } = context.get("runtime");
    const runId = context.req.param("id");
    const run = await store.loadRun(runId); // 404 for an unknown run rather than an empty list
    const events = await store.read(runId, { fromSequence: from });
    return context.json({ events, lastSequence: run.version } satisfies EventPage);
  });

  routes.get("/:id/branches", async (context) => {
    const { store } = context.get("runtime");
    const runId = context.req.param("id");
    await store.loadRun(runId);
    const ids = await store.branches(runId);
    const branches = await Promise.all(
      ids.map(async (id) => summarizeRun(await store.loadRun(id))),
    );
    return context.json({ branches });
  });

  routes.get("/:id/export", async (context) => {
    const query = parseBody(ExportQuery, context.req.query(), "query");
    const format: ExportFormat = query.format === "markdown" ? "md" : query.format;
    const runtime = context.get("runtime");
    const runId = context.req.param("id");
    const run = await runtime.store.loadRun(runId);
    const pipeline = await runtime.service.pipelineOf(runId).catch(() => undefined);
    const events = format === "json" || format === "yaml"
      ? await runtime.store.read(runId)
      : undefined;
    const body = renderExport(run, pipeline, {
      format,
      history: query.history === "true" || query.history === "1",
      layout: workspaceLayout(runtime.path, format),
      events,
    });
    const extension = format === "md" ? "md" : format;
    return context.body(body, 200, {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `inline; filename="${run.pipelineId}-${
        run.runId.slice(0, 8)
      }.${extension}"`,
    });
  });

  routes.route("/", runActionRoutes());
  return routes;
}

/**
 * The workspace a new run goes to: the request's, or the one `workspace_name`
 * names under plain `/api` (a 422 naming both when the path names another).
 */
async function runWorkspace(
  context: Context<ApiEnv>,
  named: string | undefined,
): Promise<WorkspaceRuntime> {
  const runtime = context.get("runtime");
  if (named === undefined || named === runtime.name) return runtime;
  const inPath = context.get("pathWorkspace");
  if (inPath !== undefined) {
    throw new ValidationError(
      `The path names workspace "${inPath}" but "workspace_name" is "${named}": give one of them, or the same workspace in both`,
      [{
        severity: "error",
        path: "workspace_name",
        message: `"workspace_name": "${named}" differs from the path's workspace "${inPath}"`,
        code: "invalid_value",
      }],
    );
  }
  return await context.get("openWorkspace")(named);
}

/** A 422 unless `path` (relative to the workspace folder, or absolute) lies inside the workspace. */
function checkInsideWorkspace(path: string, workspacePath: string): void {
  const root = resolve(workspacePath);
  const inside = relative(root, resolve(root, path));
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new ValidationError(
      `"pipeline_path" "${path}" lies outside the workspace: name a pipeline file inside it, such as "pipelines/tech-article.yaml"`,
      [{
        severity: "error",
        path: "pipeline_path",
        message: `"pipeline_path": "${path}" lies outside the workspace`,
        code: "invalid_value",
      }],
    );
  }
}

/** The workspace's own layout for Markdown or HTML exports, if it has one. */
function workspaceLayout(workspacePath: string, format: ExportFormat): string | undefined {
  if (format !== "md" && format !== "html") return undefined;
  const path = join(
    workspacePath,
    "layouts",
    format === "md" ? "article.md.eta" : "article.html.eta",
  );
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}
