/**
 * The human actions on a run and the body each takes: every one is a REST
 * route (`POST /api/runs/{id}/{action}`), and the WebSocket accepts the
 * subset in `SOCKET_ACTIONS` (plus `ping`) as `{ id, action, ...body }`.
 * Every action but `start` takes `basedOn`, the run version it was decided
 * on (409 `stale_action` when someone else decided since).
 *
 * @example
 * ```ts
 * const body = ACTION_BODIES.select.parse({ stepId: "outline", index: 0, basedOn: 7 });
 * ```
 */
import type { z } from "zod";
import type { SessionActionName } from "../engine/run_session.ts";
import {
  BranchBody,
  EditBody,
  FeedbackBody,
  MergeBody,
  RateBody,
  ReasonBody,
  RegenerateBody,
  ResumeBody,
  RewindBody,
  SelectBody,
  SkipBody,
  StartRunBody,
} from "./rest.ts";

/** Each action's body schema. */
export const ACTION_BODIES = {
  start: StartRunBody,
  select: SelectBody,
  merge: MergeBody,
  edit: EditBody,
  feedback: FeedbackBody,
  regenerate: RegenerateBody,
  skip: SkipBody,
  rate: RateBody,
  branch: BranchBody,
  rewind: RewindBody,
  pause: ReasonBody,
  resume: ResumeBody,
  cancel: ReasonBody,
} as const;

/** An action's name. */
export type ActionName = keyof typeof ACTION_BODIES;

/** The routes take exactly the actions of the run session (engine/run_session.ts). */
const sameActions: [ActionName] extends [SessionActionName]
  ? ([SessionActionName] extends [ActionName] ? true : false)
  : false = true;
void sameActions;

/** The body of action `A` as a client sends it (defaults not yet applied). */
export type ActionBody<A extends ActionName> = z.input<(typeof ACTION_BODIES)[A]>;

/** The body of action `A` once parsed (defaults applied). */
export type ParsedActionBody<A extends ActionName> = z.output<(typeof ACTION_BODIES)[A]>;

/** Actions a WebSocket accepts (branch, merge and rewind are REST only). */
export const SOCKET_ACTIONS = [
  "select",
  "feedback",
  "regenerate",
  "edit",
  "skip",
  "rate",
  "pause",
  "resume",
  "cancel",
  "start",
] as const satisfies readonly ActionName[];

/** An action a WebSocket accepts. */
export type SocketActionName = typeof SOCKET_ACTIONS[number];

/** Whether `name` is an action. */
export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTION_BODIES, name);
}

/** Whether `name` is an action a WebSocket accepts. */
export function isSocketAction(name: string): name is SocketActionName {
  return (SOCKET_ACTIONS as readonly string[]).includes(name);
}
