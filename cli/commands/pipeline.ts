/**
 * `writeit pipeline list|show|validate`: pipelines from the workspace, global
 * and bundled libraries (or any file path). `validate` prints each issue as
 * `file:line:column: severity: message (at path)` and exits 0 when every
 * pipeline is valid, 1 when one is not, 2 on a usage error.
 */
import type { Command } from "commander";
import { ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { Library, LibraryEntry } from "../../engine/library.ts";
import { type CliContext, cliContext } from "../cli_context.ts";
import { checkNamed } from "../named_checks.ts";
import {
  issueCounts,
  plural,
  printPipeline,
  printPipelineList,
  reportValidation,
} from "../pipeline_view.ts";
import { cachedByFiles } from "../summary_cache.ts";

interface Checked {
  entry: LibraryEntry;
  pipeline?: Pipeline;
  issues: ValidationIssue[];
}

/** The pipeline language, loaded when a command needs it (keeps `writeit --help` fast). */
async function language() {
  const [{ checkPipelineEntry }, { executionLayers }] = await Promise.all([
    import("../../engine/pipeline_check.ts"),
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
    ...issueCounts(issues),
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
      printPipelineList(context.output, rows);
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
          `Pipeline "${entry.name}" is invalid: ${plural(issueCounts(issues).errors, "error")}`,
          issues,
        );
      }
      const layers = engine.executionLayers(value);
      if (context.json) return context.output.printJson({ ...value, origin: entry.origin, layers });
      printPipeline(context.output, value, {
        source: `${entry.origin}: ${entry.path}`,
        layers,
        issues,
      });
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
      reportValidation(
        context,
        results.map(({ entry, pipeline, issues }) => ({
          name: entry.name,
          path: entry.path,
          valid: pipeline !== undefined,
          issues,
        })),
      );
    });
}
