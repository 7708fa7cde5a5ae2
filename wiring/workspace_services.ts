/**
 * Wires what runs need in one workspace, for the CLI and the server alike,
 * on the workspace's Backend (wiring/backend_choice.ts picks it): the
 * two-tier response cache (memory + the backend's cache tier), the model
 * provider with every middleware (configured from the resolved config),
 * spending budgets, style primers from the backend's style library, its run
 * leases shared across processes, and a RunService on top of its event store.
 * Heavy modules are imported here, not at start-up.
 *
 * The offline model's per-chunk delay comes from WRITEIT_OFFLINE_CHUNK_DELAY_MS
 * (for demos and for tests that interrupt a streaming step).
 *
 * @example
 * ```ts
 * const { service, close } = await createWorkspaceServices({ backend, config, env, actor: "cli" });
 * const run = await service.loadRun(runId);
 * await close();
 * ```
 */
import type { ResolvedConfig } from "../config.ts";
import type { Backend } from "../engine/backend.ts";
import type { ResponseCache } from "../engine/cache/response_cache.ts";
import type { EventStore } from "../engine/events/event_store.ts";
import type { Budget } from "../engine/llm/budget.ts";
import type { ProviderRegistry } from "../engine/llm/provider_registry.ts";
import type { RunService } from "../engine/run_service.ts";
import type { StylePrimer } from "../engine/style_primer.ts";
import { NotFoundError, ValidationError } from "../engine/errors.ts";

/** What `createWorkspaceServices` is built from. */
export interface WorkspaceServicesOptions {
  /** The workspace's backend: its events, cache tier, leases and style library. */
  backend: Backend;
  config: ResolvedConfig;
  /** Environment variables (WRITEIT_OFFLINE_CHUNK_DELAY_MS). */
  env: Record<string, string | undefined>;
  /** Who acts, for event metadata ("cli", "api"). */
  actor: string;
  /** What the run this process drives has already spent, counted against `budget.run_usd`. */
  runSpentUsd?: number;
  /** Providers model names resolve through (default: the built-in ones). */
  registry?: ProviderRegistry;
}

/** The wired services; `close()` stops runs in flight and flushes the cache. */
export interface WorkspaceServices {
  service: RunService;
  /** Undefined when `cache.enabled` is false. */
  cache?: ResponseCache;
  close(): Promise<void>;
}

/** Builds the RunService and what it needs for one workspace. */
export async function createWorkspaceServices(
  options: WorkspaceServicesOptions,
): Promise<WorkspaceServices> {
  const { config, backend } = options;
  const store = backend.events;
  const styleLibrary = backend.library("style");
  const [
    { RunService },
    { systemContext },
    { createModelProvider },
    { providerSettingsFromEnvironment },
    { ResponseCache },
    { Budget },
    { loadStylePrimer },
  ] = await Promise.all([
    import("../engine/run_service.ts"),
    import("../engine/context.ts"),
    import("../engine/llm/model_factory.ts"),
    import("../engine/llm/provider_settings.ts"),
    import("../engine/cache/response_cache.ts"),
    import("../engine/llm/budget.ts"),
    import("../engine/style_primer.ts"),
  ]);
  const engineContext = systemContext();
  const settings = providerSettingsFromEnvironment(config.providerEnvironment());
  const delay = Number(options.env.WRITEIT_OFFLINE_CHUNK_DELAY_MS ?? "");
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

  let cache: ResponseCache | undefined;
  if (config.get<boolean>("cache.enabled") !== false) {
    cache = new ResponseCache({
      store: backend.cache,
      maxEntries: config.get<number>("cache.memory_entries"),
      maxBytes: Number(config.get<number>("cache.memory_mb") ?? 64) * 1024 * 1024,
      ttlMs: Number(config.get<number>("cache.ttl_hours") ?? 24) * 3600 * 1000,
      now: () => engineContext.now().getTime(),
    });
  }
  const models = createModelProvider({
    registry: options.registry,
    settings,
    context: engineContext,
    workspace: backend.workspace,
    cache,
    replayPace: config.get<boolean>("cache.replay_pace") === true,
    budget: await spendingBudget(config, store, Budget, options.runSpentUsd ?? 0),
    retry: {
      maxAttempts: config.get<number>("llm.max_attempts"),
      maxRetryAfterMs: Number(config.get<number>("providers.max_retry_after_seconds") ?? 60) *
        1000,
    },
  });

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
    const loaded = loadStylePrimer(styleLibrary.read(entry), {
      file: entry.path,
      id: entry.name,
    });
    if (!loaded.value) {
      throw new ValidationError(
        `Style primer "${id}" at ${entry.path} is not valid: fix it, then check with \`writeit style validate ${id}\``,
        loaded.issues.filter((issue) => issue.severity === "error"),
      );
    }
    primers.set(id, loaded.value);
    return loaded.value;
  };

  const service = new RunService({
    store,
    models,
    context: engineContext,
    workspace: backend.workspace,
    styles,
    actor: options.actor,
    limits: {
      maxConcurrentCalls: config.get<number>("preferences.max_concurrent_calls"),
      maxConcurrentRuns: config.get<number>("preferences.max_concurrent_pipelines"),
    },
    streamingBufferSize: config.get<number>("preferences.streaming_buffer_size"),
    defaultModels: config.section("models.") as Record<string, string>,
    leases: backend.leases,
  });
  return {
    service,
    cache,
    close: async () => {
      await service.close();
      await cache?.close();
    },
  };
}

/**
 * The budget calls must stay within: `budget.run_usd` for the run this
 * process drives (what it spent before counts), and `budget.workspace_usd`
 * for the workspace as a whole (what its runs spent counts). Whichever
 * leaves less room applies. Undefined when neither is set.
 */
async function spendingBudget(
  config: ResolvedConfig,
  store: EventStore,
  BudgetClass: typeof Budget,
  runSpentUsd: number,
): Promise<Budget | undefined> {
  const runLimit = config.get<number>("budget.run_usd");
  const workspaceLimit = config.get<number>("budget.workspace_usd");
  if (runLimit === undefined && workspaceLimit === undefined) return undefined;
  const forRun = runLimit === undefined ? undefined : { limitUsd: runLimit, spentUsd: runSpentUsd };
  if (workspaceLimit === undefined) return new BudgetClass(forRun!);
  const runs = await store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
  const spentUsd = runs.reduce((total, run) => total + run.usage.costUsd, 0);
  const forWorkspace = { limitUsd: workspaceLimit, spentUsd };
  const room = (budget: { limitUsd: number; spentUsd: number }) =>
    budget.limitUsd - budget.spentUsd;
  return new BudgetClass(forRun && room(forRun) < room(forWorkspace) ? forRun : forWorkspace);
}
