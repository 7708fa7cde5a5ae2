/**
 * A run's documents from the selected workspace: rendered in this process
 * with the bundled eta layouts, or the workspace's own in
 * `layouts/article.md.eta` or `layouts/article.html.eta`; and the auto-save
 * of completed runs to the workspace's `outputs/`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import type { ExportFormat } from "../../engine/user_preferences.ts";
import type { CliContext } from "../cli_context.ts";
import type { ExportSource } from "./export_source.ts";

/** The workspace's layout override for `format`, if it has one. */
export function workspaceLayout(context: CliContext, format: ExportFormat): string | undefined {
  if (format !== "md" && format !== "html") return undefined;
  const name = format === "md" ? "article.md.eta" : "article.html.eta";
  const path = join(context.workspace().path, "layouts", name);
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Renders a run in `format` with the workspace's layouts. */
export async function renderRun(
  context: CliContext,
  run: PipelineRun,
  options: { format: ExportFormat; history?: boolean; pipeline?: Pipeline },
): Promise<string> {
  const { renderExport } = await import("../../engine/export/export_renderer.ts");
  const { createRunWiring } = await import("../run_wiring.ts");
  const { service, store } = await createRunWiring(context);
  const pipeline = options.pipeline ?? await service.pipelineOf(run.runId).catch(() => undefined);
  const events = options.format === "json" || options.format === "yaml"
    ? await store.read(run.runId)
    : undefined;
  return renderExport(run, pipeline, {
    format: options.format,
    history: options.history,
    layout: workspaceLayout(context, options.format),
    events,
  });
}

/** `<workspace>/outputs/<date>-<pipeline>-<runid8>.md`. */
export function outputPath(context: CliContext, run: PipelineRun): string {
  const date = (run.completedAt ?? run.updatedAt ?? run.createdAt).slice(0, 10);
  const pipeline = run.pipelineId.replace(/[^A-Za-z0-9_-]+/g, "-");
  return join(
    context.workspace().path,
    "outputs",
    `${date}-${pipeline}-${run.runId.slice(0, 8)}.md`,
  );
}

/** Writes a completed run's article (Markdown) to the workspace's outputs/; returns the path. */
export async function saveRunOutput(
  context: CliContext,
  run: PipelineRun,
  options: { pipeline?: Pipeline } = {},
): Promise<string> {
  const path = outputPath(context, run);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await renderRun(context, run, { format: "md", pipeline: options.pipeline }));
  return path;
}

/** An ExportSource over the workspace's runs and layouts. */
export function localExportSource(context: CliContext): ExportSource {
  return {
    defaultFormat: async () =>
      String((await context.config()).get("preferences.export_format") ?? "md"),
    async resolve(text) {
      const { createRunWiring, resolveRunId } = await import("../run_wiring.ts");
      return resolveRunId((await createRunWiring(context)).store, text);
    },
    async render(runId, options) {
      const { createRunWiring } = await import("../run_wiring.ts");
      const run = await (await createRunWiring(context)).store.loadRun(runId);
      return renderRun(context, run, options);
    },
  };
}
