/**
 * `writeit run PIPELINE`, `writeit resume RUN`, `writeit branch RUN --from
 * STEP` and `writeit rewind RUN --to STEP`.
 *
 * In a terminal a run asks for its inputs, streams candidates live and shows
 * a menu at every step (cli/terminal/step_driver.ts). Without a terminal
 * (stdin not a TTY), with `--json` or with `--yes` it never waits for input:
 * missing required inputs are a usage error (exit 2) naming them; `--yes`
 * picks the first candidate that passes validation at every step, and where
 * none passes the run is paused there and the command names each
 * candidate's failed checks and exits 1 (`--accept-invalid` takes the first
 * anyway); without
 * `--yes` the run stops at the first step that needs a choice, is paused,
 * and the command says how to continue (`writeit resume RUN`) and exits 0.
 *
 * With `--server`, `run` starts the run on the server and follows it
 * (cli/remote/remote_run_launcher.ts); `resume`, `branch` and `rewind` are
 * local only.
 */
import type { Command } from "commander";
import { cliContext } from "../cli_context.ts";
import { localOnly, openPort, throughServer } from "../command_mode.ts";
import { UsageError } from "../usage_error.ts";
import { collect, parseResponses } from "../option_values.ts";
import { canAsk, givenInputs, type RunOptions } from "../run_inputs.ts";
import type { RunLauncher, RunRequest } from "../sources/run_launcher.ts";

const ACCEPT_INVALID = "--accept-invalid";
const ACCEPT_INVALID_HELP =
  "with --yes, where no candidate passes validation use the first anyway (else the run stops there)";

const REPLAY_PACE_HELP =
  "stream cached answers at the pace the live ones arrived, not at once (setting cache.replay_pace)";

/** `--replay-pace`: this command's cache.replay_pace; a server's cache follows the server's setting. */
function replayAtPace(command: Command): void {
  if (throughServer(command)) {
    throw new UsageError(
      "--replay-pace sets this machine's cache; with --server set cache.replay_pace on the server (WRITEIT_CACHE_REPLAY_PACE=true)",
    );
  }
  cliContext(command).setFlag("cache.replay_pace", true);
}

/** Registers `run`, `resume`, `branch` and `rewind`. */
export function registerRunCommands(program: Command): void {
  program.command("run")
    .description("run a pipeline: answer its inputs, steer every step, get an article")
    .argument("<pipeline>", "pipeline name (see `writeit pipeline list`) or path to a YAML file")
    .option(
      "-i, --input <key=value>",
      'an input value (repeatable); key=@path reads a file, key=- standard input, key=@@x is "@x"',
      collect,
      [],
    )
    .option("--inputs <file>", "inputs from a YAML or JSON file (- reads standard input)")
    .option(
      "-y, --yes",
      "never wait: pick the first candidate that passes validation at every step",
    )
    .option(ACCEPT_INVALID, ACCEPT_INVALID_HELP)
    .option(
      "-m, --model <name>",
      "use this model for every step (e.g. offline, gpt-4.1, claude-sonnet-4)",
    )
    .option("-n, --responses <count>", "candidates per model at every step (1-10)")
    .option("-s, --style <name>", "attach this style primer")
    .option(
      "--estimate",
      "print what the run would cost (tokens and dollars per step), run nothing",
    )
    .option("--replay-pace", REPLAY_PACE_HELP)
    .option("--json", "print every event and streamed chunk as one JSON object per line")
    .addHelpText(
      "after",
      `
Without a terminal (or with --json) the run never waits: with --yes it runs to the end,
otherwise it pauses at the first choice and tells you how to continue. With --yes, a step
where no candidate passes validation stops the run there (exit 1), naming each candidate's
failed checks; --accept-invalid takes the first candidate anyway.

Examples:
  writeit run quick-article --input topic="Event sourcing" --model offline --yes
  writeit run ./my-pipeline.yaml --inputs inputs.yaml
  writeit run quick-article --input topic="Notes" --input notes=@notes.md
  pbpaste | writeit run quick-article --input topic="Notes" --input notes=- --yes`,
    )
    .action(async function (this: Command, pipeline: string, options: RunOptions) {
      if (options.replayPace) replayAtPace(this);
      const responses = parseResponses(options.responses);
      const given = await givenInputs(options);
      const request: RunRequest = {
        pipeline,
        inputs: given.values,
        inputSources: given.sources,
        responses,
        model: options.model,
        style: options.style,
        yes: options.yes ?? false,
        acceptInvalid: options.acceptInvalid ?? false,
        json: options.json ?? false,
        interactive: canAsk(options),
      };
      const { port } = await openPort<RunLauncher>(this, {
        local: async (context) =>
          (await import("../sources/local_run_launcher.ts")).localRunLauncher(context),
        remote: async (context) =>
          (await import("../remote/remote_run_launcher.ts")).remoteRunLauncher(context),
      });
      if (options.estimate) {
        const { printEstimate } = await import("../estimate_view.ts");
        return printEstimate(cliContext(this).output, await port.estimate(request), {
          json: options.json ?? false,
        });
      }
      await port.launch(request);
    });

  localOnly(program.command("resume"))
    .description("continue a run where it stopped (interactive, or with --yes)")
    .argument("<run>", "run id or an unambiguous prefix")
    .option("-y, --yes", "never wait: pick the first valid candidate at every step")
    .option(ACCEPT_INVALID, ACCEPT_INVALID_HELP)
    .option(
      "-m, --model <name>",
      "continue on this model from now on: the step waiting (or failed) is asked again on it",
    )
    .option("--replay-pace", REPLAY_PACE_HELP)
    .option("--json", "print every event and streamed chunk as one JSON object per line")
    .action(
      async function (
        this: Command,
        runText: string,
        options: {
          yes?: boolean;
          acceptInvalid?: boolean;
          model?: string;
          json?: boolean;
          replayPace?: boolean;
        },
      ) {
        if (options.replayPace) replayAtPace(this);
        const context = cliContext(this);
        const { createRunWiring, openRunStore, resolveRunId } = await import("../run_wiring.ts");
        const store = await openRunStore(context);
        const runId = await resolveRunId(store, runText);
        const spent = (await store.loadRun(runId)).usage.costUsd;
        const wiring = await createRunWiring(context, { runSpentUsd: spent });
        if (options.model !== undefined) {
          await wiring.service.resume(runId, { model: options.model });
        }
        const { TerminalInput } = await import("../terminal/terminal_input.ts");
        const { InputHistory, historyPath } = await import("../terminal/input_history.ts");
        const input = canAsk(options)
          ? new TerminalInput({ history: InputHistory.open(historyPath(context.home)) })
          : undefined;
        input?.catchInterrupts();
        const { driveRun } = await import("../terminal/step_driver.ts");
        await driveRun(context, wiring, runId, {
          yes: options.yes ?? false,
          acceptInvalid: options.acceptInvalid ?? false,
          json: options.json ?? false,
          input,
        });
      },
    );

  localOnly(program.command("branch"))
    .description("fork a run at a step: a new run that keeps the earlier steps")
    .argument("<run>", "run id or an unambiguous prefix")
    .requiredOption("--from <step>", "the step the new run re-runs from")
    .option(
      "-y, --yes",
      "continue the new run now, picking the first valid candidate at every step",
    )
    .option("--json", "print the result (and, with --yes, every event) as JSON lines")
    .action(async function (
      this: Command,
      runText: string,
      options: { from: string; yes?: boolean; json?: boolean },
    ) {
      const context = cliContext(this);
      const { createRunWiring, resolveRunId } = await import("../run_wiring.ts");
      const wiring = await createRunWiring(context);
      const runId = await resolveRunId(wiring.store, runText);
      const parent = await wiring.store.loadRun(runId);
      const { assertStep } = await import("../terminal/step_driver.ts");
      assertStep(parent, options.from);
      const child = await wiring.service.branch(runId, { fromStepId: options.from });
      if (options.json) {
        context.output.printJsonLine({
          type: "branched",
          runId: child.runId,
          parentRunId: runId,
          fromStep: options.from,
        });
      } else {
        context.output.print(child.runId);
        context.output.note(
          `Branched run ${runId.slice(0, 8)} at step "${options.from}": new run ${child.runId}`,
        );
      }
      if (!options.yes) {
        if (!options.json) {
          context.output.note(`Continue it with: ${context.command()} resume ${child.runId}`);
        }
        return;
      }
      const { driveRun } = await import("../terminal/step_driver.ts");
      await driveRun(context, wiring, child.runId, {
        yes: true,
        acceptInvalid: false,
        json: options.json ?? false,
      });
    });

  localOnly(program.command("rewind"))
    .description("send a run back to a step (history is kept); later steps become stale")
    .argument("<run>", "run id or an unambiguous prefix")
    .requiredOption("--to <step>", "the step to go back to")
    .option("--json", "print the run's state as JSON")
    .action(
      async function (this: Command, runText: string, options: { to: string; json?: boolean }) {
        const context = cliContext(this);
        const { createRunWiring, resolveRunId } = await import("../run_wiring.ts");
        const wiring = await createRunWiring(context);
        const runId = await resolveRunId(wiring.store, runText);
        const before = await wiring.store.loadRun(runId);
        const { assertStep } = await import("../terminal/step_driver.ts");
        assertStep(before, options.to);
        const state = await wiring.service.rewind(runId, options.to);
        if (options.json) {
          context.output.printJsonLine({
            type: "rewound",
            runId,
            toStep: options.to,
            status: state.status,
            steps: Object.fromEntries(state.stepOrder.map((id) => [id, state.steps[id]?.status])),
          });
          return;
        }
        context.output.print(`Run ${runId} is back at step "${options.to}".`);
        context.output.note(`Continue it with: ${context.command()} resume ${runId}`);
      },
    );
}
