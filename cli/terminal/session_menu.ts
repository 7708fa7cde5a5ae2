/**
 * The step menu of the terminal: the candidates of a step that waits for the
 * writer, and the keys to pick, view, merge, edit, give feedback,
 * regenerate, branch, go back, skip or quit. It draws from a run session
 * port (engine/run_session_port.ts), so one menu serves a run this process
 * drives and a run a server drives (`writeit --server … run`).
 */
import type { Environment } from "../../config.ts";
import { WriteItError } from "../../engine/errors.ts";
import type { Pipeline } from "../../engine/pipeline_schema.ts";
import { MAX_STEP_RETRIES, type PipelineRun, type StepState } from "../../engine/run_model.ts";
import type { RunSessionPort } from "../../engine/run_session_port.ts";
import { allowedActions } from "../../engine/run_session.ts";
import { StaleActionError } from "../../engine/stale_action.ts";
import type { Output } from "../output.ts";
import {
  candidateLabel,
  candidateList,
  type MenuCommand,
  menuHelp,
  parseMenuCommand,
  stepHeading,
} from "./step_menu.ts";
import { InterruptedError, type TerminalInput } from "./terminal_input.ts";
import { menuOffer, refusal } from "./menu_offer.ts";

/** Where the menu prints and what it tells the writer. */
export interface MenuSurface {
  output: Output;
  /** For $EDITOR. */
  env: Environment;
  /** The command that continues a run later (`writeit resume ID`). */
  resumeHint(runId: string): string;
}

/** What the writer chose: go on (on this run or a branch), or quit (the run is paused). */
export type MenuResult = { action: "continue"; runId: string } | { action: "quit" };

async function ask(
  io: TerminalInput,
  prompt: string,
  options: { signal?: AbortSignal; history?: string } = {},
): Promise<string | null> {
  try {
    return await io.readLine({ prompt, ...options });
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
  surface: MenuSurface,
  state: PipelineRun,
  step: StepState,
  pipeline: Pipeline | undefined,
): void {
  const { output } = surface;
  const { styles } = output;
  const spec = pipeline?.steps.find((candidate) => candidate.id === step.stepId);
  const width = output.interactive ? safeColumns() : 100;
  surface.output.print("");
  surface.output.print(
    stepHeading(spec, step.stepId, {
      index: state.stepOrder.indexOf(step.stepId),
      total: state.stepOrder.length,
    }, styles),
  );
  if (step.status === "failed") {
    surface.output.print(styles.red(`This step failed: ${step.error ?? "unknown error"}`));
    const offer = menuOffer(state, step.stepId);
    surface.output.print(
      [
        ...(offer.regenerate ? [`${styles.cyan("r")} retry`] : []),
        ...(offer.skip ? [`${styles.cyan("s")} skip`] : []),
        ...(offer.back ? [`${styles.cyan("<")} back`] : []),
        `${styles.cyan("q")} quit`,
      ].join("   "),
    );
    return;
  }
  if (step.feedback.length) {
    surface.output.print(
      styles.dim(
        `Feedback so far: ${
          step.feedback.map((note) => note.text.replace(/\s*\n\s*/g, " ↵ ")).join(" | ")
        }`,
      ),
    );
  }
  surface.output.print(candidateList(step, styles, { width }));
  surface.output.print(menuHelp(step.responses.length, styles, menuOffer(state, step.stepId)));
}

function safeColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}

/**
 * The menu at one step, drawn from `session` and acting through it (local
 * or remote alike); returns what to do next. A decision someone else makes
 * meanwhile is said and the menu drawn again, or left when the step was
 * decided; an action someone else overtook is refused and the menu redrawn.
 */
export async function sessionMenu(
  surface: MenuSurface,
  session: RunSessionPort,
  stepId: string,
  options: { input: TerminalInput; pipeline?: Pipeline },
): Promise<MenuResult> {
  const { styles } = surface.output;
  const runId = session.runId;
  let state = (await session.refresh()).run;
  showStep(surface, state, state.steps[stepId], options.pipeline);
  const others = watchOthers(session);
  try {
    return await menuLoop();
  } finally {
    others.stop();
  }

  async function menuLoop(): Promise<MenuResult> {
    while (true) {
      const step = state.steps[stepId];
      let line: string | null;
      try {
        line = await ask(options.input, styles.bold("choice> "), {
          signal: others.signal(),
          history: "choice",
        });
      } catch (error) {
        if (!(error instanceof ChangedElsewhere)) throw error;
        surface.output.print("");
        surface.output.print(styles.cyan(`${error.sentence}.`));
        state = (await session.refresh()).run;
        if (!isWaiting(state, stepId)) return { action: "continue", runId };
        showStep(surface, state, state.steps[stepId], options.pipeline);
        continue;
      }
      if (line === null) {
        surface.output.print("");
        return await quit(surface, session);
      }
      const parsed = parseMenuCommand(line, step.responses.length);
      if ("error" in parsed) {
        // "m 1,2" with one candidate: say why merging is not possible, not that 2 is missing.
        const merge = allowedActions(state, stepId).merge;
        const why = /^m(erge)?\b/i.test(line.trim()) && !merge.allowed ? merge.why : undefined;
        surface.output.print(styles.yellow(why ? `Not possible now: ${why}.` : parsed.error));
        continue;
      }
      if (step.status === "failed" && ["pick", "view", "merge", "edit"].includes(parsed.type)) {
        surface.output.print(
          styles.yellow("This step has no candidates to use: r to retry, s to skip, q to quit"),
        );
        continue;
      }
      const why = refusal(state, stepId, parsed);
      if (why) {
        surface.output.print(styles.yellow(`Not possible now: ${why}.`));
        continue;
      }
      try {
        const result = await act(surface, session, state, step, parsed, options);
        if (result === "stay") {
          state = (await session.refresh()).run;
          continue;
        }
        if (result === "redraw") {
          state = (await session.refresh()).run;
          showStep(surface, state, state.steps[stepId], options.pipeline);
          continue;
        }
        return result;
      } catch (error) {
        if (error instanceof StaleActionError) {
          surface.output.print(styles.yellow(`Not done: ${error.message}`));
          state = (await session.refresh()).run;
          if (!isWaiting(state, stepId)) return { action: "continue", runId };
          showStep(surface, state, state.steps[stepId], options.pipeline);
          continue;
        }
        if (error instanceof WriteItError) {
          surface.output.print(styles.yellow(error.message));
          state = (await session.refresh()).run;
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

async function quit(surface: MenuSurface, session: RunSessionPort): Promise<MenuResult> {
  await session.act({ action: "pause", reason: "quit", basedOn: undefined }).catch(() => undefined);
  surface.output.print(`Paused. Continue later with: ${surface.resumeHint(session.runId)}`);
  return { action: "quit" };
}

async function act(
  surface: MenuSurface,
  session: RunSessionPort,
  state: PipelineRun,
  step: StepState,
  command: MenuCommand,
  options: { input: TerminalInput; pipeline?: Pipeline },
): Promise<MenuResult | "stay" | "redraw"> {
  const { styles } = surface.output;
  const runId = state.runId;
  const stepId = step.stepId;
  // The version the menu showed: an action someone else overtook is refused.
  const basedOn = state.version;
  const next: MenuResult = { action: "continue", runId };
  switch (command.type) {
    case "list":
      return "redraw";
    case "help":
      surface.output.print(menuHelp(step.responses.length, styles, menuOffer(state, stepId)));
      return "stay";
    case "pick":
      await session.act({ action: "select", stepId, index: command.number - 1, basedOn });
      return next;
    case "view": {
      const response = step.responses[command.number - 1];
      const valid = response.validation.passed
        ? styles.green("valid")
        : styles.red(`invalid: ${response.validation.reasons.join("; ")}`);
      const { pageText } = await import("./text_pager.ts");
      const { ansiMarkdown } = await import("./markdown_ansi.ts");
      await pageText(
        [
          styles.bold(`\n${candidateLabel(response, command.number)}`) + `  ${valid}`,
          styles.dim("─".repeat(40)),
          ansiMarkdown(response.processedContent, { width: Math.min(100, safeColumns()), styles }),
          styles.dim("─".repeat(40)),
        ].join("\n"),
        { env: surface.env, output: surface.output },
      );
      return "stay";
    }
    case "merge": {
      const ids = command.numbers.map((number) => step.responses[number - 1].responseId);
      const { showMergeProgress } = await import("./merge_progress.ts");
      const progress = showMergeProgress(session, {
        output: surface.output,
        stepId,
        candidateIndex: step.responses.length,
        numbers: command.numbers,
      });
      let merged: PipelineRun;
      try {
        merged = (await session.act({
          action: "merge",
          stepId,
          responseIds: ids,
          instructions: command.instructions,
          basedOn,
        })).run;
      } finally {
        progress.stop();
      }
      const responses = merged.steps[stepId].responses;
      const count = responses.length;
      const validation = responses[count - 1]?.validation;
      surface.output.print(
        validation && !validation.passed
          ? styles.red(
            `Merged into candidate ${count}, which fails validation: ${
              validation.reasons.join("; ")
            }. Pick ${count} to use it anyway, edit it, or merge again with other instructions.`,
          )
          : styles.green(`Merged into candidate ${count}: pick ${count} to use it.`),
      );
      return "redraw";
    }
    case "edit": {
      const index = command.number !== undefined ? command.number - 1 : step.userSelection ?? 0;
      const source = step.responses[index];
      const original = command.number === undefined && step.selectedText !== undefined
        ? step.selectedText
        : source?.processedContent ?? "";
      const { editAndReview } = await import("./edit_review.ts");
      const edited = await editAndReview(original, {
        input: options.input,
        output: surface.output,
        env: surface.env,
        name: `${stepId}-${index + 1}`,
      });
      if (edited === undefined) return "stay";
      const { run } = await session.act({ action: "edit", stepId, text: edited, basedOn });
      const saved = run.steps[stepId];
      const checks = saved?.responses[saved.userSelection ?? -1]?.validation;
      const size = edited.length.toLocaleString("en-US");
      surface.output.print(
        checks && !checks.passed
          ? styles.yellow(
            `Saved your edit (${size} chars) as the result of "${stepId}", although it fails validation: ${
              checks.reasons.join("; ")
            }. Go back (<) to change it.`,
          )
          : styles.green(`Saved your edit (${size} chars) as the result of "${stepId}".`),
      );
      return next;
    }
    case "feedback": {
      // Feedback is given to regenerate: refuse it up front when no regeneration is left.
      if (step.retryCount >= MAX_STEP_RETRIES) {
        surface.output.print(
          styles.yellow(
            `Step "${stepId}" was regenerated ${MAX_STEP_RETRIES} times, the most allowed: pick, merge or edit a candidate instead`,
          ),
        );
        return "stay";
      }
      const { readFeedback } = await import("./feedback_prompt.ts");
      const text = await readFeedback(options.input, {
        write: (text) => surface.output.write(text),
        styles,
      }, { first: command.text });
      if (!text) {
        surface.output.print(styles.dim("No feedback given."));
        return "stay";
      }
      await session.act({ action: "feedback", stepId, text, basedOn });
      surface.output.print(styles.dim("Regenerating with your feedback…"));
      return next;
    }
    case "regenerate":
      await session.act({ action: "regenerate", stepId, basedOn });
      surface.output.print(styles.dim("Regenerating…"));
      return next;
    case "branch": {
      const { run: child } = await session.act({ action: "branch", fromStepId: stepId, basedOn });
      // The writer goes on in the branch: the run left behind waits paused, not "running".
      const left = session.current().run.status === "running";
      if (left) {
        await session.act({ action: "pause", reason: `branched into ${child.runId}` })
          .catch(() => undefined);
      }
      surface.output.print(
        styles.green(`Branched: new run ${child.runId}`) +
          styles.dim(
            ` (run ${runId.slice(0, 8)} ${
              left ? "is paused where it was" : "stays as it was"
            }). Continuing on the branch.`,
          ),
      );
      return { action: "continue", runId: child.runId };
    }
    case "back": {
      const position = state.stepOrder.indexOf(stepId);
      if (position <= 0) {
        surface.output.print(
          styles.yellow("This is the first step: there is nothing to go back to."),
        );
        return "stay";
      }
      const previous = state.stepOrder[position - 1];
      await session.act({ action: "rewind", toStepId: previous, basedOn });
      surface.output.print(styles.dim(`Back to step "${previous}".`));
      return next;
    }
    case "skip":
      await session.act({ action: "skip", stepId, reason: "skipped by the writer", basedOn });
      return next;
    case "quit":
      return await quit(surface, session);
  }
}
