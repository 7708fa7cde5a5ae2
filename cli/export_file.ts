/**
 * What `writeit export` does with its options before and after the document
 * is rendered, locally or with `--server`: checks `--format` (md, json, yaml
 * or html), then writes the document to stdout or to the `-o` file (creating
 * its folder), saying where it went.
 *
 * @example
 * ```ts
 * const format = parseExportFormat(options.format ?? "md");
 * writeExport(output, text, { file: options.output, runId, format });
 * ```
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ExportFormat } from "../engine/user_preferences.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

const FORMATS: readonly string[] = ["md", "json", "yaml", "html"] satisfies ExportFormat[];

/** `text` as an export format; anything else is a UsageError listing the formats. */
export function parseExportFormat(text: string): ExportFormat {
  const format = ALIASES[text.toLowerCase()] ?? text.toLowerCase();
  if (!FORMATS.includes(format)) {
    throw new UsageError(`Unknown format "${text}": use md (or markdown), json, yaml or html`);
  }
  return format as ExportFormat;
}

/** Other names of the formats, as the API and common use spell them. */
const ALIASES: Record<string, string> = { markdown: "md", yml: "yaml", htm: "html" };

/**
 * Writes an exported document to stdout, or to `file` (its folder created)
 * with a note naming the run, the `format` and the path. A file that cannot
 * be written (a folder, no permission) is a UsageError.
 */
export function writeExport(
  output: Output,
  text: string,
  options: { file?: string; runId: string; format: string },
): void {
  if (!options.file) return output.write(text);
  const path = resolve(options.file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    const reason = (error as { code?: string }).code === "EISDIR"
      ? "it is a folder"
      : (error as Error).message;
    throw new UsageError(
      `Cannot write the export to "${path}": ${reason}: choose another -o path`,
    );
  }
  output.note(`Exported run ${options.runId.slice(0, 8)} as ${options.format} to ${path}`);
}
