/**
 * A run a server drives, for `writeit --server URL run PIPELINE`: created on
 * the server with `start` (and `autoSelect` for `--yes`), then followed over the WebSocket printing step progress and
 * streamed text like the local non-interactive mode. Exit 0 when the run
 * completes, 1 when it fails or is cancelled. In a terminal, without
 * `--yes`, each step that needs a choice gets the same menu as a local run
 * (drawn from a remote run session; the server drives on after each
 * choice). With no terminal the server stops at the first such step: the
 * run is paused there and the command says so and exits 0, like the local
 * command without a terminal.
 */
import { WriteItError } from "../../engine/errors.ts";
import type { PipelineRun, StepState } from "../../engine/run_model.ts";
import { openRemoteSession, WriteItApiError } from "../../client/mod.ts";
import type { RunLauncher, RunRequest } from "../sources/run_launcher.ts";
import { formatElapsed } from "../terminal/live_display.ts";
import { checkSourcedLengths } from "../input_sources.ts";
import { UsageError } from "../usage_error.ts";
import type { RemoteContext } from "./remote_context.ts";
import { followRun } from "./run_follower.ts";
import { type MenuResult, sessionMenu } from "../terminal/session_menu.ts";
import { TerminalInput } from "../terminal/terminal_input.ts";
import { historyPath, InputHistory } from "../terminal/input_history.ts";

/** Missing required inputs are a usage error (exit 2), as locally. */
function missingInputs(error: WriteItApiError): UsageError | undefined {
  const issues = error.problem.issues ?? [];
  if (error.status !== 422 || issues.length === 0) return undefined;
  const missing = issues.filter((issue) =>
    issue.code === "missing_input" && typeof issue.path === "string" &&
    issue.path.startsWith("inputs.")
  );
  if (missing.length !== issues.length) return undefined;
  const names = missing.map((issue) => issue.path.slice("inputs.".length));
  return new UsageError(
    `Missing required input${names.length === 1 ? "" : "s"}: ${names.join(", ")}: pass ${
      names.map((name) => `--input ${name}=…`).join(" ")
    } or --inputs FILE`,
  );
}

function waitingStep(run: PipelineRun): StepState | undefined {
  for (const id of run.stepOrder) {
    const step = run.steps[id];
    if (step?.status === "awaiting_selection" || step?.status === "failed") return step;
  }
  return undefined;
}

async function launch(context: RemoteContext, request: RunRequest): Promise<void> {
  const started = Date.now();
  const { pipeline, inputs, responses } = request;
  const { client, output } = context;
  if (Object.keys(request.inputSources).length > 0) {
    // An input read from a file that is over its max_length is refused here, naming the file.
    const detail = await client.getPipeline(pipeline).catch(() => undefined);
    if (detail) checkSourcedLengths(detail.pipeline.inputs, inputs, request.inputSources);
  }
  let created: PipelineRun;
  try {
    created = (await client.createRun({
      pipeline,
      inputs,
      ...(request.model ? { model: request.model } : {}),
      ...(request.style ? { style: request.style } : {}),
      ...(responses ? { responses } : {}),
      autoSelect: request.yes,
      ...(request.acceptInvalid ? { acceptInvalid: true } : {}),
      start: true,
    })).run;
  } catch (error) {
    if (error instanceof WriteItApiError) throw missingInputs(error) ?? error;
    throw error;
  }
  let runId = created.runId;
  if (!request.json) {
    output.note(output.styles.dim(
      `Run ${runId} · pipeline ${pipeline}${
        request.model ? ` · model ${request.model}` : ""
      } · server ${context.server}`,
    ));
  }
  // In a terminal, the writer chooses at each step through the same menu as a local run.
  const input = request.interactive
    ? new TerminalInput({
      history: context.home ? InputHistory.open(historyPath(context.home)) : undefined,
    })
    : undefined;
  // Step names for the menu's headings; the menu works without them.
  const spec = input
    ? await client.getPipeline(pipeline).then((detail) => detail.pipeline, () => undefined)
    : undefined;
  input?.catchInterrupts();
  try {
    let seen = created;
    while (true) {
      const outcome = await followRun(client, {
        output,
        mode: request.json ? "json" : output.interactive ? "live" : "plain",
        run: seen,
        startedAt: started,
        server: context.server,
      });
      // The server's copy has the final usage and status.
      const run = await client.getRun(runId);
      if (outcome.kind === "finished" || run.status === "completed") {
        return finish(context, run, { json: request.json, started });
      }
      const step = waitingStep(run);
      if (step && input && run.status !== "paused") {
        const session = await openRemoteSession(client, runId);
        let result: MenuResult;
        try {
          result = await sessionMenu(
            { output, env: context.env, resumeHint: (id) => resumeHint(context, id) },
            session,
            step.stepId,
            { input, pipeline: spec },
          );
        } finally {
          await session.close();
        }
        if (result.action === "quit") return;
        runId = result.runId;
        // The server goes on (a branch starts here); following picks up from what is stored.
        // (A run the choice finished is refused with 409: then follow what is stored.)
        seen = await client.startRun(runId).then(
          (result) => result.run,
          (error) => {
            if (error instanceof WriteItApiError && error.status === 409) {
              return client.getRun(runId);
            }
            throw error;
          },
        );
        continue;
      }
      return stop(context, run, step, request);
    }
  } finally {
    input?.releaseInterrupts();
  }
}

/** Where a paused run on the server can be continued. */
function resumeHint(context: RemoteContext, runId: string): string {
  return `the dashboard (${context.server}/runs/${runId}), or \`writeit resume ${runId}\` on the server machine`;
}

/** Leaves a run that waits for a choice nobody can make here: paused, and says how to go on. */
async function stop(
  context: RemoteContext,
  run: PipelineRun,
  step: StepState | undefined,
  options: { json: boolean },
): Promise<void> {
  const { client, output } = context;
  const runId = run.runId;
  if (run.status === "paused" && run.pausedStep !== undefined) {
    throw new WriteItError(
      "no_valid_candidate",
      `${
        run.pauseReason ?? `Step "${run.pausedStep}" has no candidate that passes validation`
      }. Run ${runId} is paused at that step on ${context.server}: pick one from ${
        resumeHint(context, runId)
      }, or run again with --accept-invalid to take the first anyway`,
    );
  }
  if (step?.status === "failed") {
    throw new WriteItError(
      "step_failed",
      `Step "${step.stepId}" of run ${runId} failed: ${step.error ?? "unknown error"}`,
    );
  }
  if (step && run.status !== "paused") {
    await client.pause(runId, { reason: `waiting for a choice at step ${step.stepId}` });
  }
  if (options.json) {
    output.printJsonLine({
      type: "stopped",
      runId,
      reason: step ? "awaiting_selection" : "paused",
      ...(step ? { stepId: step.stepId } : {}),
    });
    return;
  }
  if (step) {
    output.note(
      `Step "${step.stepId}" is waiting for a choice, and nobody can make it here (use --yes to pick the first valid candidate).`,
    );
  }
  output.note(
    `Run ${runId} is paused on ${context.server}: continue it from the dashboard, or on the server machine with \`writeit resume ${runId}\`.`,
  );
}

function finish(
  context: RemoteContext,
  run: PipelineRun,
  options: { json: boolean; started: number },
): void {
  const { output } = context;
  if (run.status !== "completed") {
    const cancelled = run.status === "cancelled";
    throw new WriteItError(
      cancelled ? "run_cancelled" : "run_failed",
      cancelled
        ? `Run ${run.runId} was cancelled on ${context.server}`
        : `Run ${run.runId} failed: ${
          run.error ?? "unknown error"
        }. Fix the cause, then resume it on the server machine with \`writeit resume ${run.runId}\``,
    );
  }
  if (options.json) {
    output.printJsonLine({
      type: "result",
      runId: run.runId,
      status: run.status,
      usage: run.usage,
    });
    return;
  }
  output.print(
    `${output.styles.green("Done.")} Run ${run.runId} completed: ${run.stepOrder.length} steps, ${
      run.usage.totalTokens.toLocaleString("en-US")
    } tokens, $${run.usage.costUsd.toFixed(4)}, ${formatElapsed(Date.now() - options.started)}.`,
  );
  output.print(`Export it with: ${context.command()} export ${run.runId} -o article.md`);
}

/** A RunLauncher that starts the run on the server and follows it. */
export function remoteRunLauncher(context: RemoteContext): RunLauncher {
  return {
    launch: (request) => launch(context, request),
    estimate: (request) =>
      context.client.estimateRun({
        pipeline: request.pipeline,
        inputs: request.inputs,
        ...(request.model ? { model: request.model } : {}),
        ...(request.responses ? { responses: request.responses } : {}),
      }),
  };
}
