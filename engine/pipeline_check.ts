/**
 * The full check of a pipeline as WriteIt runs it: the pipeline language's
 * own validation, plus the style primers its steps name, looked up in a
 * style library. The CLI (`pipeline list|show|validate`) and the API use the
 * same check, so they always agree on what is valid. Style names are looked
 * up by name only: a pipeline sent over the network cannot make it read a path.
 */
import type { ValidationIssue } from "./errors.ts";
import { loadPipeline } from "./pipeline_loader.ts";
import type { Pipeline } from "./pipeline_schema.ts";
import { styleReferenceIssues } from "./pipeline_template_check.ts";
import { loadStylePrimer } from "./style_primer.ts";
import type { Library, LibraryEntry } from "./library.ts";

/** A pipeline's check: the pipeline when it is valid, and every issue found. */
export interface PipelineCheck {
  pipeline?: Pipeline;
  issues: ValidationIssue[];
}

/** Checks pipeline text against the style primers of `styles`. */
export function checkPipelineText(
  text: string,
  styles: Library,
  options: { file?: string; id?: string } = {},
): PipelineCheck {
  const { value, issues } = loadPipeline(text, options);
  if (!value) return { issues };
  const named = new Set(value.steps.flatMap((step) => (step.style ? [step.style] : [])));
  const primers = new Map<string, Record<string, unknown> | undefined>();
  for (const entry of styles.list()) primers.set(entry.name, {});
  for (const id of named) {
    let fields: Record<string, unknown> | undefined;
    try {
      const entry = styles.findName(id);
      fields = loadStylePrimer(styles.read(entry), { file: entry.path, id }).value?.fields;
    } catch {
      fields = undefined; // reported below as a style that does not exist or does not load
    }
    primers.set(id, fields);
  }
  const all = [...issues, ...styleReferenceIssues(value, primers, { text })];
  const valid = !all.some((issue) => issue.severity === "error");
  return { pipeline: valid ? value : undefined, issues: all };
}

/** Checks one library entry (see `checkPipelineText`). */
export function checkPipelineEntry(
  pipelines: Library,
  styles: Library,
  entry: LibraryEntry,
): PipelineCheck & { entry: LibraryEntry } {
  const checked = checkPipelineText(pipelines.read(entry), styles, {
    file: entry.path,
    id: entry.name,
  });
  return { entry, ...checked };
}
