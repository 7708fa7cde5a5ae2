/**
 * `writeit export RUN --format md|json|yaml|html [--history] [-o FILE]`: a
 * run's document, written to stdout or a file, through an ExportSource
 * (cli/sources/export_source.ts): rendered here with the workspace's layouts
 * (default format: preferences.export_format), or with `--server` by the
 * server with its workspace's layouts (default format: md).
 */
import type { Command } from "commander";
import { openPort } from "../command_mode.ts";
import { parseExportFormat, writeExport } from "../export_file.ts";
import type { ExportSource } from "../sources/export_source.ts";

/** Registers `export`. */
export function registerExportCommand(program: Command): void {
  program.command("export")
    .description("export a run's article (md with front matter, json, yaml or html)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option(
      "-f, --format <format>",
      "md (or markdown), json, yaml or html (default: preferences.export_format)",
    )
    .option("--history", "add each step's prompt, candidates, selection and feedback")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action(async function (
      this: Command,
      runText: string,
      options: { format?: string; history?: boolean; output?: string },
    ) {
      const { scope, port } = await openPort<ExportSource>(this, {
        local: async (context) =>
          (await import("../sources/local_export_source.ts")).localExportSource(context),
        remote: async (context) =>
          (await import("../remote/remote_export_source.ts")).remoteExportSource(context),
      });
      const format = parseExportFormat(options.format ?? await port.defaultFormat());
      const runId = await port.resolve(runText);
      const text = await port.render(runId, { format, history: options.history });
      writeExport(scope.output, text, { file: options.output, runId, format });
    });
}
