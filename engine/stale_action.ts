/**
 * Optimistic concurrency for people: a human action carries the run version
 * it was decided on (`basedOn`). When someone else decided something since
 * (picked, edited, merged, gave feedback, regenerated, skipped, rewound,
 * paused…) on the same step or on the whole run, the action is refused with
 * a StaleActionError that says what changed and who did it, and nothing is
 * written. Progress of the machine (candidates streaming in, failed
 * attempts, a step starting) does not make an action stale.
 *
 * @example
 * ```ts
 * staleChange(eventsSince, state, "write"); // "write: candidate 2 was picked from the dashboard"
 * ```
 */
import { ConflictError } from "./errors.ts";
import type { EventEnvelope } from "./events/event_envelope.ts";
import type { PipelineRun } from "./run_model.ts";

/** The run version an action was decided on, and the step it is about (none: the whole run). */
export interface DecidedOn {
  version: number;
  stepId?: string;
}

/** Details of a refusal, as the API's problem document carries them. */
export interface StaleActionDetails {
  /** The version the action was decided on. */
  basedOn: number;
  /** The run's version now. */
  version: number;
  /** What changed, one sentence per decision since `basedOn` that conflicts. */
  changes: string[];
}

/** An action decided on an older state of the run than the current one. */
export class StaleActionError extends ConflictError {
  readonly details: StaleActionDetails;
  constructor(details: StaleActionDetails) {
    super(
      `${
        details.changes[0]
      } since you looked (version ${details.basedOn}, now ${details.version}): look again and decide on what is there now`,
      { code: "stale_action" },
    );
    this.details = details;
  }
}

/** Who acted, as a person reads it ("from the dashboard"). */
export function actorPhrase(actor: string | undefined): string {
  if (!actor) return "";
  if (actor === "cli") return " from the CLI";
  if (actor === "dashboard" || actor.startsWith("dashboard-")) return " from the dashboard";
  if (actor === "api" || actor.startsWith("api:")) return " through the API";
  if (actor === "tui") return " from the terminal UI";
  if (actor === "server") return " by the server";
  if (actor === "engine" || actor === "executor") return " automatically";
  return ` by ${actor}`;
}

/** One sentence for a decision event, or undefined for machine progress. */
export function describeDecision(event: EventEnvelope, state: PipelineRun): string | undefined {
  const who = actorPhrase(event.metadata.actor);
  switch (event.type) {
    case "step_response_selected": {
      const responses = state.steps[event.data.stepId]?.responses ?? [];
      const index = responses.findIndex((response) =>
        response.responseId === event.data.responseId
      );
      const which = index >= 0 ? `candidate ${index + 1}` : "a candidate";
      return `${event.data.stepId}: ${which} was picked${who}`;
    }
    case "step_edited":
      return `${event.data.stepId}: the text was edited${who}`;
    case "step_responses_merged":
      return `${event.data.stepId}: ${event.data.sourceResponseIds.length} candidates were merged${who}`;
    case "step_feedback_added":
      return `${event.data.stepId}: feedback was given${who}`;
    case "step_retried":
      return `${event.data.stepId}: new candidates were asked for${who}`;
    case "step_skipped":
      return `${event.data.stepId}: the step was skipped${who}`;
    case "steps_invalidated":
      return `${event.data.stepIds.join(", ")}: marked stale by an earlier change${who}`;
    case "run_rewound":
      return `the run was rewound to ${event.data.toStepId}${who}`;
    case "run_paused":
      return `the run was paused${who}`;
    case "run_resumed":
      return `the run was resumed${who}`;
    case "run_model_changed":
      return `the run was switched to model ${event.data.model}${who}`;
    case "run_cancelled":
      return `the run was cancelled${who}`;
    default:
      return undefined;
  }
}

/** The steps a decision event is about; undefined when it is about the whole run. */
function stepsOf(event: EventEnvelope): string[] | undefined {
  switch (event.type) {
    case "steps_invalidated":
      return event.data.stepIds;
    case "run_rewound":
    case "run_paused":
    case "run_resumed":
    case "run_cancelled":
      return undefined;
    default:
      return "stepId" in event.data ? [event.data.stepId as string] : undefined;
  }
}

/**
 * What changed among `events` (those after the version an action was decided
 * on) that the action about `stepId` did not see: decisions on that step or
 * on the whole run (any decision when `stepId` is undefined). Empty when the
 * action may go ahead.
 */
export function conflictingChanges(
  events: readonly EventEnvelope[],
  state: PipelineRun,
  stepId?: string,
): string[] {
  const changes: string[] = [];
  for (const event of events) {
    const sentence = describeDecision(event, state);
    if (!sentence) continue;
    const steps = stepsOf(event);
    if (stepId !== undefined && steps !== undefined && !steps.includes(stepId)) continue;
    changes.push(sentence);
  }
  return changes;
}

/** Reads what happened after `decided.version` and throws StaleActionError if it conflicts. */
export async function assertNotStale(
  read: (fromSequence: number) => Promise<EventEnvelope[]>,
  state: PipelineRun,
  decided: DecidedOn | undefined,
): Promise<void> {
  if (decided === undefined || state.version <= decided.version) return;
  const changes = conflictingChanges(await read(decided.version + 1), state, decided.stepId);
  if (changes.length === 0) return;
  throw new StaleActionError({ basedOn: decided.version, version: state.version, changes });
}
