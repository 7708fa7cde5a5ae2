/**
 * Builds what runs need for one CLI invocation: the workspace's event store
 * (from the backend the CLI context opens) and, on top, the services of
 * wiring/workspace_services.ts (cache, models, budgets, styles, leases,
 * RunService), shared with the server.
 * Everything is opened once per invocation and closed with the CLI context.
 * Heavy modules load here, not at start-up.
 *
 * @example
 * ```ts
 * const { service } = await createRunWiring(cliContext(command));
 * const run = await service.loadRun(await resolveRunId(service, "1b2c"));
 * ```
 */
import type { EventStore } from "../engine/events/event_store.ts";
import type { RunService } from "../engine/run_service.ts";
import type { CliContext } from "./cli_context.ts";
import { NotFoundError } from "../engine/errors.ts";
import { UsageError } from "./usage_error.ts";

/** What `createRunWiring` returns; closed with the CLI context. */
export interface RunWiring {
  service: RunService;
  store: EventStore;
  /** Who acts, as recorded with every event ("cli"). */
  actor: string;
}

/** Options of `createRunWiring`. */
export interface RunWiringOptions {
  /** Who acts, for event metadata (default "cli"). */
  actor?: string;
  /** What the run this process drives has already spent, counted against `budget.run_usd`. */
  runSpentUsd?: number;
}

const wirings = new WeakMap<CliContext, Promise<RunWiring>>();

/** The workspace's event store: its backend's, opened once per context (closed with it). */
export async function openRunStore(context: CliContext): Promise<EventStore> {
  return (await context.backend()).events;
}

/** A RunService for the context's workspace, built once per context. */
export function createRunWiring(
  context: CliContext,
  options: RunWiringOptions = {},
): Promise<RunWiring> {
  let wiring = wirings.get(context);
  if (!wiring) {
    wiring = buildWiring(context, options);
    wirings.set(context, wiring);
  }
  return wiring;
}

async function buildWiring(context: CliContext, options: RunWiringOptions): Promise<RunWiring> {
  const backend = await context.backend();
  const { createWorkspaceServices } = await import("../wiring/workspace_services.ts");
  const services = await createWorkspaceServices({
    backend,
    config: await context.config(),
    env: context.env,
    actor: options.actor ?? "cli",
    runSpentUsd: options.runSpentUsd,
  });
  context.onClose(() => services.close());
  return { service: services.service, store: backend.events, actor: options.actor ?? "cli" };
}

/**
 * The full id of the run named by `text`: an id or an unambiguous prefix.
 * NotFoundError when nothing matches; UsageError when several do.
 */
export async function resolveRunId(store: EventStore, text: string): Promise<string> {
  const wanted = text.trim();
  if (!wanted) throw new UsageError("Name a run: its id or the first characters of it");
  const runs = await store.listRuns({ limit: 1_000_000 });
  const exact = runs.find((run) => run.runId === wanted);
  if (exact) return exact.runId;
  const matches = runs.filter((run) => run.runId.startsWith(wanted));
  if (matches.length === 1) return matches[0].runId;
  if (matches.length === 0) {
    throw new NotFoundError(
      `No run "${wanted}" in workspace "${
        runs[0]?.workspace ?? "this workspace"
      }": see \`writeit runs list\``,
    );
  }
  throw new UsageError(
    `"${wanted}" matches ${matches.length} runs (${
      matches.slice(0, 4).map((run) => run.runId.slice(0, 12)).join(", ")
    }${matches.length > 4 ? ", …" : ""}): type more of the id`,
  );
}
