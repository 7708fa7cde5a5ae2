/**
 * The pipelines of a server's workspace. Validating takes local files (sent
 * as YAML text to `/api/pipelines/validate`, the issues pointed back at the
 * local file) or names of pipelines the server has.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import type { ValidationIssue } from "../../engine/errors.ts";
import { WriteItApiError } from "../../client/mod.ts";
import type { ValidationResult } from "../pipeline_view.ts";
import type { PipelineSource } from "../sources/pipeline_source.ts";
import type { RemoteContext } from "./remote_context.ts";

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Checks one file (sent as text) or one name the server knows. */
async function checkOne(context: RemoteContext, target: string): Promise<ValidationResult> {
  const { client } = context;
  if (isFile(target)) {
    const name = basename(target, extname(target));
    const result = await client.validatePipeline(readFileSync(target, "utf8"), { name });
    // The server names the file it was sent as; point the issues at the local file instead.
    const issues = result.issues.map((issue) => ({ ...issue, file: target }));
    return { name, path: target, valid: result.valid, issues };
  }
  try {
    const result = await client.checkPipeline(target);
    return { name: result.name, path: target, valid: true, issues: result.issues };
  } catch (error) {
    if (!(error instanceof WriteItApiError)) throw error;
    if (error.status === 422) {
      const issues = (error.problem.issues ?? []) as ValidationIssue[];
      return { name: target, path: target, valid: false, issues };
    }
    if (error.status === 404) {
      return {
        name: target,
        path: target,
        valid: false,
        issues: [{ severity: "error", message: error.problem.detail, path: "" }],
      };
    }
    throw error;
  }
}

/** A PipelineSource over the server's REST API. */
export function remotePipelineSource(context: RemoteContext): PipelineSource {
  const { client } = context;
  return {
    list: () => client.listPipelines(),
    async show(name) {
      const { pipeline, origin, issues } = await client.getPipeline(name);
      return { pipeline, origin, source: `${origin} on ${context.server}`, issues };
    },
    validate: (targets) => Promise.all(targets.map((target) => checkOne(context, target))),
  };
}
