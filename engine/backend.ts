/**
 * The Backend: everything one workspace stores, behind one object, so the
 * engine, the CLI and the server never know which database holds it. A
 * backend gives the workspace's runs and their events (`events`: appends
 * with expected versions, reads, subscriptions, snapshots and time travel,
 * branches), the response cache's persistent tier (`cache`), run leases
 * (`leases`), the library (`library(kind)` to find pipelines and style
 * primers, `documents` for versioned documents kept in the backend) and
 * retention (`retention`), and says where its data lives (`describe()`, for
 * `writeit doctor` and the like). A backend stores and streams; folding events into
 * run state is the engine's (it hands its fold to the backend).
 *
 * A `BackendFactory` opens workspaces by name and lists, creates and
 * removes them: storage/lmdb/ is the embedded one (one LMDB environment per
 * workspace folder), storage/postgres/ the shared one (one database for
 * every workspace and instance), storage/memory/ keeps everything in the
 * process. Only
 * wiring/ picks one.
 *
 * @example
 * ```ts
 * const backend = await factory.open("default");
 * const state = await backend.events.loadRun(runId);
 * await backend.close();
 * ```
 */
import type { CacheStore } from "./cache/cache_store.ts";
import type { EngineContext } from "./context.ts";
import type { EventStore } from "./events/event_store.ts";
import type { Library, LibraryKind, LibraryStore } from "./library.ts";
import type { RunLeases } from "./run_lease.ts";
import type { RunRetention } from "./run_retention.ts";

/** A workspace as listed and shown. */
export interface WorkspaceInfo {
  name: string;
  /** The workspace's folder (its pipelines/, styles/, layouts/ and outputs/ live there). */
  path: string;
  description?: string;
  createdAt?: string;
  /** Whether it is the home's active workspace. */
  active: boolean;
}

/** Where a backend keeps a workspace, as shown to people. */
export interface BackendDescription {
  /** Which adapter it is ("lmdb", "postgres", "memory"). */
  kind: string;
  /** Where the data lives: a folder, a database without its credentials, or "in memory". */
  location: string;
  /** Bytes the workspace takes up, when the adapter can tell. */
  bytes?: number;
  /** More to show, by label (a database server's version, its schema version). */
  details?: Record<string, string>;
}

/** Everything one workspace stores. */
export interface Backend {
  /** Which adapter this is ("lmdb", "memory"). */
  readonly kind: string;
  /** The workspace's name. */
  readonly workspace: string;
  /** Runs and their events. */
  readonly events: EventStore;
  /** The response cache's persistent tier. */
  readonly cache: CacheStore;
  /** One driver per run at a time, across every process sharing the backend. */
  readonly leases: RunLeases;
  /** Pipelines or style primers by name, as seen from this workspace. */
  library(kind: LibraryKind): Library;
  /** Versioned documents (pipelines, styles, layouts, config) kept in the backend. */
  readonly documents: LibraryStore;
  /** Pruning of abandoned branches and compaction of old runs. */
  readonly retention: RunRetention;
  /** Where the workspace's data lives and how big it is. */
  describe(): BackendDescription;
  /** Stops subscriptions, finishes pending writes and releases the workspace. */
  close(): Promise<void>;
}

/** Options of opening a workspace's backend. */
export interface OpenBackendOptions {
  /** Clock and ids for envelopes and leases (default the system ones). */
  context?: EngineContext;
  /** Snapshot every this many events of a run (default 100; 0 turns snapshots off). */
  snapshotEvery?: number;
}

/** Opens workspaces of one kind of backend, and manages which exist. */
export interface BackendFactory {
  /** Which adapter it opens ("lmdb", "memory"). */
  readonly kind: string;
  /** Opens the workspace named `name`; NotFoundError when it does not exist. */
  open(name: string, options?: OpenBackendOptions): Promise<Backend>;
  /** Every workspace, sorted by name. */
  listWorkspaces(): Promise<WorkspaceInfo[]>;
  /** Creates a workspace; ValidationError for a bad name, ConflictError when it exists. */
  createWorkspace(name: string, options?: { description?: string }): Promise<WorkspaceInfo>;
  /** Removes a workspace and everything it stores; NotFoundError when it does not exist. */
  removeWorkspace(name: string): Promise<void>;
}
