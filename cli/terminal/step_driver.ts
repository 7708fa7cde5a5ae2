/**
 * Drives a run from the CLI: `advance` with a live display, then at each
 * step that needs a choice either the interactive menu (in a terminal) or,
 * when nobody can answer, a clean stop (the run is paused and the command
 * says how to continue). With `--yes`, a step where no candidate passes
 * validation pauses the run (the engine's rule) and the command stops with
 * the reason and exit 1; `writeit resume RUN` in a terminal shows that
 * step's menu. Ctrl-C while generating stops cleanly: what was
 * recorded stays, the run is paused and resumable. A completed run is saved
 * to the workspace's outputs/ (preferences.auto_save) and the path printed.
 */
import { CancelledError, ConflictError, NotFoundError, WriteItError } from "../../engine/errors.ts";
import type { AdvanceOptions } from "../../engine/run_service_options.ts";
import { openLocalSession } from "../../engine/run_session_port.ts";
import type { RunUpdate } from "../../engine/run_update.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import type { PipelineRun, StepState } from "../../engine/run_model.ts";
import type { CliContext } from "../cli_context.ts";
import type { RunWiring } from "../run_wiring.ts";
import { type DisplayMode, formatElapsed, LiveDisplay } from "./live_display.ts";
import { type MenuResult, sessionMenu } from "./session_menu.ts";
import type { TerminalInput } from "./terminal_input.ts";

/** How a run is driven. */
export interface DriveOptions {
  /** Pick the first valid candidate at every step; where none is valid the run stops there. */
  yes: boolean;
  /** With `yes`, where no candidate is valid take the first anyway. */
  acceptInvalid?: boolean;
  /** Every update as a JSON line on stdout. */
  json: boolean;
  /** Present when the writer can answer (interactive terminal). */
  input?: TerminalInput;
  /** The pipeline, when the caller has it (else the one stored with the run). */
  pipeline?: Pipeline;
}

/** Throws NotFoundError (with a suggestion) when `stepId` is not a step of `run`. */
export function assertStep(run: PipelineRun, stepId: string): void {
  if (run.stepOrder.includes(stepId)) return;
  const suggestion = didYouMean(stepId, run.stepOrder);
  throw new NotFoundError(
    `Run ${run.runId.slice(0, 8)} has no step "${stepId}": ${
      suggestion ? `did you mean "${suggestion}"?` : `its steps are ${run.stepOrder.join(", ")}`
    }`,
  );
}

function displayMode(context: CliContext, options: DriveOptions): DisplayMode {
  if (options.json) return "json";
  return context.output.interactive ? "live" : "plain";
}

function waitingStep(run: PipelineRun): StepState | undefined {
  for (const id of run.stepOrder) {
    const step = run.steps[id];
    if (step?.status === "awaiting_selection" || step?.status === "failed") return step;
  }
  return undefined;
}

/** Drives `runId` until it completes, stops for a choice nobody can make, or the writer quits. */
export async function driveRun(
  context: CliContext,
  wiring: RunWiring,
  startRunId: string,
  options: DriveOptions,
): Promise<void> {
  const { service } = wiring;
  const output = context.output;
  const started = Date.now();
  let runId = startRunId;
  let pipeline = options.pipeline;
  try {
    while (true) {
      let state = await service.loadRun(runId);
      if (state.status === "completed") {
        await finish(context, state, pipeline, options, started);
        return;
      }
      if (state.status === "cancelled") {
        throw new WriteItError(
          "run_cancelled",
          `Run ${runId} was cancelled: it cannot continue (branch it to start again from a step)`,
        );
      }
      if (state.status === "paused" || state.status === "error") {
        state = await service.resume(runId);
      }
      pipeline ??= await service.pipelineOf(runId).catch(() => undefined);

      const controller = new AbortController();
      const display = new LiveDisplay(state, output, {
        mode: displayMode(context, options),
        startedAt: started,
        acceptInvalid: options.acceptInvalid,
      });
      const onSigint = () => {
        if (controller.signal.aborted) Deno.exit(130);
        controller.abort();
      };
      Deno.addSignalListener("SIGINT", onSigint);
      display.start();
      try {
        state = await advanceOrFollow(wiring, runId, {
          autoSelect: options.yes,
          acceptInvalid: options.acceptInvalid,
          signal: controller.signal,
          onUpdate: (update) => display.update(update),
        });
      } finally {
        display.stop();
        Deno.removeSignalListener("SIGINT", onSigint);
      }
      if (controller.signal.aborted) {
        await service.pause(runId, { reason: "interrupted" }).catch(() => undefined);
        throw new CancelledError(
          `Stopped. Run ${runId} is paused and keeps every finished candidate: continue it with \`${context.command()} resume ${runId}\``,
        );
      }
      if (state.status === "completed") {
        await finish(context, state, pipeline, options, started);
        return;
      }
      if (state.status === "error") {
        throw new WriteItError(
          "run_failed",
          `Run ${runId} failed: ${
            state.error ?? "unknown error"
          }. Fix the cause, then \`${context.command()} resume ${runId}\`, or continue on another model with \`${context.command()} resume ${runId} --model NAME\``,
        );
      }
      if (state.status === "cancelled") {
        output.note(`Run ${runId} was cancelled.`);
        return;
      }
      if (state.status === "paused" && state.pausedStep !== undefined) {
        if (!options.input || options.yes) throw noValidCandidate(state, context.command());
        // A run started with --yes, resumed in a terminal: the writer picks at this step.
        output.note(state.pauseReason ?? `Step "${state.pausedStep}" needs a choice`);
        state = await service.resume(runId);
      } else if (state.status === "paused") {
        stopped(context, runId, options, "paused");
        return;
      }
      const step = waitingStep(state);
      if (!step) {
        throw new WriteItError(
          "run_stuck",
          `Run ${runId} stopped with nothing to do at step "${state.currentStep}": try \`${context.command()} resume ${runId}\``,
        );
      }
      if (!options.input) {
        if (step.status === "failed") {
          throw new WriteItError(
            "step_failed",
            `Step "${step.stepId}" of run ${runId} failed: ${
              step.error ?? "unknown error"
            }. Retry with \`${context.command()} resume ${runId}\``,
          );
        }
        await service.pause(runId, { reason: `waiting for a choice at step ${step.stepId}` });
        stopped(context, runId, options, "awaiting_selection", step.stepId);
        return;
      }
      const result = await stepMenu(context, wiring, step.stepId, {
        input: options.input,
        pipeline,
        runId,
      });
      if (result.action === "quit") return;
      runId = result.runId;
    }
  } finally {
    options.input?.releaseInterrupts();
  }
}

/**
 * `advance`, or, while another process drives the run (the server, after a
 * pick in the dashboard), its updates until it lets go; then `advance`.
 */
async function advanceOrFollow(
  wiring: RunWiring,
  runId: string,
  options: AdvanceOptions & { signal: AbortSignal; onUpdate: (update: RunUpdate) => void },
): Promise<PipelineRun> {
  const { service } = wiring;
  let following: (() => void) | undefined;
  try {
    while (true) {
      try {
        return await service.advance(runId, options);
      } catch (error) {
        const leased = error instanceof ConflictError && error.code === "run_leased";
        if (!leased || options.signal.aborted) throw error;
        if (!following) {
          options.onUpdate({
            type: "notice",
            runId,
            message: "Another client is generating this step: following it here",
          });
          following = service.subscribe(runId, options.onUpdate);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, FOLLOW_POLL_MS);
          function done() {
            clearTimeout(timer);
            options.signal.removeEventListener("abort", done);
            resolve();
          }
          options.signal.addEventListener("abort", done, { once: true });
        });
        if (options.signal.aborted) return await service.loadRun(runId);
      }
    }
  } finally {
    following?.();
  }
}

/** The stop of `--yes` at a step where no candidate passes validation. */
function noValidCandidate(run: PipelineRun, command: string): WriteItError {
  const runId = run.runId;
  return new WriteItError(
    "no_valid_candidate",
    `${
      run.pauseReason ?? `Step "${run.pausedStep}" has no candidate that passes validation`
    }. Run ${runId} is paused at that step: pick one in a terminal with \`${command} resume ${runId}\`, or take the first anyway with \`${command} resume ${runId} --yes --accept-invalid\``,
  );
}

/** How often a CLI following another driver tries to take the run back. */
const FOLLOW_POLL_MS = 250;

function stopped(
  context: CliContext,
  runId: string,
  options: DriveOptions,
  reason: "paused" | "awaiting_selection",
  stepId?: string,
): void {
  if (options.json) {
    context.output.printJsonLine({
      type: "stopped",
      runId,
      reason,
      ...(stepId ? { stepId } : {}),
      resume: `${context.command()} resume ${runId}`,
    });
    return;
  }
  if (reason === "awaiting_selection") {
    context.output.note(
      `Step "${stepId}" is waiting for you to choose a candidate, and there is no terminal to ask in.`,
    );
  }
  context.output.note(
    `Run ${runId} is paused: continue it in a terminal with \`${context.command()} resume ${runId}\`, or let it choose with \`${context.command()} resume ${runId} --yes\`.`,
  );
}

async function finish(
  context: CliContext,
  run: PipelineRun,
  pipeline: Pipeline | undefined,
  options: DriveOptions,
  started: number,
): Promise<void> {
  const config = await context.config();
  let path: string | undefined;
  if (config.get<boolean>("preferences.auto_save") !== false) {
    const { saveRunOutput } = await import("../sources/local_export_source.ts");
    path = await saveRunOutput(context, run, { pipeline });
  }
  if (options.json) {
    context.output.printJsonLine({
      type: "result",
      runId: run.runId,
      status: run.status,
      ...(path ? { output: path } : {}),
      usage: run.usage,
    });
    return;
  }
  const { styles } = context.output;
  context.output.print(
    `${styles.green("Done.")} Run ${run.runId} completed: ${run.stepOrder.length} steps, ${
      run.usage.totalTokens.toLocaleString("en-US")
    } tokens, $${run.usage.costUsd.toFixed(4)}, ${formatElapsed(Date.now() - started)}.`,
  );
  if (path) context.output.print(`Article: ${path}`);
  else {context.output.print(
      `Export it with: ${context.command()} export ${run.runId} -o article.md`,
    );}
}

/** The menu at one step over this process' run session (this process drives the run on). */
async function stepMenu(
  context: CliContext,
  wiring: RunWiring,
  stepId: string,
  options: { input: TerminalInput; pipeline?: Pipeline; runId: string },
): Promise<MenuResult> {
  const session = await openLocalSession(wiring.service, options.runId, {
    actor: wiring.actor,
    drive: false,
  });
  try {
    return await sessionMenu(
      {
        output: context.output,
        env: context.env,
        resumeHint: (id) => `${context.command()} resume ${id}`,
      },
      session,
      stepId,
      options,
    );
  } finally {
    await session.close();
  }
}
