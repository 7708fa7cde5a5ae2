/**
 * A run as a front end sees it, as one pure model that every front end
 * shares (the terminal menu, the dashboard, a full-screen terminal UI): the
 * run's state, whether something is generating, the text streaming into
 * each candidate, notices of what other people decided, and which actions
 * are allowed now (and if not, why). `applyUpdate` folds what arrives (a
 * run read, a stored event, a chunk, a notice) into a new session without
 * touching the old one; the rules come from the decider, so a front end can
 * never allow what the engine would refuse.
 *
 * @example
 * ```ts
 * let session = openSession(run, { self: "cli" });
 * session = applyUpdate(session, { type: "event", event });
 * allowedActions(session.run, "plan").select; // { allowed: true }
 * ```
 */
import { InvalidCommandError } from "./errors.ts";
import type { EventEnvelope } from "./events/event_envelope.ts";
import type { RunCommand } from "./run_commands.ts";
import { decide } from "./run_decider.ts";
import { evolve } from "./run_evolve.ts";
import type { PipelineRun } from "./run_model.ts";
import { describeDecision } from "./stale_action.ts";

/** Every action a person can take on a run. */
export const SESSION_ACTIONS = [
  "start",
  "select",
  "merge",
  "edit",
  "feedback",
  "regenerate",
  "skip",
  "rate",
  "branch",
  "rewind",
  "pause",
  "resume",
  "cancel",
] as const;

/** An action's name. */
export type SessionActionName = (typeof SESSION_ACTIONS)[number];

/** Whether an action may be taken now; if not, why, in a sentence for the person. */
export type Permission = { allowed: true } | { allowed: false; why: string };

/** Text streaming into one candidate of a generation. */
export interface StreamedText {
  stepId: string;
  generation: number;
  model: string;
  candidateIndex: number;
  text: string;
}

/** The session: everything a front end draws. */
export interface RunSession {
  readonly run: PipelineRun;
  /** Something (this process, a server, another terminal) is generating for the run. */
  readonly driving: boolean;
  /** Streamed text by `streamKey`. */
  readonly streams: ReadonlyMap<string, StreamedText>;
  /** The last few things others decided, newest last ("plan: candidate 2 was picked from the dashboard"). */
  readonly notices: readonly string[];
  /** The viewer's actor name: their own decisions make no notices. */
  readonly self?: string;
}

/** What a session takes in. */
export type SessionUpdate =
  | { type: "run"; run: PipelineRun; driving?: boolean }
  | { type: "event"; event: EventEnvelope }
  | {
    type: "chunk";
    stepId: string;
    generation: number;
    model: string;
    candidateIndex: number;
    text: string;
  }
  | {
    type: "chunk_reset";
    stepId: string;
    generation: number;
    model: string;
    candidateIndex: number;
  }
  | { type: "notice"; message: string }
  | { type: "driving"; driving: boolean };

/** Notices kept. */
export const MAX_SESSION_NOTICES = 5;

/** A session on `run`. */
export function openSession(
  run: PipelineRun,
  options: { driving?: boolean; self?: string } = {},
): RunSession {
  return {
    run,
    driving: options.driving ?? false,
    streams: new Map(),
    notices: [],
    self: options.self,
  };
}

/** The key of a candidate's stream. */
export function streamKey(
  part: Pick<StreamedText, "stepId" | "generation" | "model" | "candidateIndex">,
): string {
  return `${part.stepId}|${part.generation}|${part.model}|${part.candidateIndex}`;
}

/**
 * The session after `update`. Runs only move forward (an older read never
 * replaces a newer state); an event is folded in when it is the next one,
 * and one that is not yet foldable waits for the next run read.
 */
export function applyUpdate(session: RunSession, update: SessionUpdate): RunSession {
  switch (update.type) {
    case "run": {
      const driving = update.driving ?? session.driving;
      if (update.run.runId !== session.run.runId || update.run.version < session.run.version) {
        return driving === session.driving ? session : { ...session, driving };
      }
      return { ...session, run: update.run, driving, streams: pruned(session.streams, update.run) };
    }
    case "event": {
      const { event } = update;
      if (event.sequence !== session.run.version + 1) return session;
      const run = evolve(session.run, event);
      const actor = event.metadata.actor;
      const sentence = actor !== undefined && actor !== session.self
        ? describeDecision(event, run)
        : undefined;
      return {
        ...session,
        run,
        streams: pruned(session.streams, run),
        notices: sentence ? withNotice(session.notices, sentence) : session.notices,
      };
    }
    case "chunk": {
      const key = streamKey(update);
      const streams = new Map(session.streams);
      const existing = streams.get(key);
      streams.set(key, {
        stepId: update.stepId,
        generation: update.generation,
        model: update.model,
        candidateIndex: update.candidateIndex,
        text: (existing?.text ?? "") + update.text,
      });
      return { ...session, streams };
    }
    case "chunk_reset": {
      const key = streamKey(update);
      if (!session.streams.has(key)) return session;
      const streams = new Map(session.streams);
      streams.delete(key);
      return { ...session, streams };
    }
    case "notice":
      return { ...session, notices: withNotice(session.notices, update.message) };
    case "driving":
      return update.driving === session.driving ? session : { ...session, driving: update.driving };
  }
}

function withNotice(notices: readonly string[], sentence: string): readonly string[] {
  return [...notices, sentence].slice(-MAX_SESSION_NOTICES);
}

/** Drops streamed text that a recorded response or a newer generation replaced. */
function pruned(
  streams: ReadonlyMap<string, StreamedText>,
  run: PipelineRun,
): ReadonlyMap<string, StreamedText> {
  if (streams.size === 0) return streams;
  let changed = false;
  const kept = new Map<string, StreamedText>();
  for (const [key, stream] of streams) {
    const step = run.steps[stream.stepId];
    const finished = step !== undefined && step.status !== "running" &&
      step.status !== "pending" && stream.generation === step.generation;
    if (!step || stream.generation < step.generation || finished) changed = true;
    else kept.set(key, stream);
  }
  return changed ? kept : streams;
}

const ALLOWED: Permission = { allowed: true };

/** Asks the decider whether `command` would be accepted now. */
function permits(run: PipelineRun, command: RunCommand): Permission {
  try {
    decide(command, run);
    return ALLOWED;
  } catch (error) {
    if (error instanceof InvalidCommandError) return { allowed: false, why: error.message };
    throw error;
  }
}

/**
 * Which actions `run` allows now, on `stepId` for the step actions (default
 * the step that waits for the writer, else the current one), each with the
 * reason when it is not allowed.
 */
export function allowedActions(
  run: PipelineRun,
  stepId: string | undefined = waitingStepId(run),
): Record<SessionActionName, Permission> {
  const noStep: Permission = { allowed: false, why: "No step is waiting for a decision" };
  const step = stepId ? run.steps[stepId] : undefined;
  const onStep = (command: (id: string) => RunCommand): Permission =>
    stepId && step ? permits(run, command(stepId)) : noStep;
  const select = onStep((id) => ({ type: "selectResponse", stepId: id, index: 0 }));
  const active = run.status === "running" || run.status === "initializing";
  return {
    start: run.status === "initializing" ? ALLOWED : permits(run, { type: "resumeRun" }),
    select,
    merge: !step
      ? noStep
      : step.responses.length < 2
      ? { allowed: false, why: `Step "${stepId}" has fewer than 2 candidates to merge` }
      : select.allowed || step.status === "completed"
      ? ALLOWED
      : select,
    edit: onStep((id) => ({ type: "editStep", stepId: id, text: "…" })),
    feedback: onStep((id) => ({ type: "addFeedback", stepId: id, text: "…" })),
    regenerate: onStep((id) => ({ type: "regenerateStep", stepId: id, reason: "regenerate" })),
    skip: onStep((id) => ({ type: "skipStep", stepId: id })),
    rate: !step
      ? noStep
      : step.responses.length === 0
      ? { allowed: false, why: `Step "${stepId}" has no candidate to rate yet` }
      : ALLOWED,
    branch: onStep((id) => ({ type: "branchFrom", stepId: id })),
    rewind: onStep((id) => ({ type: "rewindTo", stepId: id })),
    pause: active ? permits(run, { type: "pauseRun" }) : {
      allowed: false,
      why: `Run "${run.runId}" is ${run.status}: only a running run can be paused`,
    },
    resume: permits(run, { type: "resumeRun" }),
    cancel: permits(run, { type: "cancelRun" }),
  };
}

/** The step that waits for the writer (candidates in, or failed), else the current one. */
export function waitingStepId(run: PipelineRun): string | undefined {
  const waiting = run.stepOrder.find((id) => {
    const status = run.steps[id]?.status;
    return status === "awaiting_selection" || status === "failed";
  });
  return waiting ?? (run.currentStep && run.steps[run.currentStep] ? run.currentStep : undefined);
}

/** Options of an action that decide whether the run goes on after it. */
export interface GoOnOptions {
  /** feedback: regenerate with it (default true). */
  regenerate?: boolean;
  /** branch: start the child. */
  start?: boolean;
}

/**
 * Whether the run should be driven on after `action` left it as `run`: the
 * one rule every front end and server follows. Pausing and cancelling stop;
 * feedback kept for later and a branch not started leave it as it is;
 * otherwise it goes on when it is running.
 */
export function goesOn(
  action: SessionActionName,
  run: PipelineRun,
  options: GoOnOptions = {},
): boolean {
  if (action === "pause" || action === "cancel" || action === "rate") return false;
  if (action === "feedback" && options.regenerate === false) return false;
  if (action === "branch" && !options.start) return false;
  return run.status === "running" || run.status === "initializing";
}
