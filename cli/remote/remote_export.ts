/**
 * `writeit --server URL export RUN --format md|json|yaml|html [--history]
 * [-o FILE]`: the document the server renders (with the server workspace's
 * layouts), written to stdout or a local file. The default format is md.
 */
import type { Command } from "commander";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ExportFormat } from "../../client/api_types.ts";
import { UsageError } from "../usage_error.ts";
import { remoteContext, remotely } from "./remote_context.ts";
import { resolveRemoteRunId } from "./remote_runs.ts";

/** CLI format names → API format names. */
const FORMATS: Record<string, ExportFormat> = {
  md: "markdown",
  markdown: "markdown",
  json: "json",
  yaml: "yaml",
  html: "html",
};

/** Registers `export` for `--server`. */
export function registerRemoteExportCommand(program: Command): Command {
  return program.command("export")
    .description("export a run's article (md with front matter, json, yaml or html)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("-f, --format <format>", "md, json, yaml or html (default md)")
    .option("--history", "add each step's prompt, candidates, selection and feedback")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action((
      runText: string,
      options: { format?: string; history?: boolean; output?: string },
      command: Command,
    ) =>
      remotely(async () => {
        const context = remoteContext(command);
        const format = FORMATS[options.format ?? "md"];
        if (!format) {
          throw new UsageError(`Unknown format "${options.format}": use md, json, yaml or html`);
        }
        const runId = await resolveRemoteRunId(context.client, runText);
        const text = await context.client.exportRun(runId, { format, history: options.history });
        if (!options.output) return context.output.write(text);
        const path = resolve(options.output);
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
        context.output.note(
          `Exported run ${runId.slice(0, 8)} as ${options.format ?? "md"} to ${path}`,
        );
      })
    );
}
