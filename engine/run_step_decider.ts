/**
 * The step half of the run decider: commands that act on one step (start,
 * record a candidate, select, merge, edit, feedback, regenerate, resume,
 * complete, skip, fail). `decide` (engine/run_decider.ts) hands them here
 * after the run-level checks. Also home of the small rules both halves share:
 * how a command is rejected, what "done" means, and which later steps go
 * stale when a result changes.
 */
import { InvalidCommandError } from "./errors.ts";
import type { NewEvent } from "./events/event_envelope.ts";
import type { RunCommand } from "./run_commands.ts";
import type { PipelineRun, StepState } from "./run_model.ts";
import { MAX_STEP_RETRIES } from "./run_values.ts";
import { generationLabel } from "./generation_number.ts";

/** Throws InvalidCommandError with a stable code. */
export function rejectCommand(code: string, message: string): never {
  throw new InvalidCommandError(code, message);
}

const fail: (code: string, message: string) => never = rejectCommand;

export function requireStep(state: PipelineRun, stepId: string): StepState {
  const found = Object.hasOwn(state.steps, stepId) ? state.steps[stepId] : undefined;
  if (!found) {
    fail(
      "unknown_step",
      `Step "${stepId}" is not part of run "${state.runId}": use one of ${
        state.stepOrder.map((id) => `"${id}"`).join(", ")
      }`,
    );
  }
  return found;
}

/** Every step `stepId` depends on, directly or through other steps, in step order. */
export function dependenciesOf(state: PipelineRun, stepId: string): string[] {
  const found = new Set<string>();
  const queue = [...(state.stepDependencies[stepId] ?? [])];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (found.has(current)) continue;
    found.add(current);
    queue.push(...(state.stepDependencies[current] ?? []));
  }
  return state.stepOrder.filter((id) => found.has(id));
}

/**
 * Refuses a branch or rewind point whose earlier steps are not all done: the
 * steps it re-runs would be prompted from results that do not exist yet.
 */
export function requireReadyPoint(
  state: PipelineRun,
  stepId: string,
  action: "branch from" | "rewind to",
): void {
  const open = dependenciesOf(state, stepId).filter((id) => !isDone(state.steps[id]));
  if (open.length === 0) return;
  const listed = open.map((id) => `"${id}" (${state.steps[id]?.status ?? "missing"})`).join(", ");
  fail(
    action === "branch from" ? "branch_point_not_ready" : "rewind_point_not_ready",
    `Cannot ${action} "${stepId}" of run "${state.runId}": ${listed} before it ${
      open.length === 1 ? "is" : "are"
    } not completed yet: finish ${open.length === 1 ? "it" : "them"} first, or ${action} "${
      open[0]
    }"`,
  );
}

/** Every step that depends on `stepId`, directly or through other steps. */
export function dependentsOf(state: PipelineRun, stepId: string): string[] {
  const found = new Set<string>();
  const queue = [stepId];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const id of state.stepOrder) {
      if (!found.has(id) && (state.stepDependencies[id] ?? []).includes(current)) {
        found.add(id);
        queue.push(id);
      }
    }
  }
  return state.stepOrder.filter((id) => found.has(id));
}

function hasResults(target: StepState | undefined): boolean {
  if (!target) return false;
  if (target.status === "pending" || target.status === "stale" || target.status === "skipped") {
    return false;
  }
  // A generation under way (or failed) was prompted from the old text too.
  if (target.status === "running" || target.status === "failed") return true;
  return target.responses.length > 0 || target.selectedText !== undefined;
}

function requireNotStale(state: PipelineRun, target: StepState, action: string): void {
  if (target.status === "stale") {
    fail(
      "step_stale",
      `Cannot ${action} step "${target.stepId}" of run "${state.runId}": an earlier step changed after it ran, so its candidates no longer follow from it; run it again first (writeit resume ${state.runId})`,
    );
  }
}

/** `steps_invalidated` for dependants of `stepId` that have results, or nothing. */
function invalidations(
  state: PipelineRun,
  stepId: string,
  kind: "edit" | "selection",
): NewEvent[] {
  const stale = dependentsOf(state, stepId).filter((id) => hasResults(state.steps[id]));
  if (stale.length === 0) return [];
  return [{ type: "steps_invalidated", data: { stepIds: stale, cause: { stepId, kind } } }];
}

export function isDone(target: StepState | undefined): boolean {
  return target?.status === "completed" || target?.status === "skipped";
}

function requireNotDone(state: PipelineRun, target: StepState, action: string): void {
  if (isDone(target)) {
    fail(
      "step_done",
      `Cannot ${action} step "${target.stepId}" of run "${state.runId}": it is ${target.status}; rewind to it or regenerate it first`,
    );
  }
}

function requireNotRunning(state: PipelineRun, target: StepState, action: string): void {
  if (target.status === "running") {
    fail(
      "step_running",
      `Cannot ${action} step "${target.stepId}" of run "${state.runId}": it is still generating; wait for its candidates or fail it first`,
    );
  }
}

/** Commands that act on one step. */
export type StepCommand = Exclude<
  RunCommand,
  {
    type:
      | "createRun"
      | "branchFrom"
      | "startRun"
      | "pauseRun"
      | "resumeRun"
      | "changeModel"
      | "cancelRun"
      | "failRun"
      | "completeRun"
      | "rewindTo"
      | "rateResponse";
  }
>;

/** Decides a step command; the run-level checks (exists, not finished) are done by `decide`. */
export function decideStepCommand(command: StepCommand, state: PipelineRun): NewEvent[] {
  const target = requireStep(state, command.stepId);
  const stepId = target.stepId;
  const where = `step "${stepId}" of run "${state.runId}"`;
  switch (command.type) {
    case "startStep": {
      if (state.status !== "running") {
        fail(
          "run_not_running",
          `Cannot start ${where}: the run is ${state.status}; start or resume the run first`,
        );
      }
      requireNotRunning(state, target, "start");
      requireNotDone(state, target, "start");
      const waiting = (state.stepDependencies[stepId] ?? []).filter((id) =>
        !isDone(state.steps[id])
      );
      if (waiting.length > 0) {
        fail(
          "dependencies_incomplete",
          `Cannot start ${where}: it depends on ${
            waiting.map((id) => `"${id}"`).join(", ")
          }, which must be completed or skipped first`,
        );
      }
      const used = target.responses.some((r) => r.generation === target.generation);
      return [{
        type: "step_started",
        data: {
          stepId,
          generation: used ? target.generation + 1 : target.generation,
          prompt: command.prompt,
          systemPrompt: command.systemPrompt,
          models: [...command.models],
          responseCount: command.responseCount,
        },
      }];
    }
    case "recordResponse": {
      const response = command.response;
      if (target.status !== "running" && target.status !== "awaiting_selection") {
        fail(
          "step_not_running",
          `Cannot record a response for ${where}: it is ${target.status}; start the step first`,
        );
      }
      if (response.stepId !== stepId) {
        fail(
          "response_step_mismatch",
          `Response "${response.responseId}" belongs to step "${response.stepId}", not "${stepId}"`,
        );
      }
      if (response.generation !== target.generation) {
        fail(
          "generation_mismatch",
          `Response "${response.responseId}" is of ${
            generationLabel(response.generation)
          } but ${where} is at ${generationLabel(target.generation)}: drop the stale response`,
        );
      }
      if (target.responses.some((r) => r.responseId === response.responseId)) {
        fail("duplicate_response", `Response "${response.responseId}" is already in ${where}`);
      }
      return [{ type: "step_response_generated", data: { stepId, response } }];
    }
    case "failStep":
      requireNotDone(state, target, "fail");
      return [{
        type: "step_failed",
        data: { stepId, error: command.error, retryable: command.retryable },
      }];
    case "noteAttemptFailure":
      // A note about a generation that moved on, or a step that is no longer running, is dropped.
      if (
        target.status !== "running" || command.failure.generation !== target.generation
      ) return [];
      return [{ type: "model_attempt_failed", data: { stepId, ...command.failure } }];
    case "selectResponse": {
      requireNotRunning(state, target, "select a candidate of");
      requireNotStale(state, target, "select a candidate of");
      const count = target.responses.length;
      let index = command.index;
      if (command.responseId !== undefined) {
        index = target.responses.findIndex((r) => r.responseId === command.responseId);
      }
      if (index === undefined || index < 0 || index >= count || !Number.isInteger(index)) {
        const asked = command.responseId !== undefined
          ? `response "${command.responseId}"`
          : `candidate ${index === undefined ? "(none given)" : index + 1}`;
        fail(
          "selection_out_of_range",
          `Cannot select ${asked} in ${where}: it has ${count} candidate${
            count === 1 ? "" : "s"
          }; pick 1..${count}`,
        );
      }
      const chosen = target.responses[index];
      if (target.userSelection === index && target.selectedText === chosen.processedContent) {
        return [];
      }
      const changed = target.selectedText !== undefined &&
        target.selectedText !== chosen.processedContent;
      return [
        { type: "step_response_selected", data: { stepId, responseId: chosen.responseId } },
        ...(changed ? invalidations(state, stepId, "selection") : []),
      ];
    }
    case "addFeedback":
      if (command.text.trim() === "") {
        fail("empty_feedback", `Feedback for ${where} is empty: write what should change`);
      }
      return [{ type: "step_feedback_added", data: { stepId, text: command.text } }];
    case "regenerateStep": {
      if (target.status === "pending") {
        fail("step_not_started", `Cannot regenerate ${where}: it has not run yet; start it`);
      }
      requireNotRunning(state, target, "regenerate");
      if (target.retryCount >= MAX_STEP_RETRIES && command.reason !== "model") {
        fail(
          "retry_limit_reached",
          `Cannot regenerate ${where}: it was regenerated ${target.retryCount} times (limit ${MAX_STEP_RETRIES}); edit, merge or pick a candidate, or branch`,
        );
      }
      const hadResult = target.selectedText !== undefined;
      return [
        {
          type: "step_retried",
          data: {
            stepId,
            generation: target.generation + 1,
            reason: command.reason ?? "regenerate",
          },
        },
        ...(hadResult ? invalidations(state, stepId, "selection") : []),
      ];
    }
    case "resumeStep":
      if (target.status !== "running" && target.status !== "failed") {
        fail(
          "step_not_interrupted",
          `Cannot resume ${where}: it is ${target.status}, not running or failed`,
        );
      }
      return [{
        type: "step_retried",
        data: { stepId, generation: target.generation, reason: "resume" },
      }];
    case "mergeResponses": {
      const sources = [...new Set(command.sourceResponseIds)];
      if (sources.length < 2) {
        fail(
          "merge_needs_two",
          `Cannot merge in ${where}: choose at least two different candidates`,
        );
      }
      const missing = sources.filter((id) => !target.responses.some((r) => r.responseId === id));
      if (missing.length > 0) {
        fail(
          "selection_out_of_range",
          `Cannot merge in ${where}: no candidate ${missing.map((id) => `"${id}"`).join(", ")}`,
        );
      }
      requireNotRunning(state, target, "merge in");
      if (command.response.stepId !== stepId) {
        fail(
          "response_step_mismatch",
          `Merged response "${command.response.responseId}" belongs to step "${command.response.stepId}", not "${stepId}"`,
        );
      }
      if (target.responses.some((r) => r.responseId === command.response.responseId)) {
        fail(
          "duplicate_response",
          `Response "${command.response.responseId}" is already in ${where}`,
        );
      }
      const response = {
        ...command.response,
        origin: "merge" as const,
        sourceResponseIds: sources,
      };
      const changed = target.selectedText !== undefined &&
        target.selectedText !== response.processedContent;
      return [
        { type: "step_responses_merged", data: { stepId, response, sourceResponseIds: sources } },
        ...(changed ? invalidations(state, stepId, "selection") : []),
      ];
    }
    case "editStep": {
      if (command.text.trim() === "") {
        fail(
          "empty_edit",
          `The edited text for ${where} is empty: write the text or skip the step`,
        );
      }
      requireNotRunning(state, target, "edit");
      if (
        command.basedOnResponseId !== undefined &&
        !target.responses.some((r) => r.responseId === command.basedOnResponseId)
      ) {
        fail(
          "selection_out_of_range",
          `Cannot edit ${where} from response "${command.basedOnResponseId}": it has no such candidate`,
        );
      }
      if (command.text === target.selectedText) return [];
      const changed = target.selectedText !== undefined;
      return [
        {
          type: "step_edited",
          data: {
            stepId,
            text: command.text,
            basedOnResponseId: command.basedOnResponseId,
            ...(command.validation ? { validation: command.validation } : {}),
          },
        },
        ...(changed ? invalidations(state, stepId, "edit") : []),
      ];
    }
    case "completeStep": {
      requireNotDone(state, target, "complete");
      requireNotStale(state, target, "complete");
      if (target.selectedText === undefined) {
        fail(
          "nothing_selected",
          `Cannot complete ${where}: select, merge or edit a candidate first`,
        );
      }
      const selected = target.userSelection !== undefined
        ? target.responses[target.userSelection]
        : undefined;
      return [{
        type: "step_completed",
        data: { stepId, responseId: selected?.responseId, text: target.selectedText },
      }];
    }
    case "skipStep":
      requireNotDone(state, target, "skip");
      requireNotRunning(state, target, "skip");
      return [{ type: "step_skipped", data: { stepId, reason: command.reason } }];
  }
}
