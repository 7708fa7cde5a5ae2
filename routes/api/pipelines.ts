/**
 * `/api/pipelines`: list the pipelines a workspace can run, show one
 * normalized, and validate YAML text sent by a client (every problem, with
 * line, column and dotted path).
 */
import { Hono } from "hono";
import { loadPipeline } from "../../engine/pipeline_loader.ts";
import type { Library } from "../../storage/library.ts";
import { ValidationError } from "../../engine/errors.ts";

/** Routes over a pipeline library. */
export function pipelineRoutes(library: Library): Hono {
  const routes = new Hono();

  routes.get("/", (context) => {
    const pipelines = library.list().map((entry) => {
      const result = loadPipeline(library.read(entry), { file: entry.path, id: entry.name });
      return {
        name: entry.name,
        origin: entry.origin,
        valid: result.value !== undefined,
        title: result.value?.metadata.name ?? entry.name,
        description: result.value?.metadata.description ?? "",
        steps: result.value?.steps.map((step) => step.id) ?? [],
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
    const result = loadPipeline(text, { file: `${name}.yaml`, id: name });
    return context.json({ valid: result.value !== undefined, issues: result.issues });
  });

  routes.get("/:name", (context) => {
    // Names only: a path from a request must never reach the file system.
    const entry = library.findName(context.req.param("name"));
    const result = loadPipeline(library.read(entry), { file: entry.path, id: entry.name });
    if (!result.value) {
      throw new ValidationError(`Pipeline "${entry.name}" does not validate`, result.issues);
    }
    return context.json({ pipeline: result.value, origin: entry.origin, issues: result.issues });
  });

  return routes;
}
