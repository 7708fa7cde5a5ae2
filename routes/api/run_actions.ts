/**
 * The human actions on a run over REST: start (and the seed's `execute`),
 * select, merge, edit, feedback, regenerate, skip, branch, rewind, pause,
 * resume and cancel. Each records its decision at once and answers
 * `{ run, driving }`; when the decision lets the run go on, the workspace's
 * RunDriver continues it in the background and the answer is 202. The same
 * actions reach the WebSocket through `performAction`.
 */
import { Hono } from "hono";
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
 * Performs one action on `runId` with an already parsed body; drives the run
 * on in the background when the action lets it go on.
 */
export async function performAction<A extends ActionName>(
  runtime: WorkspaceRuntime,
  runId: string,
  action: A,
  body: ParsedActionBody<A>,
  actor = "api",
): Promise<ActionResult> {
  const { service, driver } = runtime;
  const input = body as Record<string, unknown>;
  const stepId = input.stepId as string;
  const who = { actor, basedOn: input.basedOn as number | undefined };
  let run: PipelineRun;
  switch (action) {
    case "start":
      run = await service.resume(runId, { actor });
      return goOn(runtime, run, { autoSelect: input.autoSelect as boolean | undefined });
    case "select":
      run = await service.select(
        runId,
        stepId,
        (input.index as number | undefined) ?? (input.responseId as string),
        who,
      );
      return goOn(runtime, run);
    case "merge": {
      const current = await service.loadRun(runId);
      if (who.basedOn !== undefined) {
        await service.checkCurrent(runId, { ...who, stepId });
      }
      driver.task(runId, () =>
        service.merge(runId, stepId, input.responseIds as string[], {
          instructions: input.instructions as string | undefined,
          model: input.model as string | undefined,
          ...who,
        }));
      return { run: current, driving: true, status: 202 };
    }
    case "edit":
      return goOn(runtime, await service.edit(runId, stepId, input.text as string, who));
    case "feedback":
      run = await service.addFeedback(runId, stepId, input.text as string, who);
      if (input.regenerate === false) return { run, driving: driver.isDriving(runId), status: 200 };
      return goOn(runtime, await service.regenerate(runId, stepId, { reason: "feedback", actor }));
    case "regenerate":
      return goOn(runtime, await service.regenerate(runId, stepId, who));
    case "skip":
      return goOn(
        runtime,
        await service.skip(runId, stepId, { ...who, reason: input.reason as string | undefined }),
      );
    case "branch": {
      const child = await service.branch(runId, {
        ...who,
        fromStepId: input.fromStepId as string,
      });
      if (!input.start) return { run: child, driving: false, status: 201 };
      const started = await service.resume(child.runId, { actor });
      return goOn(runtime, started);
    }
    case "rewind":
      return goOn(runtime, await service.rewind(runId, input.toStepId as string, who));
    case "pause":
      run = await service.pause(runId, { ...who, reason: input.reason as string | undefined });
      return { run, driving: false, status: 200 };
    case "resume":
      return goOn(runtime, await service.resume(runId, who));
    case "cancel":
      run = await service.cancel(runId, { ...who, reason: input.reason as string | undefined });
      return { run, driving: false, status: 200 };
  }
  throw new TypeError(`Unknown action "${action}"`);
}

/**
 * The actor recorded for a request: the client's name from the
 * `X-WriteIt-Client` header (`cli`, `dashboard`, `tui`, …), else `api`.
 */
export function clientActor(header: string | undefined): string {
  const name = header?.trim().toLowerCase() ?? "";
  return /^[a-z][a-z0-9-]{0,31}$/.test(name) ? name : "api";
}

/** Drives the run on when its status lets it go on. */
function goOn(
  runtime: WorkspaceRuntime,
  run: PipelineRun,
  options: { autoSelect?: boolean } = {},
): ActionResult {
  if (run.status !== "running" && run.status !== "initializing") {
    return { run, driving: runtime.driver.isDriving(run.runId), status: 200 };
  }
  // A run created with autoSelect keeps it: the executor reads it from the run's options.
  runtime.driver.drive(run.runId, { autoSelect: options.autoSelect });
  return { run, driving: true, status: 202 };
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
