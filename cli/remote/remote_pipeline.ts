/**
 * `writeit --server URL pipeline list|show|validate`: the pipelines of the
 * server's workspace. `validate` takes local files (sent as YAML text to
 * `/api/pipelines/validate`) or names of pipelines the server has, and
 * prints every issue as `file:line:column: severity: message (at path)`,
 * like the local command; exit 1 when one is invalid.
 */
import type { Command } from "commander";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { formatIssue, ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import { executionLayers } from "../../engine/pipeline_graph.ts";
import { WriteItApiError } from "../../client/api_error.ts";
import type { PipelineListItem } from "../../client/api_types.ts";
import { type RemoteContext, remoteContext, remotely } from "./remote_context.ts";

function counts(issues: ValidationIssue[]): { errors: number; warnings: number } {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  return { errors, warnings: issues.length - errors };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

interface Checked {
  name: string;
  path: string;
  valid: boolean;
  issues: ValidationIssue[];
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Checks one file (sent as text) or one name the server knows. */
async function checkOne(context: RemoteContext, target: string): Promise<Checked> {
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
        const rows = await context.client.listPipelines();
        if (context.json) return context.output.printJson(rows);
        const { styles: colours } = context.output;
        context.output.table<PipelineListItem>(rows, [
          { header: "NAME", value: (row) => colours.bold(row.name) },
          { header: "FROM", value: (row) => row.origin },
          {
            header: "STEPS",
            value: (row) => row.valid ? String(row.steps.length) : "-",
            right: true,
          },
          {
            header: "STATUS",
            value: (row) => row.valid ? colours.green("ok") : colours.red("invalid"),
          },
          { header: "DESCRIPTION", value: (row) => row.description ?? "" },
        ], "No pipelines found");
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
        const { styles: colours } = context.output;
        const out = context.output;
        out.print(
          `${colours.bold(value.metadata.name)} (${value.id}, ${origin} on ${context.server})`,
        );
        if (value.metadata.description) out.print(value.metadata.description);
        if (value.style) out.print(`Style: ${value.style}`);
        out.print("");
        out.print(colours.bold("Inputs"));
        const inputWidth = Math.max(0, ...value.inputs.map((input) => input.name.length));
        for (const input of value.inputs) {
          const details = [
            input.type,
            input.required ? "required" : "optional",
            input.default !== undefined ? `default ${JSON.stringify(input.default)}` : undefined,
            input.options.length
              ? `one of ${input.options.map((option) => option.value).join(", ")}`
              : undefined,
          ].filter(Boolean).join(", ");
          out.print(`  ${input.name.padEnd(inputWidth)}  ${colours.dim(details)}`);
        }
        out.print("");
        out.print(colours.bold("Steps"));
        const idWidth = Math.max(0, ...value.steps.map((step) => step.id.length));
        const nameWidth = Math.max(0, ...value.steps.map((step) => step.name.length));
        for (const step of value.steps) {
          const models = step.models.length
            ? `models ${step.models.join(" + ")}`
            : step.modelPreference.length
            ? `model ${step.modelPreference.join(" → ")}`
            : "default model";
          const after = step.dependsOn.length ? `after ${step.dependsOn.join(", ")}` : "first";
          const count = step.responseCount > 1 ? `, ${step.responseCount} candidates each` : "";
          out.print(
            `  ${step.id.padEnd(idWidth)}  ${step.name.padEnd(nameWidth)}  ${
              colours.dim(`${step.type}, ${after}, ${models}${count}`)
            }`,
          );
        }
        out.print("");
        out.print(`Run order: ${layers.map((layer) => layer.join(" + ")).join(" → ")}`);
        for (const issue of issues) out.note(formatIssue(issue));
      })
    );

  pipeline.command("validate <targets...>")
    .description("check pipeline files (sent to the server) or names the server knows")
    .option("--json", "print the results as JSON")
    .action((targets: string[], _options: unknown, command: Command) =>
      remotely(async () => {
        const context = remoteContext(command);
        const results = await Promise.all(targets.map((target) => checkOne(context, target)));
        const invalid = results.filter((result) => !result.valid);
        if (context.json) {
          const body = results.map((result) => ({
            name: result.name,
            path: result.path,
            valid: result.valid,
            ...counts(result.issues),
            issues: result.issues,
          }));
          context.output.printJson({ valid: invalid.length === 0, results: body });
          if (invalid.length > 0) context.exitCode = 1;
          return;
        }
        const { styles: colours } = context.output;
        for (const { name, valid, issues } of results) {
          for (const issue of issues) context.output.print(formatIssue(issue));
          const { errors, warnings } = counts(issues);
          context.output.print(
            valid
              ? `${colours.green("✓")} ${name}: valid${
                warnings ? ` (${plural(warnings, "warning")})` : ""
              }`
              : `${colours.red("✗")} ${name}: ${plural(errors, "error")}${
                warnings ? `, ${plural(warnings, "warning")}` : ""
              }`,
          );
        }
        if (invalid.length > 0) {
          throw new ValidationError(
            `${invalid.length} of ${plural(results.length, "pipeline")} failed validation: ${
              invalid.map((result) => result.name).join(", ")
            }`,
          );
        }
      })
    );
  return pipeline;
}
