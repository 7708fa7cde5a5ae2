/**
 * Builds what runs need for one CLI invocation: the workspace's LMDB event
 * store, the two-tier response cache (memory + the workspace's LMDB), the
 * model provider with every middleware (configured from the resolved
 * config), style primers from the style library, and a RunService on top.
 * Everything is opened once per invocation and closed with the CLI context.
 * Heavy modules load here, not at start-up.
 *
 * The offline model's per-chunk delay comes from WRITEIT_OFFLINE_CHUNK_DELAY_MS
 * (for demos and for tests that interrupt a streaming step).
 *
 * @example
 * ```ts
 * const { service } = await createRunWiring(cliContext(command));
 * const run = await service.loadRun(await resolveRunId(service, "1b2c"));
 * ```
 */
import { LmdbRunLeases } from "../storage/lmdb_run_leases.ts";
import type { EventStore } from "../engine/events/event_store.ts";
import type { RunService } from "../engine/run_service.ts";
import type { StylePrimer } from "../engine/style_primer.ts";
import type { LmdbEventStore } from "../storage/lmdb_event_store.ts";
import type { CliContext } from "./cli_context.ts";
import { NotFoundError, ValidationError } from "../engine/errors.ts";
import { UsageError } from "./usage_error.ts";

/** What `createRunWiring` returns; closed with the CLI context. */
export interface RunWiring {
  service: RunService;
  store: EventStore;
}

/** Options of `createRunWiring`. */
export interface RunWiringOptions {
  /** Who acts, for event metadata (default "cli"). */
  actor?: string;
  /** What the run this process drives has already spent, counted against `budget.run_usd`. */
  runSpentUsd?: number;
}

const stores = new WeakMap<CliContext, Promise<LmdbEventStore>>();
const wirings = new WeakMap<CliContext, Promise<RunWiring>>();

/** The workspace's event store, opened once per context (closed with it). */
export function openRunStore(context: CliContext): Promise<LmdbEventStore> {
  let store = stores.get(context);
  if (!store) {
    store = (async () => {
      const database = await context.database();
      const config = await context.config();
      const { LmdbEventStore } = await import("../storage/lmdb_event_store.ts");
      const opened = new LmdbEventStore(database, {
        snapshotEvery: Number(config.get<number>("events.snapshot_every") ?? 100),
      });
      context.onClose(() => opened.close());
      return opened;
    })();
    stores.set(context, store);
  }
  return store;
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
  const store = await openRunStore(context);
  const database = await context.database();
  const config = await context.config();
  const [
    { RunService },
    { systemContext },
    { createModelProvider },
    { providerSettingsFromEnvironment },
    { ResponseCache },
    { createLmdbCacheStore },
    { Budget },
    { loadStylePrimer },
  ] = await Promise.all([
    import("../engine/run_service.ts"),
    import("../engine/context.ts"),
    import("../engine/llm/model_factory.ts"),
    import("../engine/llm/provider_settings.ts"),
    import("../engine/cache/response_cache.ts"),
    import("../storage/lmdb_cache_store.ts"),
    import("../engine/llm/budget.ts"),
    import("../engine/style_primer.ts"),
  ]);
  const engineContext = systemContext();
  const workspace = context.workspace().name;
  const settings = providerSettingsFromEnvironment(config.providerEnvironment());
  const delay = Number(context.env.WRITEIT_OFFLINE_CHUNK_DELAY_MS ?? "");
  if (Number.isFinite(delay) && delay > 0) settings.offline = { chunkDelayMs: delay };
  settings.timeouts = {
    firstByteMs: config.get<number>("llm.first_byte_timeout_ms"),
    betweenChunksMs: config.get<number>("llm.idle_timeout_ms"),
  };
  const prices: Record<string, { inputPerMillion: number; outputPerMillion: number }> = {};
  for (const [key, value] of Object.entries(config.section("prices."))) {
    const match = /^(.+)\.(input|output)$/.exec(key);
    if (!match) continue;
    prices[match[1]] ??= { inputPerMillion: 0, outputPerMillion: 0 };
    prices[match[1]][match[2] === "input" ? "inputPerMillion" : "outputPerMillion"] = Number(value);
  }
  if (Object.keys(prices).length) settings.prices = prices;

  let cache: InstanceType<typeof ResponseCache> | undefined;
  if (config.get<boolean>("cache.enabled") !== false) {
    cache = new ResponseCache({
      store: createLmdbCacheStore(database),
      maxEntries: config.get<number>("cache.memory_entries"),
      maxBytes: Number(config.get<number>("cache.memory_mb") ?? 64) * 1024 * 1024,
      ttlMs: Number(config.get<number>("cache.ttl_hours") ?? 24) * 3600 * 1000,
      now: () => engineContext.now().getTime(),
    });
    const opened = cache;
    context.onClose(() => opened.close());
  }
  const models = createModelProvider({
    settings,
    context: engineContext,
    workspace,
    cache,
    budget: await spendingBudget(config, store, Budget, options.runSpentUsd ?? 0),
    retry: { maxAttempts: config.get<number>("llm.max_attempts") },
  });

  const styleLibrary = await context.library("style");
  const primers = new Map<string, StylePrimer | undefined>();
  /** A primer by name: undefined when none has that name, a located ValidationError when it is invalid. */
  const styles = (id: string): StylePrimer | undefined => {
    if (primers.has(id)) return primers.get(id);
    let entry;
    try {
      entry = styleLibrary.findName(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      primers.set(id, undefined);
      return undefined;
    }
    const loaded = loadStylePrimer(styleLibrary.read(entry), { file: entry.path, id: entry.name });
    if (!loaded.value) {
      throw new ValidationError(
        `Style primer "${id}" at ${entry.path} is not valid: fix it, then check with \`writeit style validate ${id}\``,
        loaded.issues.filter((issue) => issue.severity === "error"),
      );
    }
    primers.set(id, loaded.value);
    return loaded.value;
  };

  const defaultModels = config.section("models.") as Record<string, string>;
  const service = new RunService({
    store,
    models,
    context: engineContext,
    workspace,
    styles,
    actor: options.actor ?? "cli",
    limits: {
      maxConcurrentCalls: config.get<number>("preferences.max_concurrent_calls"),
      maxConcurrentRuns: config.get<number>("preferences.max_concurrent_pipelines"),
    },
    streamingBufferSize: config.get<number>("preferences.streaming_buffer_size"),
    defaultModels,
    leases: new LmdbRunLeases(await context.database(), engineContext),
  });
  context.onClose(() => service.close());
  return { service, store };
}

/**
 * The budget calls must stay within: `budget.run_usd` for the run this
 * process drives (what it spent before counts), and `budget.workspace_usd`
 * for the workspace as a whole (what its runs spent counts). Whichever
 * leaves less room applies. Undefined when neither is set.
 */
async function spendingBudget(
  config: Awaited<ReturnType<CliContext["config"]>>,
  store: EventStore,
  Budget: typeof import("../engine/llm/budget.ts").Budget,
  runSpentUsd: number,
): Promise<InstanceType<typeof Budget> | undefined> {
  const runLimit = config.get<number>("budget.run_usd");
  const workspaceLimit = config.get<number>("budget.workspace_usd");
  if (runLimit === undefined && workspaceLimit === undefined) return undefined;
  const forRun = runLimit === undefined ? undefined : { limitUsd: runLimit, spentUsd: runSpentUsd };
  if (workspaceLimit === undefined) return new Budget(forRun!);
  const runs = await store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
  const spentUsd = runs.reduce((total, run) => total + run.usage.costUsd, 0);
  const forWorkspace = { limitUsd: workspaceLimit, spentUsd };
  const room = (budget: { limitUsd: number; spentUsd: number }) =>
    budget.limitUsd - budget.spentUsd;
  return new Budget(forRun && room(forRun) < room(forWorkspace) ? forRun : forWorkspace);
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
