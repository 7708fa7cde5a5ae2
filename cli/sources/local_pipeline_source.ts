/**
 * The pipelines of the workspace, global and bundled libraries (or any file
 * path), each checked against the style library it names primers from.
 * Listing reuses the last listing while no pipeline or style file changed.
 */
import { ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { Library, LibraryEntry } from "../../engine/library.ts";
import type { CliContext } from "../cli_context.ts";
import { checkNamed } from "../named_checks.ts";
import { issueCounts, plural } from "../pipeline_view.ts";
import { cachedByFiles } from "../summary_cache.ts";
import type { PipelineSource } from "./pipeline_source.ts";

interface Checked {
  entry: LibraryEntry;
  pipeline?: Pipeline;
  issues: ValidationIssue[];
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

/** Loads one pipeline and checks the style primers it names against the style library. */
async function checker(
  pipelines: Library,
  styles: Library,
): Promise<(entry: LibraryEntry) => Checked> {
  const { checkPipelineEntry } = await import("../../engine/pipeline_check.ts");
  return (entry) => checkPipelineEntry(pipelines, styles, entry);
}

/** A PipelineSource over the libraries seen from the selected workspace. */
export async function localPipelineSource(context: CliContext): Promise<PipelineSource> {
  const pipelines = await context.library("pipeline");
  const styles = await context.library("style");
  return {
    list() {
      const entries = pipelines.list();
      const files = [...entries, ...styles.list()].flatMap((
        entry,
      ) => [entry.path, ...entry.shadows]);
      // Loading every pipeline is the slow part of listing: reuse the last listing while no file changed.
      return cachedByFiles(
        context.home,
        `pipeline-list-${context.workspaceName()}`,
        files,
        async () => {
          const check = await checker(pipelines, styles);
          return entries.map((entry) => summarize(check(entry)));
        },
      );
    },
    async show(name) {
      const entry = pipelines.find(name);
      const check = await checker(pipelines, styles);
      const { pipeline, issues } = check(entry);
      if (!pipeline) {
        throw new ValidationError(
          `Pipeline "${entry.name}" is invalid: ${plural(issueCounts(issues).errors, "error")}`,
          issues,
        );
      }
      return { pipeline, origin: entry.origin, source: `${entry.origin}: ${entry.path}`, issues };
    },
    async validate(targets) {
      const check = await checker(pipelines, styles);
      const results = await checkNamed(pipelines, targets, check);
      return results.map(({ entry, pipeline, issues }) => ({
        name: entry.name,
        path: entry.path,
        valid: pipeline !== undefined,
        issues,
      }));
    },
  };
}
