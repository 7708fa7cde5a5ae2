/**
 * Renders a run as an article in one of the export formats: Markdown with
 * YAML front matter (a static site generator reads it), JSON and YAML (the
 * full run state plus an events summary), or a standalone HTML page. Markdown
 * and HTML go through eta layouts — bundled ones, or a workspace's override
 * that the caller read and passes as `layout` (layouts are trusted files).
 * HTML renders with auto-escaping on.
 *
 * @example
 * ```ts
 * const markdown = renderExport(run, pipeline, { format: "md", history: true });
 * ```
 */
import { Eta } from "eta";
import { stringify } from "yaml";
import type { EventEnvelope } from "../events/event_envelope.ts";
import { ValidationError } from "../errors.ts";
import type { Pipeline } from "../pipeline_schema.ts";
import type { PipelineRun } from "../run_model.ts";
import type { ExportFormat } from "../user_preferences.ts";
import { HTML_LAYOUT, MARKDOWN_LAYOUT } from "./default_layouts.ts";
import { type ExportView, exportView } from "./export_view.ts";
import { markdownToHtml } from "./markdown_to_html.ts";

/** Options of `renderExport`. */
export interface RenderExportOptions {
  format: ExportFormat;
  /** Add each step's prompt, candidates, selection and feedback (default false). */
  history?: boolean;
  /** eta layout text replacing the bundled one (md and html only). */
  layout?: string;
  /** The run's events, summarized in json/yaml exports. */
  events?: EventEnvelope[];
}

/** What an eta layout receives as `it`. */
export interface ExportLayoutData extends ExportView {
  includeHistory: boolean;
  /** The front matter as YAML text ending in a newline (md). */
  frontMatterYaml: string;
  /** The article as HTML, already escaped (html). */
  articleHtml: string;
  /** Wraps text in a Markdown code fence longer than any backtick run inside it. */
  fenced(text: string): string;
}

/** File extension of each format. */
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = {
  md: "md",
  json: "json",
  yaml: "yaml",
  html: "html",
};

function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
}

function renderLayout(layout: string, data: ExportLayoutData, autoEscape: boolean): string {
  const eta = new Eta({ autoEscape, autoTrim: false, cache: false });
  try {
    return eta.renderString(layout, data);
  } catch (error) {
    throw new ValidationError(
      `Cannot render the export layout: ${
        (error as Error).message.split("\n")[0]
      }: fix the layout file or remove it to use the bundled one`,
      [],
      { cause: error },
    );
  }
}

/** The data object of json and yaml exports. */
export function exportDocument(view: ExportView, pipeline: Pipeline | undefined) {
  return {
    format: "writeit-run",
    formatVersion: 1,
    article: { title: view.title, text: view.body },
    frontMatter: view.frontMatter,
    pipeline: pipeline
      ? {
        id: pipeline.id,
        name: pipeline.metadata.name,
        version: pipeline.metadata.version,
        hash: pipeline.hash,
      }
      : { id: view.run.pipelineId, hash: view.run.pipelineHash },
    run: view.run,
    ...(view.events ? { events: view.events } : {}),
  };
}

/** Renders `run` (produced by `pipeline`, when still known) in `options.format`. */
export function renderExport(
  run: PipelineRun,
  pipeline: Pipeline | undefined,
  options: RenderExportOptions,
): string {
  const view = exportView(run, pipeline, { events: options.events });
  switch (options.format) {
    case "json":
      return JSON.stringify(exportDocument(view, pipeline), null, 2) + "\n";
    case "yaml":
      return stringify(exportDocument(view, pipeline), {
        lineWidth: 0,
        aliasDuplicateObjects: false,
      });
    case "md":
    case "html": {
      const data: ExportLayoutData = {
        ...view,
        includeHistory: options.history ?? false,
        frontMatterYaml: stringify(view.frontMatter, { lineWidth: 0 }),
        articleHtml: options.format === "html" ? markdownToHtml(view.body) : "",
        fenced,
      };
      const layout = options.layout ?? (options.format === "md" ? MARKDOWN_LAYOUT : HTML_LAYOUT);
      return renderLayout(layout, data, options.format === "html");
    }
    default:
      throw new ValidationError(
        `Unknown export format "${String(options.format)}": use md, json, yaml or html`,
      );
  }
}
