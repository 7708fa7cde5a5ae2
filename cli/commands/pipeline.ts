/**
 * `writeit pipeline list|show|validate`: pipelines from the workspace, global
 * and bundled libraries (or any file path). `validate` prints each issue as
 * `file:line:column: severity: message (at path)` and exits 0 when every
 * pipeline is valid, 1 when one is not, 2 on a usage error.
 */
import type { Command } from "commander";
import { formatIssue, ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { Library, LibraryEntry } from "../../storage/library.ts";
import { type CliContext, cliContext } from "../cli_context.ts";
import { checkNamed } from "../named_checks.ts";
import { cachedByFiles } from "../summary_cache.ts";

interface Checked {
  entry: LibraryEntry;
  pipeline?: Pipeline;
  issues: ValidationIssue[];
}

/** The pipeline language, loaded when a command needs it (keeps `writeit --help` fast). */
async function language() {
  const [{ checkPipelineEntry }, { executionLayers }] = await Promise.all([
    import("../../storage/pipeline_check.ts"),
    import("../../engine/pipeline_graph.ts"),
  ]);
  return { checkPipelineEntry, executionLayers };
}

type Language = Awaited<ReturnType<typeof language>>;

/** Loads one pipeline and checks the style primers it names against the style library. */
function check(
  engine: Language,
  pipelines: Library,
  styles: Library,
  entry: LibraryEntry,
): Checked {
  return engine.checkPipelineEntry(pipelines, styles, entry);
}

function counts(issues: ValidationIssue[]): { errors: number; warnings: number } {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  return { errors, warnings: issues.length - errors };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** One row of `pipeline list` (also its JSON output). */
interface PipelineSummary {
  name: string;
  origin: string;
  path: string;
  shadows: string[];
  valid: boolean;
  title: string | null;
  description: string | null;
  steps: string[] | null;
  errors: number;
  warnings: number;
}

function summarize({ entry, pipeline, issues }: Checked): PipelineSummary {
  return {
    name: entry.name,
    origin: entry.origin,
    path: entry.path,
    shadows: entry.shadows,
    valid: pipeline !== undefined,
    title: pipeline?.metadata.name ?? null,
    description: pipeline?.metadata.description ?? null,
    steps: pipeline?.steps.map((step) => step.id) ?? null,
    ...counts(issues),
  };
}

async function libraries(context: CliContext): Promise<[Library, Library]> {
  return [await context.library("pipeline"), await context.library("style")];
}

/** Registers `pipeline list|show|validate`. */
export function registerPipelineCommands(program: Command): void {
  const pipeline = program.command("pipeline").description("list, show and validate pipelines");

  pipeline.command("list")
    .description("list the pipelines you can run (workspace, global and bundled)")
    .option("--json", "print the list as JSON")
    .action(async function (this: Command) {
      const context = cliContext(this);
      const [pipelines, styles] = await libraries(context);
      const entries = pipelines.list();
      const files = [...entries, ...styles.list()].flatMap((
        entry,
      ) => [entry.path, ...entry.shadows]);
      // Loading every pipeline is the slow part of listing: reuse the last listing while no file changed.
      const rows: PipelineSummary[] = await cachedByFiles(
        context.home,
        `pipeline-list-${context.workspaceName()}`,
        files,
        async () => {
          const engine = await language();
          return entries.map((entry) => summarize(check(engine, pipelines, styles, entry)));
        },
      );
      if (context.json) return context.output.printJson(rows);
      const { styles: colours } = context.output;
      context.output.table(rows, [
        { header: "NAME", value: (row) => colours.bold(row.name) },
        { header: "FROM", value: (row) => row.origin },
        {
          header: "STEPS",
          value: (row) => row.steps ? String(row.steps.length) : "-",
          right: true,
        },
        {
          header: "STATUS",
          value: (row) =>
            row.valid ? colours.green("ok") : colours.red(plural(row.errors, "error")),
        },
        { header: "DESCRIPTION", value: (row) => row.description ?? "" },
      ], "No pipelines found");
    });

  pipeline.command("show <name>")
    .description("show a pipeline's inputs, steps and the order they run in")
    .option("--json", "print the normalized pipeline as JSON")
    .action(async function (this: Command, name: string) {
      const context = cliContext(this);
      const [pipelines, styles] = await libraries(context);
      const entry = pipelines.find(name);
      const engine = await language();
      const { pipeline: value, issues } = check(engine, pipelines, styles, entry);
      if (!value) {
        throw new ValidationError(
          `Pipeline "${entry.name}" is invalid: ${plural(counts(issues).errors, "error")}`,
          issues,
        );
      }
      const layers = engine.executionLayers(value);
      if (context.json) return context.output.printJson({ ...value, origin: entry.origin, layers });
      const { styles: colours } = context.output;
      const out = context.output;
      out.print(
        `${colours.bold(value.metadata.name)} (${value.id}, ${entry.origin}: ${entry.path})`,
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
    });

  pipeline.command("validate <names...>")
    .description("check pipelines by name or path; prints every problem with file:line:column")
    .option("--json", "print the results as JSON")
    .action(async function (this: Command, names: string[]) {
      const context = cliContext(this);
      const [pipelines, styles] = await libraries(context);
      const engine = await language();
      const results = await checkNamed(
        pipelines,
        names,
        (entry) => check(engine, pipelines, styles, entry),
      );
      const invalid = results.filter((result) => !result.pipeline);
      if (context.json) {
        const body = results.map(({ entry, pipeline, issues }) => ({
          name: entry.name,
          path: entry.path,
          valid: pipeline !== undefined,
          ...counts(issues),
          issues,
        }));
        context.output.printJson({ valid: invalid.length === 0, results: body });
        if (invalid.length > 0) context.exitCode = 1;
        return;
      }
      const { styles: colours } = context.output;
      for (const { entry, pipeline, issues } of results) {
        for (const issue of issues) context.output.print(formatIssue(issue));
        const { errors, warnings } = counts(issues);
        context.output.print(
          pipeline
            ? `${colours.green("✓")} ${entry.name}: valid${
              warnings ? ` (${plural(warnings, "warning")})` : ""
            }`
            : `${colours.red("✗")} ${entry.name}: ${plural(errors, "error")}${
              warnings ? `, ${plural(warnings, "warning")}` : ""
            }`,
        );
      }
      if (invalid.length > 0) {
        throw new ValidationError(
          `${invalid.length} of ${plural(results.length, "pipeline")} failed validation: ${
            invalid.map((result) => result.entry.name).join(", ")
          }`,
        );
      }
    });
}
