/**
 * The embedded backend: each workspace of a WriteIt home is a folder
 * (storage/lmdb/workspaces.ts) whose `data/` holds one LMDB environment with
 * the event store, the response cache tier, the run leases and the library
 * documents side by side; pipelines and style primers are found in the
 * workspace's folders, then the home's, then the bundled ones. Several
 * processes may open one workspace at once.
 *
 * @example
 * ```ts
 * const factory = lmdbBackendFactory({ home, fold: runFold });
 * const backend = await factory.open("default");
 * await backend.close();
 * ```
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type {
  Backend,
  BackendFactory,
  OpenBackendOptions,
  WorkspaceInfo,
} from "../../engine/backend.ts";
import { type EngineContext, systemContext } from "../../engine/context.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import type { LibraryKind } from "../../engine/library.ts";
import { createLmdbCacheStore } from "./lmdb_cache_store.ts";
import { LmdbEventStore } from "./lmdb_event_store.ts";
import { createLmdbLibraryStore } from "./lmdb_library_store.ts";
import { LmdbRunLeases } from "./lmdb_run_leases.ts";
import { FolderLibrary, libraryFolders } from "./library.ts";
import { lmdbRunRetention } from "./run_retention.ts";
import { openWorkspaceDatabase, type WorkspaceDatabase } from "./workspace_database.ts";
import { workspacePaths, Workspaces } from "./workspaces.ts";

/** A workspace's LMDB backend; `database` is its environment (for diagnostics and tools). */
export interface LmdbBackend extends Backend {
  readonly kind: "lmdb";
  readonly events: LmdbEventStore;
  readonly database: WorkspaceDatabase;
  /** The workspace's folder. */
  readonly path: string;
}

/** What an LMDB backend is opened with. */
export interface LmdbBackendOptions extends OpenBackendOptions {
  /** The WriteIt home holding `workspaces/<name>/`. */
  home: string;
  /** How events fold into run state: the engine's `runFold`. */
  fold: RunFold;
}

/** Opens the workspace `name` of `options.home` (NotFoundError when it does not exist). */
export function openLmdbBackend(name: string, options: LmdbBackendOptions): LmdbBackend {
  const info = new Workspaces(options.home).info(name);
  return openLmdbBackendAt(info.name, info.path, workspacePaths(options.home, info.name).data, {
    ...options,
  });
}

/**
 * An LMDB backend on the environment in `dataDirectory` (created if missing),
 * for tools and tests that have no WriteIt home; its library finds only
 * bundled entries unless `root` has pipelines/ or styles/ folders.
 */
export function openLmdbBackendAt(
  workspace: string,
  root: string,
  dataDirectory: string,
  options: OpenBackendOptions & { fold: RunFold; home?: string },
): LmdbBackend {
  const context: EngineContext = options.context ?? systemContext();
  const database = openWorkspaceDatabase(dataDirectory);
  const events = new LmdbEventStore(database, {
    fold: options.fold,
    context,
    snapshotEvery: options.snapshotEvery ?? 100,
  });
  const home = options.home ?? root;
  const leases = new LmdbRunLeases(database, context);
  const libraries = new Map<LibraryKind, FolderLibrary>();
  let closed = false;
  return {
    kind: "lmdb",
    workspace,
    path: root,
    database,
    events,
    cache: createLmdbCacheStore(database),
    leases,
    documents: createLmdbLibraryStore(database, context),
    retention: lmdbRunRetention(events),
    describe: () => ({
      kind: "lmdb",
      location: database.path,
      bytes: dataFileBytes(database.path),
    }),
    library(kind) {
      let library = libraries.get(kind);
      if (!library) {
        library = new FolderLibrary(kind, libraryFolders(kind, { home, workspaceRoot: root }));
        libraries.set(kind, library);
      }
      return library;
    },
    async close() {
      if (closed) return;
      closed = true;
      await leases.flush();
      await events.close();
      await database.close();
    },
  };
}

/** The size of the environment's data file; 0 before anything was written. */
function dataFileBytes(directory: string): number {
  try {
    return statSync(join(directory, "data.mdb")).size;
  } catch {
    return 0;
  }
}

/** The workspaces of one WriteIt home, each opened as an LMDB backend. */
export function lmdbBackendFactory(options: { home: string; fold: RunFold }): BackendFactory {
  const workspaces = new Workspaces(options.home);
  return {
    kind: "lmdb",
    open: (name, openOptions = {}) => {
      try {
        return Promise.resolve(openLmdbBackend(name, { ...openOptions, ...options }));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    listWorkspaces: () => Promise.resolve(workspaces.list()),
    createWorkspace: (name, createOptions = {}): Promise<WorkspaceInfo> => {
      try {
        return Promise.resolve(workspaces.create(name, createOptions));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    removeWorkspace: (name) => {
      try {
        workspaces.remove(name);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
