/**
 * How pipelines read in the terminal: the `pipeline list` table, the
 * `pipeline show` page and the `pipeline validate` report of
 * cli/commands/pipeline.ts, locally and with `--server` alike. It takes
 * what the caller computed (the run order, the issues) and loads nothing.
 *
 * @example
 * ```ts
 * printPipeline(output, pipeline, { source: "bundled: quick-article.yaml", layers, issues });
 * ```
 */
import { formatIssue, ValidationError, type ValidationIssue } from "../engine/errors.ts";
import type { Pipeline } from "../engine/pipeline_schema.ts";
import type { Output } from "./output.ts";

/** How many of `issues` are errors, and how many warnings. */
export function issueCounts(issues: ValidationIssue[]): { errors: number; warnings: number } {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  return { errors, warnings: issues.length - errors };
}

/** `1 error`, `2 errors`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** One row of `pipeline list`: `errors` when known, else an invalid pipeline reads "invalid". */
export interface PipelineListRow {
  name: string;
  origin: string;
  valid: boolean;
  steps: string[] | null;
  description: string | null;
  errors?: number;
}

/** `pipeline list`: the rows as JSON with `--json`, else a table. */
export function printPipelineList<Row extends PipelineListRow>(output: Output, rows: Row[]): void {
  if (output.json) return output.printJson(rows);
  const { styles: colours } = output;
  output.table<Row>(rows, [
    { header: "NAME", value: (row) => colours.bold(row.name) },
    { header: "FROM", value: (row) => row.origin },
    {
      header: "STEPS",
      value: (row) => row.valid && row.steps ? String(row.steps.length) : "-",
      right: true,
    },
    {
      header: "STATUS",
      value: (row) =>
        row.valid
          ? colours.green("ok")
          : colours.red(row.errors === undefined ? "invalid" : plural(row.errors, "error")),
    },
    { header: "DESCRIPTION", value: (row) => row.description ?? "" },
  ], "No pipelines found");
}

/**
 * `pipeline show`: title and `source` (where it comes from), description,
 * inputs, steps and the run order (`layers`); each issue as a note.
 */
export function printPipeline(
  output: Output,
  pipeline: Pipeline,
  options: { source: string; layers: string[][]; issues: ValidationIssue[] },
): void {
  const { styles: colours } = output;
  output.print(`${colours.bold(pipeline.metadata.name)} (${pipeline.id}, ${options.source})`);
  if (pipeline.metadata.description) output.print(pipeline.metadata.description);
  if (pipeline.style) output.print(`Style: ${pipeline.style}`);
  output.print("");
  output.print(colours.bold("Inputs"));
  const inputWidth = Math.max(0, ...pipeline.inputs.map((input) => input.name.length));
  for (const input of pipeline.inputs) {
    const details = [
      input.type,
      input.required ? "required" : "optional",
      input.default !== undefined ? `default ${JSON.stringify(input.default)}` : undefined,
      input.options.length
        ? `one of ${input.options.map((option) => option.value).join(", ")}`
        : undefined,
    ].filter(Boolean).join(", ");
    output.print(`  ${input.name.padEnd(inputWidth)}  ${colours.dim(details)}`);
  }
  output.print("");
  output.print(colours.bold("Steps"));
  const idWidth = Math.max(0, ...pipeline.steps.map((step) => step.id.length));
  const nameWidth = Math.max(0, ...pipeline.steps.map((step) => step.name.length));
  for (const step of pipeline.steps) {
    const models = step.models.length
      ? `models ${step.models.join(" + ")}`
      : step.modelPreference.length
      ? `model ${step.modelPreference.join(" → ")}`
      : "default model";
    const after = step.dependsOn.length ? `after ${step.dependsOn.join(", ")}` : "first";
    const count = step.responseCount > 1 ? `, ${step.responseCount} candidates each` : "";
    output.print(
      `  ${step.id.padEnd(idWidth)}  ${step.name.padEnd(nameWidth)}  ${
        colours.dim(`${step.type}, ${after}, ${models}${count}`)
      }`,
    );
  }
  output.print("");
  output.print(`Run order: ${options.layers.map((layer) => layer.join(" + ")).join(" → ")}`);
  for (const issue of options.issues) output.note(formatIssue(issue));
}

/** What `pipeline validate` found for one name or file. */
export interface ValidationResult {
  name: string;
  path: string;
  valid: boolean;
  issues: ValidationIssue[];
}

/**
 * `pipeline validate`'s report. With `--json`: one document, and exit code 1
 * (set on `context`) when a pipeline is invalid. Otherwise every issue as
 * `file:line:column: …` and a ✓/✗ line per pipeline, then a ValidationError
 * naming the invalid ones.
 */
export function reportValidation(
  context: { readonly output: Output; exitCode: number },
  results: ValidationResult[],
): void {
  const { output } = context;
  const invalid = results.filter((result) => !result.valid);
  if (output.json) {
    const body = results.map((result) => ({
      name: result.name,
      path: result.path,
      valid: result.valid,
      ...issueCounts(result.issues),
      issues: result.issues,
    }));
    output.printJson({ valid: invalid.length === 0, results: body });
    if (invalid.length > 0) context.exitCode = 1;
    return;
  }
  const { styles: colours } = output;
  for (const { name, valid, issues } of results) {
    for (const issue of issues) output.print(formatIssue(issue));
    const { errors, warnings } = issueCounts(issues);
    output.print(
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
}
