/**
 * Which steps of a run can move now: the scheduling half of the executor,
 * a pure function of the run's state. A step starts when every step it
 * depends on is completed or skipped; steps that become ready together run
 * concurrently. Steps left `running` by a process that stopped (not in
 * flight here) are interrupted generations to finish; steps awaiting
 * selection wait for a human or for auto-selection, which takes the first
 * valid candidate or, with none, pauses an unattended run there. Commands that move a
 * step also start the run when it has not started yet, and complete it when
 * they leave no step open.
 *
 * @example
 * ```ts
 * const plan = planSteps(state, new Set(["research"]));
 * plan.start; // ["audience_map"]
 * ```
 */
import type { RunCommand } from "./run_commands.ts";
import type { PipelineRun, StepState } from "./run_model.ts";

/** What can happen next in a run. */
export interface StepPlan {
  /** Pending or stale steps whose dependencies are done: start a generation. */
  start: string[];
  /** Steps `running` but not in flight here: an interrupted generation to finish. */
  interrupted: string[];
  /** Failed steps not in flight (a retry can resume them). */
  failed: string[];
  /** Steps with candidates waiting for a choice. */
  awaiting: string[];
  /** Every step is completed or skipped. */
  complete: boolean;
}

/** True when a step counts as done for its dependants. */
export function isStepDone(step: StepState | undefined): boolean {
  return step?.status === "completed" || step?.status === "skipped";
}

/** Plans the next moves of `state`; `inFlight` are steps this process is generating now. */
export function planSteps(state: PipelineRun, inFlight: ReadonlySet<string> = new Set()): StepPlan {
  const plan: StepPlan = { start: [], interrupted: [], failed: [], awaiting: [], complete: true };
  for (const id of state.stepOrder) {
    const step = state.steps[id];
    if (isStepDone(step)) continue;
    plan.complete = false;
    if (!step || inFlight.has(id)) continue;
    switch (step.status) {
      case "pending":
      case "stale": {
        const dependencies = state.stepDependencies[id] ?? [];
        if (dependencies.every((dependency) => isStepDone(state.steps[dependency]))) {
          plan.start.push(id);
        }
        break;
      }
      case "running":
        plan.interrupted.push(id);
        break;
      case "failed":
        plan.failed.push(id);
        break;
      case "awaiting_selection":
        plan.awaiting.push(id);
        break;
    }
  }
  return plan;
}

/** How auto-selection treats a step whose candidates all fail validation. */
export interface AutoSelectionOptions {
  /** Take the first candidate anyway (`--accept-invalid`); default false. */
  acceptInvalid?: boolean;
  /**
   * Nobody is there to choose (the run auto-selects every step, `--yes`):
   * with no valid candidate the run pauses at the step, with the reason.
   * Otherwise (a step that only auto-approves) the step waits for a choice.
   */
  unattended?: boolean;
}

/** What auto-selection makes of a step's candidates. */
export type AutoSelection =
  | { kind: "pick"; index: number }
  | { kind: "no_valid_candidate"; reason: string };

/**
 * The candidate auto-selection picks: among the current generation's model
 * candidates in set order (the step's `models`) and candidate index, the
 * first that passed validation. When none passed, the first only with
 * `acceptInvalid`; else no pick, and the reason names each candidate's
 * failed checks. Responses are stored in arrival order, so this order is
 * what makes the choice the same on every run. Undefined when there is no
 * candidate.
 */
export function autoSelection(
  step: StepState,
  options: AutoSelectionOptions = {},
): AutoSelection | undefined {
  if (step.responses.length === 0) return undefined;
  const rank = (modelName: string) => {
    const index = step.models.indexOf(modelName);
    return index < 0 ? step.models.length : index;
  };
  const current = step.responses
    .map((response, index) => ({ response, index }))
    .filter(({ response }) => response.generation === step.generation)
    .sort((a, b) =>
      rank(a.response.modelName) - rank(b.response.modelName) ||
      a.response.candidateIndex - b.response.candidateIndex || a.index - b.index
    );
  if (current.length === 0) return { kind: "pick", index: 0 };
  const passing = current.find(({ response }) => response.validation.passed);
  if (passing) return { kind: "pick", index: passing.index };
  if (options.acceptInvalid) return { kind: "pick", index: current[0].index };
  const failures = [...current].sort((a, b) => a.index - b.index).map(({ response, index }) =>
    `[${index + 1}] ${response.modelName} #${response.candidateIndex + 1} ${
      response.validation.reasons.join(", ") || "failed validation"
    }`
  );
  return {
    kind: "no_valid_candidate",
    reason: `Step "${step.stepId}" has no candidate that passes validation: ${failures.join("; ")}`,
  };
}

/**
 * The commands auto-selection gives for `step` of `state` (the step as it
 * stands, or as it will once a candidate is recorded): select the pick and
 * complete the step (and the run when it was the last open step); with no
 * valid candidate, pause the run at the step when unattended, else nothing.
 */
export function autoSelectionCommands(
  state: PipelineRun,
  step: StepState,
  options: AutoSelectionOptions = {},
): RunCommand[] {
  const selection = autoSelection(step, options);
  if (!selection) return [];
  if (selection.kind === "no_valid_candidate") {
    // A run another step already paused keeps its first reason.
    const pausable = state.status === "running" || state.status === "initializing";
    return options.unattended && pausable
      ? [{ type: "pauseRun", reason: selection.reason, stepId: step.stepId }]
      : [];
  }
  const stepId = step.stepId;
  return [
    // By id: a candidate about to be recorded may not end up last in the step's list.
    { type: "selectResponse", stepId, responseId: step.responses[selection.index].responseId },
    { type: "completeStep", stepId },
    ...runCompletion(state, stepId),
  ];
}

/** `commands`, preceded by starting the run when it has not started yet. */
export function withRunStart(state: PipelineRun, commands: RunCommand[]): RunCommand[] {
  return state.status === "initializing" ? [{ type: "startRun" }, ...commands] : commands;
}

/** Completing the run, when completing `stepId` leaves no step open. */
export function runCompletion(state: PipelineRun, stepId: string): RunCommand[] {
  const others = state.stepOrder.every((id) => id === stepId || isStepDone(state.steps[id]));
  return others && state.status === "running" ? [{ type: "completeRun" }] : [];
}
