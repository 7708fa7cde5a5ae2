/**
 * Commands: what callers (the executor, the CLI, the API) ask a run to do.
 * `decide` (engine/run_decider.ts) checks each against the run's state and
 * returns the events to append, or throws InvalidCommandError and writes
 * nothing. Commands carry every id and value the resulting events need, so
 * the decider stays pure; times come from the store when it stamps events.
 *
 * @example
 * ```ts
 * const command: RunCommand = { type: "selectResponse", stepId: "outline", index: 1 };
 * ```
 */
import type { AIResponse, AttemptFailure, ResponseValidation } from "./run_model.ts";

/** Creates a run: the first event of a new stream. */
export interface CreateRunCommand {
  type: "createRun";
  pipelineId: string;
  pipelineVersion?: string;
  pipelineHash: string;
  workspace: string;
  /** Step ids in pipeline order. */
  stepOrder: string[];
  /** Step id → the step ids it depends on (missing = the previous step). */
  stepDependencies: Record<string, string[]>;
  inputs: Record<string, unknown>;
  styleId?: string;
  styleVersion?: number;
  options?: Record<string, unknown>;
}

/** initializing → running. */
export interface StartRunCommand {
  type: "startRun";
}
/** running → paused. */
export interface PauseRunCommand {
  type: "pauseRun";
  reason?: string;
  /** The step the run stopped at for want of a person (no valid candidate to auto-select). */
  stepId?: string;
}
/** paused (or error) → running. */
export interface ResumeRunCommand {
  type: "resumeRun";
}
/**
 * From now on the run's candidates come from `model` (as a run created with
 * `--model`); the step it stopped at is asked again.
 */
export interface ChangeModelCommand {
  type: "changeModel";
  model: string;
}
/** Any unfinished status → cancelled. */
export interface CancelRunCommand {
  type: "cancelRun";
  reason?: string;
}
/**
 * → completed; only when every step is completed or skipped. With `whenDone`,
 * a run that is not running or has open steps is left as it is (no event, no
 * error), so the command can ride along with the pick that finishes the last
 * step and complete the run in the same append.
 */
export interface CompleteRunCommand {
  type: "completeRun";
  whenDone?: boolean;
}
/** → error. */
export interface FailRunCommand {
  type: "failRun";
  error: string;
}

/** Starts (a new generation of) a step once its dependencies are completed or skipped. */
export interface StartStepCommand {
  type: "startStep";
  stepId: string;
  /** Rendered prompt of this generation. */
  prompt: string;
  systemPrompt?: string;
  /** Models asked, one candidate set each. */
  models: string[];
  /** Candidates per model. */
  responseCount: number;
}

/** Records one finished candidate of the running step. */
export interface RecordResponseCommand {
  type: "recordResponse";
  stepId: string;
  response: AIResponse;
}

/** Marks a step failed (provider error, validation gave up). */
export interface FailStepCommand {
  type: "failStep";
  stepId: string;
  error: string;
  retryable: boolean;
}

/** Notes a failed model call of the running step that is retried or falls back. */
export interface NoteAttemptFailureCommand {
  type: "noteAttemptFailure";
  stepId: string;
  failure: Omit<AttemptFailure, "at">;
}

/** Chooses a candidate by `responseId` or by `index` into the step's responses. */
export interface SelectResponseCommand {
  type: "selectResponse";
  stepId: string;
  responseId?: string;
  index?: number;
}

/** Adds a note for the next generation of a step. */
export interface AddFeedbackCommand {
  type: "addFeedback";
  stepId: string;
  text: string;
}

/** Asks for a new generation (counts against MAX_STEP_RETRIES). */
export interface RegenerateStepCommand {
  type: "regenerateStep";
  stepId: string;
  /** "feedback" when the new generation should act on feedback; default "regenerate". */
  reason?: "regenerate" | "feedback" | "model";
}

/** Continues a step that was running or failed when its process stopped (does not count as a retry). */
export interface ResumeStepCommand {
  type: "resumeStep";
  stepId: string;
}

/** Records a merge of two or more candidates as a new, selected candidate. */
export interface MergeResponsesCommand {
  type: "mergeResponses";
  stepId: string;
  sourceResponseIds: string[];
  /** The merged candidate; its origin becomes "merge". */
  response: AIResponse;
}

/** Replaces the step's result with hand-edited text. */
export interface EditStepCommand {
  type: "editStep";
  stepId: string;
  text: string;
  basedOnResponseId?: string;
  /** The step's validation rules applied to `text`, when the caller knows them. */
  validation?: ResponseValidation;
}

/** Rates a candidate (and notes why); allowed at any time, finished runs included. */
export interface RateResponseCommand {
  type: "rateResponse";
  stepId: string;
  responseId: string;
  rating: "up" | "down" | "none";
  note?: string;
}

/** Accepts the step's selection (or edited text) as its result. */
export interface CompleteStepCommand {
  type: "completeStep";
  stepId: string;
}

/** Skips a step; later steps treat it as done. */
export interface SkipStepCommand {
  type: "skipStep";
  stepId: string;
  reason?: string;
}

/** Sends the run back to `stepId`: it and every later step become pending or stale. History is kept. */
export interface RewindToCommand {
  type: "rewindTo";
  stepId: string;
}

/**
 * Forks the run: decided against the parent's state (at the branch point),
 * it yields the child's first event, `run_branched`. Append it to the child's
 * stream with `expectedVersion` = the parent state's version.
 */
export interface BranchFromCommand {
  type: "branchFrom";
  /** The step the child re-runs from (it keeps the parent's earlier steps). */
  stepId: string;
}

/** Every command a run accepts. */
export type RunCommand =
  | CreateRunCommand
  | StartRunCommand
  | PauseRunCommand
  | ResumeRunCommand
  | ChangeModelCommand
  | CancelRunCommand
  | CompleteRunCommand
  | FailRunCommand
  | StartStepCommand
  | RecordResponseCommand
  | FailStepCommand
  | NoteAttemptFailureCommand
  | SelectResponseCommand
  | AddFeedbackCommand
  | RegenerateStepCommand
  | ResumeStepCommand
  | MergeResponsesCommand
  | EditStepCommand
  | RateResponseCommand
  | CompleteStepCommand
  | SkipStepCommand
  | RewindToCommand
  | BranchFromCommand;

/** Name of a command type. */
export type RunCommandType = RunCommand["type"];
