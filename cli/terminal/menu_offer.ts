/**
 * What the step menu offers, read from the run session's allowed actions
 * (engine/run_session.ts): pick, merge, edit, feedback, regenerate, branch
 * and skip when the run would accept them now, back when there is an earlier
 * step. A key for something not possible gets the session's reason.
 *
 * @example
 * ```ts
 * const help = menuHelp(step.responses.length, styles, menuOffer(run, step.stepId));
 * ```
 */
import type { PipelineRun } from "../../engine/run_model.ts";
import { allowedActions, type SessionActionName } from "../../engine/run_session.ts";
import type { MenuCommand, MenuOffer } from "./step_menu.ts";

/** The menu's entries as the run session allows them now. */
export function menuOffer(state: PipelineRun, stepId: string): MenuOffer {
  const allowed = allowedActions(state, stepId);
  return {
    pick: allowed.select.allowed,
    merge: allowed.merge.allowed,
    edit: allowed.edit.allowed,
    feedback: allowed.feedback.allowed && allowed.regenerate.allowed,
    regenerate: allowed.regenerate.allowed,
    branch: allowed.branch.allowed,
    back: state.stepOrder.indexOf(stepId) > 0,
    skip: allowed.skip.allowed,
  };
}

/** Why a menu command cannot be done now, from the run session; undefined when it can. */
export function refusal(
  state: PipelineRun,
  stepId: string,
  command: MenuCommand,
): string | undefined {
  const names: Partial<Record<MenuCommand["type"], SessionActionName>> = {
    pick: "select",
    merge: "merge",
    edit: "edit",
    regenerate: "regenerate",
    branch: "branch",
    skip: "skip",
  };
  const name = names[command.type];
  const permission = name ? allowedActions(state, stepId)[name] : { allowed: true as const };
  return permission.allowed ? undefined : permission.why;
}
