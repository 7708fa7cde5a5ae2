/**
 * The run aggregate as a decider (emmett style): `decide(command, state)`
 * checks a command against the run's state and returns the events that
 * record it, or throws InvalidCommandError with a stable code and writes
 * nothing. `initialState` and `evolve` (engine/run_evolve.ts) are re-exported
 * so callers import the decider from one place.
 *
 * Codes: run_exists, run_not_created, run_finished, invalid_transition,
 * steps_incomplete, run_not_running, unknown_step, unknown_dependency,
 * dependencies_incomplete, step_running, step_done, step_not_started,
 * step_not_running, step_not_interrupted, response_step_mismatch,
 * generation_mismatch, duplicate_response, selection_out_of_range,
 * merge_needs_two, empty_feedback, empty_edit, nothing_selected,
 * retry_limit_reached, invalid_command.
 *
 * @example
 * ```ts
 * const events = decide({ type: "selectResponse", stepId: "outline", index: 0 }, state);
 * await store.append(state.runId, events, { expectedVersion: state.version });
 * ```
 */
import type { NewEvent } from "./events/event_envelope.ts";
import type { RunCommand } from "./run_commands.ts";
import type { PipelineRun } from "./run_model.ts";
import {
  decideStepCommand,
  isDone,
  rejectCommand,
  requireReadyPoint,
  requireStep,
} from "./run_step_decider.ts";

const fail: (code: string, message: string) => never = rejectCommand;

export { evolve, foldEvents, initialState } from "./run_evolve.ts";
export { dependentsOf } from "./run_step_decider.ts";

function transition(state: PipelineRun, allowed: string[], action: string): void {
  if (!allowed.includes(state.status)) {
    fail(
      "invalid_transition",
      `Cannot ${action} run "${state.runId}": it is ${state.status} (allowed from ${
        allowed.join(", ")
      })`,
    );
  }
}

function decideCreate(command: Extract<RunCommand, { type: "createRun" }>, state: PipelineRun) {
  if (state.version !== 0) {
    fail("run_exists", `Run "${state.runId}" already exists: create a run with a new id`);
  }
  if (
    command.stepOrder.length === 0 || new Set(command.stepOrder).size !== command.stepOrder.length
  ) {
    fail(
      "invalid_command",
      `Cannot create a run of "${command.pipelineId}": step ids must be non-empty and unique`,
    );
  }
  const dependencies: Record<string, string[]> = {};
  command.stepOrder.forEach((id, index) => {
    const given = command.stepDependencies[id] ??
      (index === 0 ? [] : [command.stepOrder[index - 1]]);
    for (const dependency of given) {
      if (!command.stepOrder.includes(dependency) || dependency === id) {
        fail(
          "unknown_dependency",
          `Step "${id}" of "${command.pipelineId}" depends on "${dependency}", which is not an earlier step: fix depends_on`,
        );
      }
    }
    dependencies[id] = [...given];
  });
  const { type: _type, ...data } = command;
  return [{ type: "run_created", data: { ...data, stepDependencies: dependencies } }] as NewEvent[];
}

/**
 * Going back to (or branching from) a step that has candidates of its
 * current prompt offers them again instead of generating the same ones: a
 * `step_reopened`. A stale step (its inputs changed), one still generating
 * and one without candidates get a new generation as before.
 */
function reopened(state: PipelineRun, stepId: string): NewEvent[] {
  const target = state.steps[stepId];
  if (!target || target.status === "stale" || target.status === "running") return [];
  const current = target.responses.some((response) => response.generation === target.generation);
  if (!current) return [];
  return [{ type: "step_reopened", data: { stepId, generation: target.generation } }];
}

/** A rating is about one candidate: it needs the candidate, and changes nothing else. */
function decideRating(
  command: Extract<RunCommand, { type: "rateResponse" }>,
  state: PipelineRun,
): NewEvent[] {
  const step = requireStep(state, command.stepId);
  if (!step.responses.some((response) => response.responseId === command.responseId)) {
    fail(
      "selection_out_of_range",
      `Cannot rate "${command.responseId}" in step "${command.stepId}" of run "${state.runId}": it has no such candidate`,
    );
  }
  const before = step.ratings?.[command.responseId];
  const note = command.note?.trim() || undefined;
  const rating = command.rating === "none" ? undefined : command.rating;
  if (before?.rating === rating && before?.note === note) return [];
  return [{
    type: "response_rated",
    data: {
      stepId: command.stepId,
      responseId: command.responseId,
      rating: command.rating,
      ...(note ? { note } : {}),
    },
  }];
}

/**
 * Checks `command` against `state` and returns the events to append (possibly
 * none, when the command changes nothing). Throws InvalidCommandError when
 * the state forbids the command; never has side effects.
 */
export function decide(command: RunCommand, state: PipelineRun): NewEvent[] {
  if (command.type === "createRun") return decideCreate(command, state);
  if (state.version === 0) {
    fail("run_not_created", `Run "${state.runId}" has no events: create it first`);
  }
  if (command.type === "branchFrom") {
    requireStep(state, command.stepId);
    requireReadyPoint(state, command.stepId, "branch from");
    return [{
      type: "run_branched",
      data: {
        parentRunId: state.runId,
        branchPoint: { stepId: command.stepId, sequence: state.version },
      },
    }, ...reopened(state, command.stepId)];
  }
  if (command.type === "rateResponse") return decideRating(command, state);
  if (state.status === "completed" || state.status === "cancelled") {
    fail(
      "run_finished",
      `Run "${state.runId}" is ${state.status}: branch from it to continue (writeit branch ${state.runId})`,
    );
  }
  switch (command.type) {
    case "startRun":
      transition(state, ["initializing"], "start");
      return [{ type: "run_started", data: {} }];
    case "pauseRun":
      transition(state, ["initializing", "running"], "pause");
      return [{
        type: "run_paused",
        data: {
          reason: command.reason,
          ...(command.stepId === undefined ? {} : { stepId: command.stepId }),
        },
      }];
    case "resumeRun":
      transition(state, ["paused", "error"], "resume");
      return [{ type: "run_resumed", data: {} }];
    case "changeModel": {
      const previous = state.options?.modelOverride;
      if (previous === command.model) return [];
      return [{
        type: "run_model_changed",
        data: {
          model: command.model,
          ...(typeof previous === "string" ? { previous } : {}),
        },
      }];
    }
    case "cancelRun":
      return [{ type: "run_cancelled", data: { reason: command.reason } }];
    case "failRun":
      return [{ type: "run_failed", data: { error: command.error } }];
    case "completeRun": {
      const open = state.stepOrder.filter((id) => !isDone(state.steps[id]));
      if (command.whenDone && (open.length > 0 || state.status !== "running")) return [];
      if (open.length > 0) {
        fail(
          "steps_incomplete",
          `Cannot complete run "${state.runId}": steps ${
            open.map((id) => `"${id}"`).join(", ")
          } are not completed or skipped`,
        );
      }
      return [{ type: "run_completed", data: {} }];
    }
    case "rewindTo":
      requireStep(state, command.stepId);
      requireReadyPoint(state, command.stepId, "rewind to");
      return [
        { type: "run_rewound", data: { toStepId: command.stepId } },
        ...reopened(state, command.stepId),
      ];
    default:
      return decideStepCommand(command, state);
  }
}
