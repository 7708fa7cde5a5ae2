/**
 * `writeit --server URL export RUN --format md|json|yaml|html [--history]
 * [-o FILE]`: the document the server renders (with the server workspace's
 * layouts), written to stdout or a local file. The default format is md.
 */
import type { Command } from "commander";
import { parseExportFormat, writeExport } from "../export_file.ts";
import { remoteContext, remotely } from "./remote_context.ts";
import { resolveRemoteRunId } from "./remote_runs.ts";

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
        // The API calls md "markdown", and so may the writer.
        const name = options.format ?? "md";
        const format = parseExportFormat(name === "markdown" ? "md" : name);
        const runId = await resolveRemoteRunId(context.client, runText);
        const text = await context.client.exportRun(runId, {
          format: format === "md" ? "markdown" : format,
          history: options.history,
        });
        writeExport(context.output, text, { file: options.output, runId, format: name });
      })
    );
}
