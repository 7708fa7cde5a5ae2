/**
 * Which steps of a run can move now: the scheduling half of the executor,
 * a pure function of the run's state. A step starts when every step it
 * depends on is completed or skipped; steps that become ready together run
 * concurrently. Steps left `running` by a process that stopped (not in
 * flight here) are interrupted generations to finish; steps awaiting
 * selection wait for a human or for auto-selection. Commands that move a
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

/**
 * The candidate auto-selection picks: among the current generation's model
 * candidates in set order (the step's `models`) and candidate index, the
 * first that passed validation, else the first; without any, the first
 * candidate at all. Responses are stored in arrival order, so this order is
 * what makes the choice the same on every run. Undefined when there is none.
 */
export function autoSelectionIndex(step: StepState): number | undefined {
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
  if (current.length === 0) return 0;
  return (current.find(({ response }) => response.validation.passed) ?? current[0]).index;
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
