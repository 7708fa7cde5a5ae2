/**
 * The fold half of the run decider: `initialState()` and `evolve(state,
 * event)` turn a run's events into its PipelineRun (engine/run_model.ts).
 * `evolve` is pure; `evolveInPlace` is the same fold mutating a state the
 * caller owns (stores use it to keep a cached state current without copying
 * every response list on every event), and `foldEvents` folds many events
 * with one copy.
 *
 * @example
 * ```ts
 * const state = foldEvents(initialState(), await store.read("run-1"));
 * ```
 */
import type { EventEnvelope } from "./events/event_envelope.ts";
import type { RunFold } from "./events/stream_fold.ts";
import type { AIResponse, PipelineRun, StepState } from "./run_model.ts";
import { addUsage, emptyUsage, MAX_ATTEMPT_FAILURES } from "./run_values.ts";

/** The state before a run's first event (version 0). */
export function initialState(runId = ""): PipelineRun {
  return {
    runId,
    pipelineId: "",
    workspace: "",
    createdAt: "",
    updatedAt: "",
    status: "initializing",
    userInputs: {},
    stepOrder: [],
    stepDependencies: {},
    steps: {},
    usage: emptyUsage(),
    version: 0,
  };
}

/** A pending step with nothing in it. */
export function newStepState(stepId: string): StepState {
  return {
    stepId,
    status: "pending",
    generation: 0,
    responses: [],
    feedback: [],
    retryCount: 0,
    models: [],
    responseCount: 0,
    usage: emptyUsage(),
  };
}

/** Copies a state deeply enough that `evolveInPlace` on the copy leaves the original untouched. */
export function cloneState(state: PipelineRun): PipelineRun {
  const steps: Record<string, StepState> = {};
  for (const [id, step] of Object.entries(state.steps)) {
    steps[id] = {
      ...step,
      responses: [...step.responses],
      feedback: [...step.feedback],
      models: [...step.models],
    };
  }
  return { ...state, steps, stepOrder: [...state.stepOrder] };
}

/** Pure fold of one event: returns a new state, the input is not changed. */
export function evolve(state: PipelineRun, event: EventEnvelope): PipelineRun {
  const next = cloneState(state);
  evolveInPlace(next, event);
  return next;
}

/** Folds `events` into a copy of `state`. */
export function foldEvents(state: PipelineRun, events: Iterable<EventEnvelope>): PipelineRun {
  const next = cloneState(state);
  for (const event of events) evolveInPlace(next, event);
  return next;
}

function step(state: PipelineRun, stepId: string): StepState {
  let found = Object.hasOwn(state.steps, stepId) ? state.steps[stepId] : undefined;
  if (!found) {
    // An event for a step the run did not declare (an older pipeline shape): keep it visible.
    found = newStepState(stepId);
    state.steps[stepId] = found;
  }
  return found;
}

function expectedResponses(target: StepState): number {
  return target.models.length * target.responseCount;
}

function modelResponsesOfGeneration(target: StepState): number {
  let count = 0;
  for (const response of target.responses) {
    if (response.generation === target.generation && response.origin === "model") count++;
  }
  return count;
}

function addResponse(state: PipelineRun, target: StepState, response: AIResponse): void {
  const at = insertionIndex(target, response);
  target.responses.splice(at, 0, response);
  if (target.userSelection !== undefined && at <= target.userSelection) target.userSelection++;
  target.usage = addUsage(target.usage, response.usage);
  state.usage = addUsage(state.usage, response.usage);
}

/**
 * Where a candidate goes: a generation's model candidates stay in model
 * order, then candidate order, whatever order they finished in, so the
 * numbers a writer sees are stable; merges and edits go last.
 */
function insertionIndex(target: StepState, response: AIResponse): number {
  if (response.origin !== "model") return target.responses.length;
  const rank = (candidate: AIResponse) => {
    const index = target.models.indexOf(candidate.modelName);
    return index < 0 ? target.models.length : index;
  };
  const sortsBefore = (other: AIResponse) =>
    rank(other) < rank(response) ||
    (rank(other) === rank(response) && other.candidateIndex <= response.candidateIndex);
  let at = target.responses.length;
  while (at > 0) {
    const other = target.responses[at - 1];
    if (other.origin !== "model" || other.generation !== response.generation) break;
    if (sortsBefore(other)) break;
    at--;
  }
  return at;
}

/**
 * The candidate a hand edit becomes (origin "edit"), so it stays choosable
 * after going back, rewinding or branching. Its id comes from the event, so
 * every fold of the log (a branch's included) names it the same.
 */
function editedCandidate(
  target: StepState,
  event: Extract<EventEnvelope, { type: "step_edited" }>,
): AIResponse {
  const base = target.responses.find((r) => r.responseId === event.data.basedOnResponseId);
  return {
    responseId: `edit-${event.id}`,
    stepId: target.stepId,
    generation: target.generation,
    candidateIndex: target.responses.length,
    modelName: "edit",
    provider: "writer",
    promptUsed: base?.promptUsed ?? target.prompt ?? "(written by hand)",
    rawOutput: event.data.text,
    processedContent: event.data.text,
    createdAt: event.time,
    usage: emptyUsage(),
    processingTime: 0,
    origin: "edit",
    cached: false,
    validation: event.data.validation ?? { passed: true, reasons: [] },
    ...(base ? { sourceResponseIds: [base.responseId] } : {}),
  };
}

function clearResult(target: StepState): void {
  target.userSelection = undefined;
  target.selectedText = undefined;
  target.mergedContent = undefined;
  target.completedAt = undefined;
  target.error = undefined;
}

/** Target step back to pending, later steps with results to stale (others pending). */
function resetFrom(state: PipelineRun, stepId: string): void {
  const start = state.stepOrder.indexOf(stepId);
  if (start < 0) return;
  for (const id of state.stepOrder.slice(start)) {
    const target = step(state, id);
    const hadResults = target.responses.length > 0 || target.selectedText !== undefined;
    if (id === stepId || !hadResults || target.status === "skipped") {
      clearResult(target);
      target.status = "pending";
    } else {
      target.status = "stale";
    }
    // retryCount stays: going back does not buy more regenerations.
  }
}

function refreshCurrentStep(state: PipelineRun): void {
  state.currentStep = state.stepOrder.find((id) => {
    const status = state.steps[id]?.status;
    return status !== "completed" && status !== "skipped";
  });
}

/** Folds one event into `state`, mutating it. The caller must own `state`. */
export function evolveInPlace(state: PipelineRun, event: EventEnvelope): void {
  state.version = event.sequence;
  state.updatedAt = event.time;
  switch (event.type) {
    case "run_created": {
      const data = event.data;
      state.runId = event.runId;
      state.pipelineId = data.pipelineId;
      state.pipelineVersion = data.pipelineVersion;
      state.pipelineHash = data.pipelineHash;
      state.workspace = data.workspace;
      state.stepOrder = [...data.stepOrder];
      state.stepDependencies = data.stepDependencies;
      state.userInputs = data.inputs;
      state.styleId = data.styleId;
      state.styleVersion = data.styleVersion;
      state.options = data.options;
      state.createdAt = event.time;
      state.status = "initializing";
      state.steps = {};
      for (const id of data.stepOrder) state.steps[id] = newStepState(id);
      state.currentStep = data.stepOrder[0];
      return;
    }
    case "run_started":
      state.status = "running";
      state.startedAt ??= event.time;
      return;
    case "run_paused":
      state.status = "paused";
      state.pauseReason = event.data.reason;
      state.pausedStep = event.data.stepId;
      return;
    case "run_resumed":
      state.status = "running";
      state.error = undefined;
      state.pauseReason = undefined;
      state.pausedStep = undefined;
      return;
    case "run_model_changed":
      state.options = { ...state.options, modelOverride: event.data.model };
      return;
    case "run_cancelled":
      state.status = "cancelled";
      state.pauseReason = undefined;
      state.pausedStep = undefined;
      return;
    case "run_completed":
      state.status = "completed";
      state.pauseReason = undefined;
      state.pausedStep = undefined;
      state.completedAt = event.time;
      return;
    case "run_failed":
      state.status = "error";
      state.pauseReason = undefined;
      state.pausedStep = undefined;
      state.error = event.data.error;
      return;
    case "step_started": {
      const data = event.data;
      const target = step(state, data.stepId);
      clearResult(target);
      target.attemptFailures = undefined;
      target.status = "running";
      target.startedAt = event.time;
      target.generation = data.generation;
      target.prompt = data.prompt;
      target.systemPrompt = data.systemPrompt;
      target.models = [...data.models];
      target.responseCount = data.responseCount;
      if (expectedResponses(target) === 0) target.status = "awaiting_selection";
      state.currentStep = data.stepId;
      return;
    }
    case "step_response_generated": {
      const target = step(state, event.data.stepId);
      addResponse(state, target, event.data.response);
      if (
        target.status === "running" &&
        modelResponsesOfGeneration(target) >= expectedResponses(target)
      ) {
        target.status = "awaiting_selection";
      }
      return;
    }
    case "step_response_selected": {
      const target = step(state, event.data.stepId);
      const index = target.responses.findIndex((r) => r.responseId === event.data.responseId);
      if (index < 0) return;
      target.userSelection = index;
      target.selectedText = target.responses[index].processedContent;
      if (target.status === "failed" || target.status === "pending") {
        target.status = "awaiting_selection";
      }
      return;
    }
    case "step_feedback_added": {
      const target = step(state, event.data.stepId);
      target.feedback.push({
        text: event.data.text,
        at: event.time,
        generation: target.generation,
      });
      return;
    }
    case "step_retried": {
      const target = step(state, event.data.stepId);
      target.generation = event.data.generation;
      if (event.data.reason === "resume") {
        target.status = "running";
        target.error = undefined;
      } else {
        clearResult(target);
        // Asking again on another model is not one of the step's regenerations.
        if (event.data.reason !== "model") target.retryCount += 1;
        target.status = "pending";
      }
      return;
    }
    case "step_failed": {
      const target = step(state, event.data.stepId);
      target.status = "failed";
      target.error = event.data.error;
      return;
    }
    case "model_attempt_failed": {
      const { stepId, ...failure } = event.data;
      const target = step(state, stepId);
      if (failure.generation !== target.generation) return;
      target.attemptFailures = [...(target.attemptFailures ?? []), { ...failure, at: event.time }]
        .slice(-MAX_ATTEMPT_FAILURES);
      return;
    }
    case "step_completed": {
      const target = step(state, event.data.stepId);
      target.status = "completed";
      target.completedAt = event.time;
      target.selectedText = event.data.text;
      target.error = undefined;
      if (event.data.responseId !== undefined) {
        const index = target.responses.findIndex((r) => r.responseId === event.data.responseId);
        if (index >= 0) target.userSelection = index;
      }
      refreshCurrentStep(state);
      return;
    }
    case "step_responses_merged": {
      const target = step(state, event.data.stepId);
      addResponse(state, target, event.data.response);
      target.userSelection = target.responses.length - 1;
      target.selectedText = event.data.response.processedContent;
      target.mergedContent = event.data.response.processedContent;
      if (target.status === "failed" || target.status === "pending") {
        target.status = "awaiting_selection";
      }
      return;
    }
    case "step_edited": {
      const target = step(state, event.data.stepId);
      target.selectedText = event.data.text;
      const same = target.responses.findIndex((r) => r.processedContent === event.data.text);
      if (same >= 0) {
        target.userSelection = same;
      } else {
        addResponse(state, target, editedCandidate(target, event));
        target.userSelection = target.responses.length - 1;
      }
      if (target.status === "failed" || target.status === "pending") {
        target.status = "awaiting_selection";
      }
      return;
    }
    case "response_rated": {
      const target = step(state, event.data.stepId);
      const ratings = { ...target.ratings };
      const rating = event.data.rating === "none" ? undefined : event.data.rating;
      if (rating === undefined && event.data.note === undefined) {
        delete ratings[event.data.responseId];
      } else {
        ratings[event.data.responseId] = {
          ...(rating ? { rating } : {}),
          ...(event.data.note ? { note: event.data.note } : {}),
          at: event.time,
        };
      }
      target.ratings = ratings;
      return;
    }
    case "step_skipped": {
      const target = step(state, event.data.stepId);
      target.status = "skipped";
      target.completedAt = event.time;
      refreshCurrentStep(state);
      return;
    }
    case "steps_invalidated":
      for (const id of event.data.stepIds) step(state, id).status = "stale";
      refreshCurrentStep(state);
      return;
    case "run_rewound":
      resetFrom(state, event.data.toStepId);
      state.currentStep = event.data.toStepId;
      return;
    case "step_reopened": {
      const target = step(state, event.data.stepId);
      target.status = "awaiting_selection";
      target.generation = event.data.generation;
      state.currentStep = event.data.stepId;
      return;
    }
    case "run_branched":
      state.runId = event.runId;
      state.parentRunId = event.data.parentRunId;
      state.branchPoint = event.data.branchPoint;
      state.createdAt = event.time;
      state.startedAt = undefined;
      state.completedAt = undefined;
      state.error = undefined;
      state.status = "initializing";
      resetFrom(state, event.data.branchPoint.stepId);
      state.currentStep = event.data.branchPoint.stepId;
      return;
    case "state_snapshot": {
      const copy = cloneState(event.data.state as PipelineRun);
      for (const key of Object.keys(state)) {
        delete (state as Partial<PipelineRun>)[key as keyof PipelineRun];
      }
      Object.assign(state, copy, { version: event.sequence });
      return;
    }
  }
}

/** The run fold as the stores receive it (see engine/events/stream_fold.ts). */
export const runFold: RunFold = {
  initialState,
  evolve: evolveInPlace,
  clone: cloneState,
};
