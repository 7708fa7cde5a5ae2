/**
 * The human actions on a run over REST: start (and the seed's `execute`),
 * select, merge, edit, feedback, regenerate, skip, branch, rewind, pause,
 * resume and cancel. Each records its decision at once (engine/
 * run_actions.ts decides, and says whether the run goes on) and answers
 * `{ run, driving }`; when the run goes on, the workspace's RunDriver
 * continues it in the background and the answer is 202. The same actions
 * reach the WebSocket through `performAction`.
 */
import { Hono } from "hono";
import { actOnRun, type RunActionRequest } from "../../engine/run_actions.ts";
import type { PipelineRun } from "../../engine/run_model.ts";
import type { WorkspaceRuntime } from "../../server/workspace_hub.ts";
import {
  ACTION_BODIES,
  type ActionName,
  type ParsedActionBody,
  type RunResult,
} from "../../protocol/mod.ts";
import type { ApiEnv } from "./api_env.ts";
import { readBody } from "./request_body.ts";

/** What an action produced: the run's state, whether it is being driven, and the HTTP status. */
export interface ActionResult {
  run: PipelineRun;
  driving: boolean;
  status: 200 | 201 | 202;
}

/**
 * Performs one action on `runId` with an already parsed body (the engine's
 * `actOnRun` decides; this maps its outcome to the workspace's RunDriver and
 * an HTTP status).
 */
export async function performAction<A extends ActionName>(
  runtime: WorkspaceRuntime,
  runId: string,
  action: A,
  body: ParsedActionBody<A>,
  actor = "api",
): Promise<ActionResult> {
  const { service, driver } = runtime;
  const outcome = await actOnRun(
    service,
    runId,
    { action, ...body } as RunActionRequest,
    { actor },
  );
  if (outcome.later) {
    driver.task(runId, outcome.later);
    return { run: outcome.run, driving: true, status: 202 };
  }
  if (outcome.goOn) {
    // A run created with autoSelect keeps it: the executor reads it from the run's options.
    driver.drive(outcome.run.runId, {
      autoSelect: outcome.autoSelect,
      acceptInvalid: outcome.acceptInvalid,
    });
    return { run: outcome.run, driving: true, status: 202 };
  }
  const stopped = action === "pause" || action === "cancel" || outcome.created;
  return {
    run: outcome.run,
    driving: stopped ? false : driver.isDriving(outcome.run.runId),
    status: outcome.created ? 201 : 200,
  };
}

/**
 * The actor recorded for a request: the client's name from the
 * `X-WriteIt-Client` header (`cli`, `dashboard`, `tui`, …), else `api`.
 */
export function clientActor(header: string | undefined): string {
  const name = header?.trim().toLowerCase() ?? "";
  return /^[a-z][a-z0-9-]{0,31}$/.test(name) ? name : "api";
}

/** `POST /api/runs/{id}/{action}` for every action, and the seed's `/execute`. */
export function runActionRoutes(): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  for (const action of Object.keys(ACTION_BODIES) as ActionName[]) {
    const paths = action === "start" ? ["/:id/start", "/:id/execute"] : [`/:id/${action}`];
    for (const path of paths) {
      routes.post(path, async (context) => {
        const body = await readBody(context, ACTION_BODIES[action]);
        const result = await performAction(
          context.get("runtime"),
          context.req.param("id")!,
          action,
          body,
          clientActor(context.req.header("x-writeit-client")),
        );
        return context.json(
          { run: result.run, driving: result.driving } satisfies RunResult,
          result.status,
        );
      });
    }
  }
  return routes;
}
