/**
 * Drives a run from the CLI: `advance` with a live display, then at each
 * step that needs a choice either the interactive menu (in a terminal) or,
 * when nobody can answer, a clean stop (the run is paused and the command
 * says how to continue). Ctrl-C while generating stops cleanly: what was
 * recorded stays, the run is paused and resumable. A completed run is saved
 * to the workspace's outputs/ (preferences.auto_save) and the path printed.
 */
import { CancelledError, ConflictError, NotFoundError, WriteItError } from "../../engine/errors.ts";
import type { AdvanceOptions } from "../../engine/run_service_options.ts";
import { openLocalSession, type RunSessionPort } from "../../engine/run_session_port.ts";
import type { RunUpdate } from "../../engine/run_update.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import { MAX_STEP_RETRIES, type PipelineRun, type StepState } from "../../engine/run_model.ts";
import { StaleActionError } from "../../engine/stale_action.ts";
import type { CliContext } from "../cli_context.ts";
import type { RunWiring } from "../run_wiring.ts";
import { type DisplayMode, formatElapsed, LiveDisplay } from "./live_display.ts";
import {
  candidateLabel,
  candidateList,
  type MenuCommand,
  menuHelp,
  parseMenuCommand,
  stepHeading,
} from "./step_menu.ts";
import { InterruptedError, type TerminalInput } from "./terminal_input.ts";

/** How a run is driven. */
export interface DriveOptions {
  /** Pick the first valid candidate at every step. */
  yes: boolean;
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

type MenuResult = { action: "continue"; runId: string } | { action: "quit" };

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
          `Stopped. Run ${runId} is paused and keeps every finished candidate: continue it with \`writeit resume ${runId}\``,
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
          }. Fix the cause, then \`writeit resume ${runId}\``,
        );
      }
      if (state.status === "cancelled") {
        output.note(`Run ${runId} was cancelled.`);
        return;
      }
      if (state.status === "paused") {
        stopped(context, runId, options, "paused");
        return;
      }
      const step = waitingStep(state);
      if (!step) {
        throw new WriteItError(
          "run_stuck",
          `Run ${runId} stopped with nothing to do at step "${state.currentStep}": try \`writeit resume ${runId}\``,
        );
      }
      if (!options.input) {
        if (step.status === "failed") {
          throw new WriteItError(
            "step_failed",
            `Step "${step.stepId}" of run ${runId} failed: ${
              step.error ?? "unknown error"
            }. Retry with \`writeit resume ${runId}\``,
          );
        }
        await service.pause(runId, { reason: `waiting for a choice at step ${step.stepId}` });
        stopped(context, runId, options, "awaiting_selection", step.stepId);
        return;
      }
      const result = await stepMenu(context, wiring, state, step.stepId, {
        input: options.input,
        pipeline,
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
      resume: `writeit resume ${runId}`,
    });
    return;
  }
  if (reason === "awaiting_selection") {
    context.output.note(
      `Step "${stepId}" is waiting for you to choose a candidate, and there is no terminal to ask in.`,
    );
  }
  context.output.note(
    `Run ${runId} is paused: continue it in a terminal with \`writeit resume ${runId}\`, or let it choose with \`writeit resume ${runId} --yes\`.`,
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
    const { saveRunOutput } = await import("../commands/export.ts");
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
  else context.output.print(`Export it with: writeit export ${run.runId} -o article.md`);
}

async function ask(
  io: TerminalInput,
  context: CliContext,
  prompt: string,
  signal?: AbortSignal,
): Promise<string | null> {
  context.output.write(prompt);
  try {
    return await io.readLine({ signal });
  } catch (error) {
    if (error instanceof InterruptedError) return null;
    throw error;
  }
}

/** Someone else decided something on the run while the menu was waiting. */
class ChangedElsewhere extends Error {
  constructor(readonly sentence: string) {
    super(sentence);
  }
}

/**
 * Watches the run's session while the menu waits: a decision another client
 * records (the dashboard, the terminal UI) arrives as a notice, and aborts the
 * current prompt with it.
 */
function watchOthers(session: RunSessionPort) {
  let controller = new AbortController();
  let seen = session.current().notices;
  const stop = session.subscribe((view) => {
    if (view.notices === seen) return;
    const fresh = view.notices.filter((notice) => !seen.includes(notice));
    seen = view.notices;
    if (fresh.length > 0 && !controller.signal.aborted) {
      controller.abort(new ChangedElsewhere(fresh.join("; ")));
    }
  });
  return {
    /** The signal of the next prompt. */
    signal(): AbortSignal {
      if (controller.signal.aborted) controller = new AbortController();
      return controller.signal;
    },
    stop,
  };
}

function showStep(
  context: CliContext,
  state: PipelineRun,
  step: StepState,
  pipeline: Pipeline | undefined,
): void {
  const { styles } = context.output;
  const spec = pipeline?.steps.find((candidate) => candidate.id === step.stepId);
  const width = context.output.interactive ? safeColumns() : 100;
  context.output.print("");
  context.output.print(
    stepHeading(spec, step.stepId, {
      index: state.stepOrder.indexOf(step.stepId),
      total: state.stepOrder.length,
    }, styles),
  );
  if (step.status === "failed") {
    context.output.print(styles.red(`This step failed: ${step.error ?? "unknown error"}`));
    context.output.print(
      `${styles.cyan("r")} retry   ${styles.cyan("s")} skip   ${styles.cyan("<")} back   ${
        styles.cyan("q")
      } quit`,
    );
    return;
  }
  if (step.feedback.length) {
    context.output.print(
      styles.dim(`Feedback so far: ${step.feedback.map((note) => note.text).join(" | ")}`),
    );
  }
  context.output.print(candidateList(step, styles, { width }));
  context.output.print(menuHelp(step.responses.length, styles));
}

function safeColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}

/** The menu at one step; returns what to do next. */
async function stepMenu(
  context: CliContext,
  wiring: RunWiring,
  initial: PipelineRun,
  stepId: string,
  options: { input: TerminalInput; pipeline?: Pipeline },
): Promise<MenuResult> {
  const { service } = wiring;
  const { styles } = context.output;
  const runId = initial.runId;
  let state = initial;
  showStep(context, state, state.steps[stepId], options.pipeline);
  // The menu draws from the run's session and acts through it; this process drives.
  const session = await openLocalSession(service, runId, { actor: wiring.actor, drive: false });
  const others = watchOthers(session);
  try {
    return await menuLoop();
  } finally {
    others.stop();
    await session.close();
  }

  async function menuLoop(): Promise<MenuResult> {
    while (true) {
      const step = state.steps[stepId];
      let line: string | null;
      try {
        line = await ask(options.input, context, styles.bold("choice> "), others.signal());
      } catch (error) {
        if (!(error instanceof ChangedElsewhere)) throw error;
        context.output.print("");
        context.output.print(styles.cyan(`${error.sentence}.`));
        state = await service.loadRun(runId);
        if (!isWaiting(state, stepId)) return { action: "continue", runId };
        showStep(context, state, state.steps[stepId], options.pipeline);
        continue;
      }
      if (line === null) {
        context.output.print("");
        return await quit(context, wiring, runId);
      }
      const parsed = parseMenuCommand(line, step.responses.length);
      if ("error" in parsed) {
        context.output.print(styles.yellow(parsed.error));
        continue;
      }
      if (step.status === "failed" && ["pick", "view", "merge", "edit"].includes(parsed.type)) {
        context.output.print(
          styles.yellow("This step has no candidates to use: r to retry, s to skip, q to quit"),
        );
        continue;
      }
      try {
        const result = await act(context, wiring, session, state, step, parsed, options);
        if (result === "stay") {
          state = await service.loadRun(runId);
          continue;
        }
        if (result === "redraw") {
          state = await service.loadRun(runId);
          showStep(context, state, state.steps[stepId], options.pipeline);
          continue;
        }
        return result;
      } catch (error) {
        if (error instanceof StaleActionError) {
          context.output.print(styles.yellow(`Not done: ${error.message}`));
          state = await service.loadRun(runId);
          if (!isWaiting(state, stepId)) return { action: "continue", runId };
          showStep(context, state, state.steps[stepId], options.pipeline);
          continue;
        }
        if (error instanceof WriteItError) {
          context.output.print(styles.yellow(error.message));
          state = await service.loadRun(runId);
          continue;
        }
        throw error;
      }
    }
  }
}

/** Whether `stepId` still waits for the writer (candidates to pick from, or a failure to handle). */
function isWaiting(state: PipelineRun, stepId: string): boolean {
  const status = state.steps[stepId]?.status;
  return state.status !== "cancelled" && (status === "awaiting_selection" || status === "failed");
}

async function quit(context: CliContext, wiring: RunWiring, runId: string): Promise<MenuResult> {
  await wiring.service.pause(runId, { reason: "quit" }).catch(() => undefined);
  context.output.print(`Paused. Continue later with: writeit resume ${runId}`);
  return { action: "quit" };
}

async function act(
  context: CliContext,
  wiring: RunWiring,
  session: RunSessionPort,
  state: PipelineRun,
  step: StepState,
  command: MenuCommand,
  options: { input: TerminalInput; pipeline?: Pipeline },
): Promise<MenuResult | "stay" | "redraw"> {
  const { styles } = context.output;
  const runId = state.runId;
  const stepId = step.stepId;
  // The version the menu showed: an action someone else overtook is refused.
  const basedOn = state.version;
  const next: MenuResult = { action: "continue", runId };
  switch (command.type) {
    case "list":
      return "redraw";
    case "help":
      context.output.print(menuHelp(step.responses.length, styles));
      return "stay";
    case "pick":
      await session.act({ action: "select", stepId, index: command.number - 1, basedOn });
      return next;
    case "view": {
      const response = step.responses[command.number - 1];
      const valid = response.validation.passed
        ? styles.green("valid")
        : styles.red(`invalid: ${response.validation.reasons.join("; ")}`);
      context.output.print(
        styles.bold(`\n${candidateLabel(response, command.number)}`) + `  ${valid}`,
      );
      context.output.print(styles.dim("─".repeat(40)));
      context.output.print(response.processedContent);
      context.output.print(styles.dim("─".repeat(40)));
      return "stay";
    }
    case "merge": {
      const ids = command.numbers.map((number) => step.responses[number - 1].responseId);
      context.output.print(styles.dim(`Merging ${command.numbers.join(", ")}…`));
      const { run: merged } = await session.act({
        action: "merge",
        stepId,
        responseIds: ids,
        instructions: command.instructions,
        basedOn,
      });
      const count = merged.steps[stepId].responses.length;
      context.output.print(
        styles.green(`Merged into candidate ${count}: pick ${count} to use it.`),
      );
      return "redraw";
    }
    case "edit": {
      const index = command.number !== undefined ? command.number - 1 : step.userSelection ?? 0;
      const source = step.responses[index];
      const original = command.number === undefined && step.selectedText !== undefined
        ? step.selectedText
        : source?.processedContent ?? "";
      const { editText } = await import("./text_editor.ts");
      const edited = await editText(original, { env: context.env, name: `${stepId}-${index + 1}` });
      if (edited.trim() === original.trim()) {
        context.output.print(styles.dim("No changes: nothing recorded."));
        return "stay";
      }
      if (edited.trim() === "") {
        context.output.print(styles.yellow("The text is empty: nothing recorded."));
        return "stay";
      }
      await session.act({ action: "edit", stepId, text: edited, basedOn });
      context.output.print(
        styles.green(
          `Saved your edit (${
            edited.length.toLocaleString("en-US")
          } chars) as the result of "${stepId}".`,
        ),
      );
      return next;
    }
    case "feedback": {
      // Feedback is given to regenerate: refuse it up front when no regeneration is left.
      if (step.retryCount >= MAX_STEP_RETRIES) {
        context.output.print(
          styles.yellow(
            `Step "${stepId}" was regenerated ${MAX_STEP_RETRIES} times, the most allowed: pick, merge or edit a candidate instead`,
          ),
        );
        return "stay";
      }
      let text = command.text;
      if (!text) {
        text = (await ask(
          options.input,
          context,
          "Feedback (one line; Enter on an empty line cancels)> ",
        ))?.trim();
      }
      if (!text) {
        context.output.print(styles.dim("No feedback given."));
        return "stay";
      }
      await session.act({ action: "feedback", stepId, text, basedOn });
      context.output.print(styles.dim("Regenerating with your feedback…"));
      return next;
    }
    case "regenerate":
      await session.act({ action: "regenerate", stepId, basedOn });
      context.output.print(styles.dim("Regenerating…"));
      return next;
    case "branch": {
      const { run: child } = await session.act({ action: "branch", fromStepId: stepId, basedOn });
      context.output.print(
        styles.green(`Branched: new run ${child.runId}`) +
          styles.dim(` (run ${runId.slice(0, 8)} stays as it was). Continuing on the branch.`),
      );
      return { action: "continue", runId: child.runId };
    }
    case "back": {
      const position = state.stepOrder.indexOf(stepId);
      if (position <= 0) {
        context.output.print(
          styles.yellow("This is the first step: there is nothing to go back to."),
        );
        return "stay";
      }
      const previous = state.stepOrder[position - 1];
      await session.act({ action: "rewind", toStepId: previous, basedOn });
      context.output.print(styles.dim(`Back to step "${previous}".`));
      return next;
    }
    case "skip":
      await session.act({ action: "skip", stepId, reason: "skipped by the writer", basedOn });
      return next;
    case "quit":
      return await quit(context, wiring, runId);
  }
}
