/**
 * `writeit diff A B [--full] [--json]`: the word diff between two texts of
 * runs, each named `RUN` (its article: the last chosen text), `RUN:step`
 * (the step's chosen text) or `RUN:step:N` (its N-th candidate), with a run
 * id or an unambiguous prefix; two branches compare their articles with
 * `writeit diff A B`. Works on the workspace or, with `--server`, on a
 * server's runs; `--json` prints the same document as `GET /api/diff`.
 */
import type { Command } from "commander";
import { diffDocument, parseTextReference, referencedText, textDiff } from "../../engine/mod.ts";
import { openPort } from "../command_mode.ts";
import { diffView } from "../diff_view.ts";
import type { RunsSource } from "../sources/runs_source.ts";

/** Registers `diff`. */
export function registerDiffCommand(program: Command): void {
  program.command("diff")
    .description("word diff of two texts: RUN (its article), RUN:step or RUN:step:N")
    .argument("<from>", "RUN, RUN:step or RUN:step:N (run id or an unambiguous prefix)")
    .argument("<to>", "RUN, RUN:step or RUN:step:N")
    .option("--full", "print every line, not only the changed ones and their context")
    .option("--json", "print the diff as JSON (the document GET /api/diff gives)")
    .addHelpText(
      "after",
      "\nExamples:\n  writeit diff 3f2a:write:1 3f2a:write:2   two candidates of a step\n  writeit diff 3f2a 9c1e                   the articles of two branches",
    )
    .action(async function (
      this: Command,
      fromName: string,
      toName: string,
      options: { full?: boolean; json?: boolean },
    ) {
      const { scope, port } = await openPort<RunsSource>(this, {
        local: async (context) =>
          (await import("../sources/local_runs_source.ts")).localRunsSource(context),
        remote: async (context) =>
          (await import("../remote/remote_runs_source.ts")).remoteRunsSource(context),
      });
      const side = async (name: string) => {
        const reference = parseTextReference(name);
        const runId = await port.resolve(reference.run);
        return referencedText(await port.get(runId), { ...reference, run: runId });
      };
      const document = diffDocument(textDiff(await side(fromName), await side(toName)));
      if (options.json || scope.json) {
        scope.output.printJson(document);
        return;
      }
      scope.output.print(
        diffView(document, {
          styles: scope.output.styles,
          colour: scope.output.colour,
          full: options.full,
        }),
      );
    });
}
