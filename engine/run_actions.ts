/**
 * A person's action on a run, taken the same way by every front end and
 * server: `actOnRun` records the decision through the RunService and says
 * whether the run goes on after it (`goesOn`, in run_session.ts) and what
 * has to happen in the background (a merge generates its candidate). The
 * caller only chooses how to drive: the server's RunDriver, the CLI's own
 * loop, or a test.
 *
 * @example
 * ```ts
 * const outcome = await actOnRun(service, runId, { action: "select", stepId: "plan", index: 1, basedOn: 7 });
 * if (outcome.goOn) driver.drive(outcome.run.runId);
 * ```
 */
import type { PipelineRun } from "./run_model.ts";
import type { RunService } from "./run_service.ts";
import { goesOn } from "./run_session.ts";

/** An action with its fields; `basedOn` is the run version it was decided on. */
export type RunActionRequest =
  & { basedOn?: number }
  & (
    | { action: "start"; autoSelect?: boolean; acceptInvalid?: boolean }
    | { action: "select"; stepId: string; index?: number; responseId?: string }
    | {
      action: "merge";
      stepId: string;
      responseIds: string[];
      instructions?: string;
      model?: string;
    }
    | { action: "edit"; stepId: string; text: string }
    | { action: "feedback"; stepId: string; text: string; regenerate?: boolean }
    | { action: "regenerate"; stepId: string }
    | { action: "skip"; stepId: string; reason?: string }
    | {
      action: "rate";
      stepId: string;
      responseId: string;
      rating: "up" | "down" | "none";
      note?: string;
    }
    | { action: "branch"; fromStepId: string; start?: boolean }
    | { action: "rewind"; toStepId: string }
    | { action: "pause"; reason?: string }
    | { action: "resume"; model?: string }
    | { action: "cancel"; reason?: string }
  );

/** What an action did and what should happen next. */
export interface ActionOutcome {
  /** The run acted on (for a branch: the new child). */
  run: PipelineRun;
  /** Drive the run on now. */
  goOn: boolean;
  /** Pick candidates automatically while driving (`start` with autoSelect). */
  autoSelect?: boolean;
  /** With no valid candidate, auto-selection takes the first anyway (`start` with acceptInvalid). */
  acceptInvalid?: boolean;
  /** Work that finishes the action in the background (a merge); drive it instead. */
  later?: () => Promise<PipelineRun>;
  /** A new run was made (branch). */
  created?: boolean;
}

/** Takes `request` on `runId` as `actor`; throws StaleActionError, InvalidCommandError, … */
export async function actOnRun(
  service: RunService,
  runId: string,
  request: RunActionRequest,
  options: { actor?: string } = {},
): Promise<ActionOutcome> {
  const actor = options.actor;
  const who = { actor, basedOn: request.basedOn };
  const done = (run: PipelineRun, extra: Partial<ActionOutcome> = {}): ActionOutcome => ({
    run,
    goOn: goesOn(request.action, run, {
      regenerate: request.action === "feedback" ? request.regenerate : undefined,
      start: request.action === "branch" ? request.start : undefined,
    }),
    ...extra,
  });
  switch (request.action) {
    case "start": {
      const run = await service.resume(runId, { actor });
      return done(run, { autoSelect: request.autoSelect, acceptInvalid: request.acceptInvalid });
    }
    case "select":
      return done(
        await service.select(runId, request.stepId, request.index ?? request.responseId!, who),
      );
    case "merge": {
      await service.checkCurrent(runId, { ...who, stepId: request.stepId });
      const current = await service.loadRun(runId);
      return {
        run: current,
        goOn: false,
        later: () =>
          service.merge(runId, request.stepId, request.responseIds, {
            instructions: request.instructions,
            model: request.model,
            ...who,
          }),
      };
    }
    case "edit":
      return done(await service.edit(runId, request.stepId, request.text, who));
    case "feedback": {
      const noted = await service.addFeedback(runId, request.stepId, request.text, who);
      if (request.regenerate === false) return done(noted);
      return done(
        await service.regenerate(runId, request.stepId, {
          reason: "feedback",
          actor,
          basedOn: request.basedOn === undefined ? undefined : noted.version,
        }),
      );
    }
    case "regenerate":
      return done(await service.regenerate(runId, request.stepId, who));
    case "skip":
      return done(await service.skip(runId, request.stepId, { ...who, reason: request.reason }));
    case "branch": {
      const child = await service.branch(runId, { ...who, fromStepId: request.fromStepId });
      if (!request.start) return done(child, { created: true });
      return done(await service.resume(child.runId, { actor }), { created: true });
    }
    case "rewind":
      return done(await service.rewind(runId, request.toStepId, who));
    case "rate":
      return done(
        await service.rate(runId, request.stepId, request.responseId, {
          ...who,
          rating: request.rating,
          note: request.note,
        }),
      );
    case "pause":
      return done(await service.pause(runId, { ...who, reason: request.reason }));
    case "resume":
      return done(await service.resume(runId, { ...who, model: request.model }));
    case "cancel":
      return done(await service.cancel(runId, { ...who, reason: request.reason }));
  }
}
