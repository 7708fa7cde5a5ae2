/**
 * `writeit pipeline list|show|validate`: pipelines from the workspace, global
 * and bundled libraries (or any file path), or with `--server` the server's
 * workspace, through a PipelineSource (cli/sources/pipeline_source.ts). With
 * `--server`, `validate` sends local files to the server. `validate` prints each issue as
 * `file:line:column: severity: message (at path)` and exits 0 when every
 * pipeline is valid, 1 when one is not, 2 on a usage error.
 */
import type { Command } from "commander";
import { openPort } from "../command_mode.ts";
import { printPipeline, printPipelineList, reportValidation } from "../pipeline_view.ts";
import type { PipelineSource } from "../sources/pipeline_source.ts";

function openPipelineSource(command: Command) {
  return openPort<PipelineSource>(command, {
    local: async (context) =>
      (await import("../sources/local_pipeline_source.ts")).localPipelineSource(context),
    remote: async (context) =>
      (await import("../remote/remote_pipeline_source.ts")).remotePipelineSource(context),
  });
}

/** Registers `pipeline list|show|validate`. */
export function registerPipelineCommands(program: Command): void {
  const pipeline = program.command("pipeline").description("list, show and validate pipelines");

  pipeline.command("list")
    .description("list the pipelines you can run (workspace, global and bundled)")
    .option("--json", "print the list as JSON")
    .action(async function (this: Command) {
      const { scope, port } = await openPipelineSource(this);
      printPipelineList(scope.output, await port.list());
    });

  pipeline.command("show <name>")
    .description("show a pipeline's inputs, steps and the order they run in")
    .option("--json", "print the normalized pipeline as JSON")
    .action(async function (this: Command, name: string) {
      const { scope, port } = await openPipelineSource(this);
      const { pipeline: value, origin, source, issues } = await port.show(name);
      const { executionLayers } = await import("../../engine/pipeline_graph.ts");
      const layers = executionLayers(value);
      if (scope.json) return scope.output.printJson({ ...value, origin, layers });
      printPipeline(scope.output, value, { source, layers, issues });
    });

  pipeline.command("validate <names...>")
    .description("check pipelines by name or path; prints every problem with file:line:column")
    .option("--json", "print the results as JSON")
    .action(async function (this: Command, names: string[]) {
      const { scope, port } = await openPipelineSource(this);
      reportValidation(scope, await port.validate(names));
    });
}
