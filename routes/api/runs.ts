/**
 * `/api/runs`: list runs (filter by status and pipeline), a run's state (at
 * any sequence number: time travel), its events, and its branches.
 */
import { Hono } from "hono";
import { ValidationError } from "../../engine/errors.ts";
import type { EventStore } from "../../engine/events/event_store.ts";
import { isRunStatus, RUN_STATUSES } from "../../engine/run_status.ts";

function wholeNumber(
  value: string | undefined,
  name: string,
  minimum: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) {
    throw new ValidationError(
      `Query parameter "${name}" must be a whole number of at least ${minimum}, got "${value}"`,
    );
  }
  return number;
}

/** Routes over a workspace's event store. */
export function runRoutes(store: EventStore): Hono {
  const routes = new Hono();

  routes.get("/", async (context) => {
    const status = context.req.query("status");
    if (status !== undefined && !isRunStatus(status)) {
      throw new ValidationError(
        `Unknown status "${status}": use one of ${RUN_STATUSES.join(", ")}`,
      );
    }
    const runs = await store.listRuns({
      status,
      pipelineId: context.req.query("pipeline"),
      limit: wholeNumber(context.req.query("limit"), "limit", 1),
    });
    return context.json({ runs });
  });

  routes.get("/:id", async (context) => {
    const atSequence = wholeNumber(context.req.query("at"), "at", 1);
    const run = await store.loadRun(context.req.param("id"), { atSequence });
    return context.json({ run });
  });

  routes.get("/:id/events", async (context) => {
    const runId = context.req.param("id");
    await store.loadRun(runId); // 404 for an unknown run rather than an empty list
    const events = await store.read(runId, {
      fromSequence: wholeNumber(context.req.query("from"), "from", 1),
    });
    return context.json({ events });
  });

  routes.get("/:id/branches", async (context) => {
    const runId = context.req.param("id");
    await store.loadRun(runId);
    return context.json({ branches: await store.branches(runId) });
  });

  return routes;
}
