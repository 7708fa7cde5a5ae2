/**
 * `/api/pipelines`: list the pipelines a workspace can run, show one
 * normalized, register one from YAML text into the workspace (checked first:
 * nothing is written when it does not validate), and validate YAML text sent
 * by a client (every problem, with line, column and dotted path). File paths
 * of the server never appear in answers: issues name the file only.
 */
import { Hono } from "hono";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import { checkPipelineEntry, checkPipelineText } from "../../engine/pipeline_check.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import type { ApiEnv } from "./api_env.ts";
import { readBody, requestText } from "./request_body.ts";
import {
  type PipelineValidation,
  RegisterPipelineBody,
  ValidatePipelineBody,
} from "../../protocol/mod.ts";

/** Issues with the file reduced to its name. */
function publicIssues(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((issue) => issue.file ? { ...issue, file: basename(issue.file) } : issue);
}

/** The pipeline with its source file reduced to its name. */
function publicPipeline<T extends { source: { file?: string } }>(pipeline: T): T {
  return pipeline.source.file
    ? { ...pipeline, source: { ...pipeline.source, file: basename(pipeline.source.file) } }
    : pipeline;
}

/** Routes over the request's workspace's pipeline library. */
export function pipelineRoutes(): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get("/", (context) => {
    const { pipelines: library, styles } = context.get("runtime");
    const pipelines = library.list().map((entry) => {
      const { pipeline } = checkPipelineEntry(library, styles, entry);
      return {
        name: entry.name,
        origin: entry.origin,
        valid: pipeline !== undefined,
        title: pipeline?.metadata.name ?? entry.name,
        description: pipeline?.metadata.description ?? "",
        steps: pipeline?.steps.map((step) => step.id) ?? [],
      };
    });
    return context.json({ pipelines });
  });

  routes.post("/", async (context) => {
    const body = await readBody(context, RegisterPipelineBody);
    const runtime = context.get("runtime");
    if (body.yaml === undefined) {
      const entry = runtime.pipelines.findName(body.name);
      const { pipeline, issues } = checkPipelineEntry(runtime.pipelines, runtime.styles, entry);
      if (!pipeline) {
        throw new ValidationError(
          `Pipeline "${entry.name}" does not validate`,
          publicIssues(issues),
        );
      }
      return context.json(
        { name: entry.name, pipeline: publicPipeline(pipeline), issues: publicIssues(issues) },
        201,
      );
    }
    assertWorkspaceName(body.name, "pipeline");
    const { pipeline, issues } = checkPipelineText(body.yaml, runtime.styles, {
      file: `${body.name}.yaml`,
      id: body.name,
    });
    if (!pipeline) {
      throw new ValidationError(
        `Pipeline "${body.name}" does not validate, so it was not registered: fix the issues listed`,
        issues,
      );
    }
    const folder = join(runtime.path, "pipelines");
    mkdirSync(folder, { recursive: true });
    const target = join(folder, `${body.name}.yaml`);
    // Write then rename, so a reader never sees half a file.
    writeFileSync(`${target}.tmp`, body.yaml);
    renameSync(`${target}.tmp`, target);
    return context.json({ name: body.name, pipeline, issues }, 201);
  });

  routes.post("/validate", async (context) => {
    const type = context.req.header("content-type") ?? "";
    let text: string;
    let name = "request";
    if (/json/i.test(type)) {
      const body = await readBody(context, ValidatePipelineBody);
      text = body.yaml;
      if (body.name) name = body.name;
    } else {
      text = await requestText(context);
    }
    const { pipeline, issues } = checkPipelineText(text, context.get("runtime").styles, {
      file: `${name}.yaml`,
      id: name,
    });
    return context.json({ valid: pipeline !== undefined, issues } satisfies PipelineValidation);
  });

  routes.get("/:name", (context) => {
    const { pipelines, styles } = context.get("runtime");
    // Names only: a path from a request must never reach the file system.
    const entry = pipelines.findName(context.req.param("name"));
    const { pipeline, issues } = checkPipelineEntry(pipelines, styles, entry);
    if (!pipeline) {
      throw new ValidationError(`Pipeline "${entry.name}" does not validate`, publicIssues(issues));
    }
    return context.json({
      pipeline: publicPipeline(pipeline),
      origin: entry.origin,
      issues: publicIssues(issues),
    });
  });

  return routes;
}
