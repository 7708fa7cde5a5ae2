/**
 * The server's view of a WriteIt home: every workspace in it, each opened on
 * first use (its backend, as the configuration selects through
 * wiring/backend_choice.ts, with its event store, response cache tier and
 * pipeline and style libraries; a RunService; and a RunDriver that advances
 * runs in the background) and kept open until the server stops. Workspaces
 * share nothing, so a run id from one is unknown in another. A CLI may use
 * the same workspaces at the same time: the backend, run leases and the
 * store's cross-process subscriptions make that safe. Which workspaces exist
 * is the home's folder layout (storage/lmdb/workspaces.ts), or, with a
 * shared backend (PostgreSQL), the database's list, whose workspaces get
 * their folder in this home when first opened here.
 *
 * @example
 * ```ts
 * const hub = new WorkspaceHub({ home, env: processEnvironment() });
 * const { service, driver } = await hub.open();
 * driver.drive((await service.listRuns())[0].runId, { autoSelect: true });
 * await hub.close();
 * ```
 */
import type { ResolvedConfig } from "../config.ts";
import { resolveConfig } from "../config.ts";
import type { Backend, WorkspaceInfo } from "../engine/backend.ts";
import type { CacheStats } from "../engine/cache/cache_stats.ts";
import type { EventStore } from "../engine/events/event_store.ts";
import type { Library } from "../engine/library.ts";
import type { RunService } from "../engine/run_service.ts";
import { DEFAULT_WORKSPACE, Workspaces } from "../storage/lmdb/workspaces.ts";
import { openWorkspaceBackend, sharedBackendFactory } from "../wiring/backend_choice.ts";
import type { BackendFactory } from "../engine/backend.ts";
import { createWorkspaceServices } from "../wiring/workspace_services.ts";
import { RunDriver } from "./run_driver.ts";

/** Cache statistics of a workspace: persisted totals plus this process's, and the size. */
export interface CacheStatsReport extends CacheStats {
  enabled: boolean;
  hitRate: number;
  entries: number;
  bytes: number;
  memoryEntries: number;
  /** How long an entry lives (cache.ttl_hours). */
  ttlHours: number;
}

/** One opened workspace. */
export interface WorkspaceRuntime {
  name: string;
  /** The workspace's folder (its layouts/ and pipelines/ live there). */
  path: string;
  config: ResolvedConfig;
  /** Where the workspace is stored. */
  backend: Backend;
  store: EventStore;
  service: RunService;
  pipelines: Library;
  styles: Library;
  driver: RunDriver;
  /** Undefined when the workspace's cache is disabled. */
  cacheStats(): CacheStatsReport | undefined;
}

/** What a hub serves. */
export interface WorkspaceHubOptions {
  home: string;
  /** Environment the configuration layers and providers read. */
  env: Record<string, string | undefined>;
  /** Workspace for routes that name none (default: the home's active workspace). */
  defaultWorkspace?: string;
  /** Called when a background drive fails (for the server's log). */
  onDriveError?: (workspace: string, runId: string, error: unknown) => void;
}

/** Opens workspaces on demand and closes them together. */
export class WorkspaceHub {
  readonly home: string;
  readonly defaultWorkspace: string;
  readonly #workspaces: Workspaces;
  readonly #options: WorkspaceHubOptions;
  readonly #opened = new Map<string, Promise<WorkspaceRuntime>>();
  #sharedFactory?: Promise<BackendFactory | undefined>;
  #closed = false;

  constructor(options: WorkspaceHubOptions) {
    this.#options = options;
    this.home = options.home;
    this.#workspaces = new Workspaces(options.home);
    if (!this.#workspaces.isInitialised()) this.#workspaces.init();
    this.defaultWorkspace = options.defaultWorkspace ?? this.#workspaces.activeName() ??
      DEFAULT_WORKSPACE;
    this.#workspaces.info(this.defaultWorkspace); // NotFoundError now, not on the first request
  }

  /** Every workspace of the home (of the database, with a shared backend). */
  async names(): Promise<string[]> {
    return (await this.list()).map((workspace) => workspace.name);
  }

  /** Every workspace with its description and creation time. */
  async list(): Promise<WorkspaceInfo[]> {
    const shared = await this.#shared();
    return shared ? await shared.listWorkspaces() : this.#workspaces.list();
  }

  /** Creates a workspace (ValidationError for a bad name, ConflictError when it exists). */
  async create(name: string, options: { description?: string } = {}): Promise<WorkspaceInfo> {
    const shared = await this.#shared();
    return shared
      ? await shared.createWorkspace(name, options)
      : this.#workspaces.create(name, options);
  }

  /** The shared backend's factory, when the home's configuration selects one. */
  #shared(): Promise<BackendFactory | undefined> {
    this.#sharedFactory ??= sharedBackendFactory(
      resolveConfig({ home: this.home, env: this.#options.env }),
      { home: this.home },
    );
    return this.#sharedFactory;
  }

  /** The workspace named `name` (default workspace when omitted), opened once. */
  open(name: string = this.defaultWorkspace): Promise<WorkspaceRuntime> {
    if (this.#closed) return Promise.reject(new TypeError("The workspace hub is closed"));
    let opened = this.#opened.get(name);
    if (!opened) {
      opened = this.#openWorkspace(name);
      this.#opened.set(name, opened);
      opened.catch(() => this.#opened.delete(name));
    }
    return opened;
  }

  /** The workspaces opened so far. */
  async openedRuntimes(): Promise<WorkspaceRuntime[]> {
    const settled = await Promise.allSettled(this.#opened.values());
    return settled.flatMap((result) => result.status === "fulfilled" ? [result.value] : []);
  }

  /** Stops background drives (runs stay resumable) and closes every workspace. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const runtime of await this.openedRuntimes()) {
      // Refuse new drives, stop those in flight (the service aborts them cleanly), then close.
      const drained = runtime.driver.close();
      await (runtime as OpenedRuntime).close();
      await drained;
    }
    this.#opened.clear();
  }

  async #openWorkspace(name: string): Promise<WorkspaceRuntime> {
    const shared = await this.#shared();
    if (shared && !this.#workspaces.list().some((workspace) => workspace.name === name)) {
      // A workspace another instance created: give it its folder in this home.
      const known = await shared.listWorkspaces();
      const found = known.find((workspace) => workspace.name === name);
      if (found) this.#workspaces.create(name, { description: found.description });
    }
    const info = this.#workspaces.info(name);
    const env = this.#options.env;
    const config = resolveConfig({ home: this.home, workspaceRoot: info.path, env });
    const backend = await openWorkspaceBackend(config, { home: this.home, workspace: info.name });
    let services;
    try {
      services = await createWorkspaceServices({ backend, config, env, actor: "server" });
    } catch (error) {
      await backend.close();
      throw error;
    }
    const store = backend.events;
    const pipelines = backend.library("pipeline");
    const styles = backend.library("style");
    const driver = new RunDriver(services.service, {
      onError: (runId, error) => this.#options.onDriveError?.(info.name, runId, error),
    });
    const { hitRate } = await import("../engine/cache/cache_stats.ts");
    const runtime: OpenedRuntime = {
      name: info.name,
      path: info.path,
      config,
      backend,
      store,
      service: services.service,
      pipelines,
      styles,
      driver,
      cacheStats: () => {
        if (!services.cache) return undefined;
        const report = services.cache.report();
        const size = report.persistent ?? { entries: 0, bytes: 0 };
        return {
          enabled: true,
          ...report.total,
          hitRate: hitRate(report.total),
          entries: size.entries,
          bytes: size.bytes,
          memoryEntries: report.memory.entries,
          ttlHours: Number(config.get<number>("cache.ttl_hours") ?? 24),
        };
      },
      close: async () => {
        await services.close();
        await backend.close();
      },
    };
    return runtime;
  }
}

interface OpenedRuntime extends WorkspaceRuntime {
  close(): Promise<void>;
}
