/**
 * A backend that keeps everything in the process: for tests, demos and
 * embedding the engine without a disk. Its event store is the engine's own
 * MemoryEventStore (engine/events/memory_event_store.ts, which the engine's
 * unit tests use too), its leases the engine's MemoryRunLeases, expiring by
 * the injected clock; cache tier, library and documents are Maps here.
 * Workspaces live as long as their factory.
 *
 * @example
 * ```ts
 * const factory = memoryBackendFactory({ context: fixedContext() });
 * await factory.createWorkspace("default");
 * const backend = await factory.open("default");
 * ```
 */
import type {
  Backend,
  BackendFactory,
  OpenBackendOptions,
  WorkspaceInfo,
} from "../../engine/backend.ts";
import { type EngineContext, systemContext } from "../../engine/context.ts";
import { ConflictError, NotFoundError } from "../../engine/errors.ts";
import { MemoryEventStore } from "../../engine/events/memory_event_store.ts";
import type { LibraryKind } from "../../engine/library.ts";
import { MemoryRunLeases } from "../../engine/run_lease.ts";
import { pruneRuns } from "../../engine/run_retention.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import { createMemoryCacheStore } from "./memory_cache_store.ts";
import { createMemoryLibraryStore, MemoryLibrary } from "./memory_library.ts";

/** A workspace's memory backend. */
export interface MemoryBackend extends Backend {
  readonly kind: "memory";
  readonly events: MemoryEventStore;
  library(kind: LibraryKind): MemoryLibrary;
}

/** Options of a memory backend. */
export interface MemoryBackendOptions extends OpenBackendOptions {
  /** The workspace's name (default "default"). */
  workspace?: string;
  /** Pipelines and style primers by name. */
  pipelines?: Record<string, string>;
  styles?: Record<string, string>;
}

/** A fresh, empty backend. */
export function createMemoryBackend(options: MemoryBackendOptions = {}): MemoryBackend {
  const context: EngineContext = options.context ?? systemContext();
  const events = new MemoryEventStore({ context });
  const libraries = {
    pipeline: new MemoryLibrary("pipeline", options.pipelines),
    style: new MemoryLibrary("style", options.styles),
  };
  return {
    kind: "memory",
    workspace: options.workspace ?? "default",
    events,
    cache: createMemoryCacheStore(),
    leases: new MemoryRunLeases(context),
    library: (kind) => libraries[kind],
    documents: createMemoryLibraryStore(context),
    retention: {
      prune: (pruneOptions) =>
        pruneRuns({
          summaries: () => events.listRuns({ limit: Number.MAX_SAFE_INTEGER }),
          stream: (runId) => events.streamBounds(runId),
          deleteRun: (runId) => events.deleteRun(runId),
          compactRun: (runId, upTo) => events.compactRun(runId, upTo),
        }, pruneOptions),
    },
    describe: () => ({ kind: "memory", location: "in memory" }),
    close: () => events.close(),
  };
}

/**
 * Workspaces in memory, each opened as the same backend until removed
 * (closing one does not drop its data; removing it does).
 */
export function memoryBackendFactory(options: { context?: EngineContext } = {}): BackendFactory {
  const context = options.context ?? systemContext();
  const workspaces = new Map<string, { info: WorkspaceInfo; backend?: MemoryBackend }>();
  const notFound = (name: string) =>
    new NotFoundError(`Workspace "${name}" does not exist: create it first`);
  return {
    kind: "memory",
    open(name, openOptions = {}) {
      const workspace = workspaces.get(name);
      if (!workspace) return Promise.reject(notFound(name));
      workspace.backend ??= createMemoryBackend({ context, ...openOptions, workspace: name });
      return Promise.resolve(workspace.backend);
    },
    listWorkspaces() {
      const rows = [...workspaces.values()].map((workspace) => ({ ...workspace.info }));
      return Promise.resolve(rows.sort((a, b) => a.name.localeCompare(b.name)));
    },
    createWorkspace(name, createOptions = {}) {
      try {
        assertWorkspaceName(name);
      } catch (error) {
        return Promise.reject(error);
      }
      if (workspaces.has(name)) {
        return Promise.reject(new ConflictError(`Workspace "${name}" already exists`));
      }
      const info: WorkspaceInfo = {
        name,
        path: `memory:${name}`,
        description: createOptions.description,
        createdAt: context.now().toISOString(),
        active: false,
      };
      workspaces.set(name, { info });
      return Promise.resolve({ ...info });
    },
    async removeWorkspace(name) {
      const workspace = workspaces.get(name);
      if (!workspace) throw notFound(name);
      await workspace.backend?.close();
      workspaces.delete(name);
    },
  };
}
