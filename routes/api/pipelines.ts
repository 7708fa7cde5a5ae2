/**
 * `/api/pipelines`: list the pipelines a workspace can run, show one
 * normalized, and validate YAML text sent by a client (every problem, with
 * line, column and dotted path).
 */
import { Hono } from "hono";
import { checkPipelineEntry, checkPipelineText } from "../../storage/pipeline_check.ts";
import type { Library } from "../../storage/library.ts";
import { ValidationError } from "../../engine/errors.ts";

/** Routes over a pipeline library. */
export function pipelineRoutes(library: Library, styles: Library): Hono {
  const routes = new Hono();

  routes.get("/", (context) => {
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

  routes.post("/validate", async (context) => {
    const type = context.req.header("content-type") ?? "";
    let text: string;
    let name = "request";
    if (type.includes("application/json")) {
      const body = await context.req.json().catch(() => undefined) as
        | { yaml?: unknown; name?: unknown }
        | undefined;
      if (!body || typeof body.yaml !== "string") {
        throw new ValidationError(
          'The request body must be JSON with a "yaml" string, or YAML text with content-type text/yaml',
        );
      }
      text = body.yaml;
      if (typeof body.name === "string") name = body.name;
    } else {
      text = await context.req.text();
    }
    const { pipeline, issues } = checkPipelineText(text, styles, {
      file: `${name}.yaml`,
      id: name,
    });
    return context.json({ valid: pipeline !== undefined, issues });
  });

  routes.get("/:name", (context) => {
    // Names only: a path from a request must never reach the file system.
    const entry = library.findName(context.req.param("name"));
    const { pipeline, issues } = checkPipelineEntry(library, styles, entry);
    if (!pipeline) throw new ValidationError(`Pipeline "${entry.name}" does not validate`, issues);
    return context.json({ pipeline, origin: entry.origin, issues });
  });

  return routes;
}
