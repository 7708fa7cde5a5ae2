/**
 * The embedded LMDB backend: what outside code (wiring/) may use of
 * storage/lmdb/. `lmdbBackendFactory` / `openLmdbBackend` give a workspace's
 * Backend; the rest are its parts, for tools, benchmarks and tests.
 *
 * @example
 * ```ts
 * import { lmdbBackendFactory } from "./storage/lmdb/mod.ts";
 * const backend = await lmdbBackendFactory({ home, fold: runFold }).open("default");
 * ```
 */
export {
  type LmdbBackend,
  lmdbBackendFactory,
  type LmdbBackendOptions,
  openLmdbBackend,
  openLmdbBackendAt,
} from "./lmdb_backend.ts";
export {
  LmdbEventStore,
  type LmdbEventStoreOptions,
  type LmdbEventStoreStats,
  openLmdbEventStore,
  type StreamHead,
} from "./lmdb_event_store.ts";
export { CACHE_STORE_NAME, createLmdbCacheStore } from "./lmdb_cache_store.ts";
export { createLmdbLibraryStore, LIBRARY_STORE_NAME } from "./lmdb_library_store.ts";
export { LmdbRunLeases } from "./lmdb_run_leases.ts";
export { lmdbRetentionPort, lmdbRunRetention, pruneRuns } from "./run_retention.ts";
export { projectStep } from "./run_projections.ts";
export {
  openWorkspaceDatabase,
  type StoreOptions,
  type WorkspaceDatabase,
  type WorkspaceDatabaseOptions,
} from "./workspace_database.ts";
export {
  BUNDLED_PIPELINES,
  FolderLibrary,
  type LibraryFolders,
  libraryFolders,
} from "./library.ts";
export {
  DEFAULT_WORKSPACE,
  resolveHome,
  type WorkspaceInfo,
  type WorkspacePaths,
  workspacePaths,
  Workspaces,
} from "./workspaces.ts";
