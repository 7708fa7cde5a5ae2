/**
 * `writeit --server URL pipeline list|show|validate`: the pipelines of the
 * server's workspace. `validate` takes local files (sent as YAML text to
 * `/api/pipelines/validate`) or names of pipelines the server has, and
 * prints every issue as `file:line:column: severity: message (at path)`,
 * like the local command (both print through cli/pipeline_view.ts); exit 1
 * when one is invalid.
 */
import type { Command } from "commander";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import type { ValidationIssue } from "../../engine/errors.ts";
import { executionLayers } from "../../engine/pipeline_graph.ts";
import { WriteItApiError } from "../../client/mod.ts";
import {
  printPipeline,
  printPipelineList,
  reportValidation,
  type ValidationResult,
} from "../pipeline_view.ts";
import { type RemoteContext, remoteContext, remotely } from "./remote_context.ts";

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

/** Registers `pipeline list|show|validate` for `--server`. */
export function registerRemotePipelineCommands(program: Command): Command {
  const pipeline = program.command("pipeline").description("list, show and validate pipelines");

  pipeline.command("list")
    .description("list the pipelines the server's workspace can run")
    .option("--json", "print the list as JSON")
    .action((_options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        printPipelineList(context.output, await context.client.listPipelines());
      })
    );

  pipeline.command("show <name>")
    .description("show a pipeline's inputs, steps and the order they run in")
    .option("--json", "print the normalized pipeline as JSON")
    .action((name: string, _options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const { pipeline: value, origin, issues } = await context.client.getPipeline(name);
        const layers = executionLayers(value);
        if (context.json) return context.output.printJson({ ...value, origin, layers });
        printPipeline(context.output, value, {
          source: `${origin} on ${context.server}`,
          layers,
          issues,
        });
      })
    );

  pipeline.command("validate <targets...>")
    .description("check pipeline files (sent to the server) or names the server knows")
    .option("--json", "print the results as JSON")
    .action((targets: string[], _options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const results = await Promise.all(targets.map((target) => checkOne(context, target)));
        reportValidation(context, results);
      })
    );
  return pipeline;
}
