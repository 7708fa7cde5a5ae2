/**
 * The shared backend: every workspace's runs, events, response cache tier,
 * run leases and library documents in one PostgreSQL database, so several
 * `writeit serve` instances and CLIs on several machines work on the same
 * data. Workspaces are rows of `writeit_workspaces`; each still has its
 * folder in the WriteIt home (`workspaces/<name>/` with pipelines/, styles/,
 * layouts/ and outputs/, as `WorkspaceInfo.path` promises), created when a
 * workspace is created or first opened on a machine, and an existing
 * folder's workspace is adopted into the database on first open. Pipelines
 * and style primers are found in those folders, then the home's, then the
 * bundled ones, as with LMDB.
 *
 * Opening a workspace takes this process's connection pool for the
 * database (one per URL, its LISTEN connection included, shared by every
 * open workspace) and, once per factory, applies the migrations
 * (storage/postgres/postgres_migrations.ts). Workspace management uses a
 * short-lived pool, so a factory holds no connection between calls.
 *
 * @example
 * ```ts
 * const factory = postgresBackendFactory({ url, home, fold: runFold });
 * const backend = await factory.open("default");
 * await backend.close();
 * ```
 */
import { existsSync } from "node:fs";
import type {
  Backend,
  BackendFactory,
  OpenBackendOptions,
  WorkspaceInfo,
} from "../../engine/backend.ts";
import { type EngineContext, systemContext } from "../../engine/context.ts";
import { didYouMean } from "../../engine/did_you_mean.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../engine/errors.ts";
import type { RunFold } from "../../engine/events/stream_fold.ts";
import type { LibraryKind } from "../../engine/library.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import { FolderLibrary, libraryFolders } from "../lmdb/library.ts";
import { workspacePaths, Workspaces } from "../lmdb/workspaces.ts";
import { PostgresCacheStore } from "./postgres_cache_store.ts";
import {
  acquirePool,
  checkConnection,
  connectPostgres,
  databaseError,
  redactUrl,
  type Sql,
} from "./postgres_connection.ts";
import { PostgresEventStore } from "./postgres_event_store.ts";
import { createPostgresLibraryStore } from "./postgres_library_store.ts";
import { migrate, type MigrationState } from "./postgres_migrations.ts";
import { postgresRunRetention } from "./postgres_run_retention.ts";
import { PostgresRunLeases } from "./postgres_run_leases.ts";

/** A workspace's PostgreSQL backend. */
export interface PostgresBackend extends Backend {
  readonly kind: "postgres";
  readonly events: PostgresEventStore;
  readonly cache: PostgresCacheStore;
  /** The workspace's folder. */
  readonly path: string;
}

/** What the PostgreSQL backends are opened with. */
export interface PostgresBackendFactoryOptions {
  /** The database: `postgres://user:password@host:5432/database`. */
  url: string;
  /** The WriteIt home holding the workspaces' folders. */
  home: string;
  /** How events fold into run state: the engine's `runFold`. */
  fold: RunFold;
  /** Clock and ids (default the system ones); `open` may give its own. */
  context?: EngineContext;
  /** Connections of this process's pool for the database (default 10). */
  poolSize?: number;
  /** How often subscribers read anyway, besides notifications (default 1000 ms). */
  pollIntervalMs?: number;
}

/** The server and schema a factory's database has. */
export interface PostgresDatabaseState {
  /** `PostgreSQL 15.4` and the like. */
  server: string;
  migrations: MigrationState;
}

/** A backend factory over one PostgreSQL database, plus what `writeit doctor` shows of it. */
export interface PostgresBackendFactory extends BackendFactory {
  readonly kind: "postgres";
  open(name: string, options?: OpenBackendOptions): Promise<PostgresBackend>;
  /** The database URL with its password hidden. */
  readonly location: string;
  /** Connects, migrates and says which server and schema version the database has. */
  databaseState(): Promise<PostgresDatabaseState>;
}

interface WorkspaceRow {
  name: string;
  description: string | null;
  created_at: Date;
}

/** Workspaces in the PostgreSQL database at `options.url`, their folders in `options.home`. */
export function postgresBackendFactory(
  options: PostgresBackendFactoryOptions,
): PostgresBackendFactory {
  const { url, home } = options;
  const folders = new Workspaces(home);
  const location = redactUrl(url);
  let migrated: Promise<MigrationState> | undefined;

  /** Connects `sql` and applies the migrations once per factory. */
  const ready = async (sql: Sql): Promise<MigrationState> => {
    await checkConnection(sql, url);
    migrated ??= migrate(sql, url).catch((error) => {
      migrated = undefined;
      throw error;
    });
    return await migrated;
  };

  /** Runs `body` on a pool that ends afterwards. */
  const briefly = async <T>(body: (sql: Sql) => Promise<T>): Promise<T> => {
    const sql = connectPostgres(url, { max: 1 });
    try {
      await ready(sql);
      return await body(sql);
    } catch (error) {
      throw databaseError(url, error);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };

  const info = (row: WorkspaceRow): WorkspaceInfo => ({
    name: row.name,
    path: workspacePaths(home, row.name).root,
    ...(row.description !== null ? { description: row.description } : {}),
    createdAt: new Date(row.created_at).toISOString(),
    active: folders.activeName() === row.name,
  });

  const notFound = async (sql: Sql, name: string): Promise<NotFoundError> => {
    const rows = await sql<{ name: string }[]>`select name from writeit_workspaces order by name`;
    const names = rows.map((row) => row.name);
    const suggestion = didYouMean(name, names);
    const hint = suggestion
      ? `did you mean "${suggestion}"?`
      : names.length
      ? `existing workspaces: ${names.join(", ")}`
      : "create it with `writeit workspace create " + name + "`";
    return new NotFoundError(`Workspace "${name}" does not exist in ${location}: ${hint}`);
  };

  /** The workspace's row; a folder of the home without one is adopted. */
  const findWorkspace = async (sql: Sql, name: string): Promise<WorkspaceRow> => {
    assertWorkspaceName(name);
    const select = () =>
      sql<WorkspaceRow[]>`select name, description, created_at from writeit_workspaces
        where name = ${name}`;
    let [row] = await select();
    if (!row && existsSync(workspacePaths(home, name).root)) {
      const folder = folders.info(name);
      await sql`insert into writeit_workspaces (name, description, created_at)
        values (${name}, ${folder.description ?? null},
          ${folder.createdAt ? new Date(folder.createdAt) : new Date()})
        on conflict do nothing`;
      [row] = await select();
    }
    if (!row) throw await notFound(sql, name);
    if (!existsSync(workspacePaths(home, name).root)) {
      folders.create(name, { description: row.description ?? undefined });
    }
    return row;
  };

  return {
    kind: "postgres",
    location,
    async open(name, openOptions: OpenBackendOptions = {}) {
      const pool = acquirePool(url, { max: options.poolSize });
      const sql = pool.sql;
      try {
        const migrations = await ready(sql);
        const row = await findWorkspace(sql, name);
        const [{ server_version: version }] = await sql<{ server_version: string }[]>`
          show server_version`;
        return await openPostgresBackend(sql, {
          ...options,
          ...openOptions,
          workspace: row.name,
          release: pool.release,
          details: {
            server: `PostgreSQL ${version}`,
            schema: `version ${migrations.version} (this WriteIt knows ${migrations.latest})`,
          },
        });
      } catch (error) {
        await pool.release().catch(() => undefined);
        throw databaseError(url, error);
      }
    },
    listWorkspaces: () =>
      briefly(async (sql) => {
        const rows = await sql<WorkspaceRow[]>`
          select name, description, created_at from writeit_workspaces order by name`;
        return rows.map(info);
      }),
    createWorkspace: (name, createOptions = {}) =>
      briefly(async (sql) => {
        assertWorkspaceName(name);
        const rows = await sql<WorkspaceRow[]>`
          insert into writeit_workspaces (name, description)
          values (${name}, ${createOptions.description ?? null})
          on conflict do nothing
          returning name, description, created_at`;
        if (rows.length === 0) {
          throw new ConflictError(
            `Workspace "${name}" already exists in ${location}: pick another name or use it with \`writeit workspace use ${name}\``,
            { code: "workspace_exists" },
          );
        }
        if (!existsSync(workspacePaths(home, name).root)) folders.create(name, createOptions);
        return info(rows[0]);
      }),
    removeWorkspace: (name) =>
      briefly(async (sql) => {
        await findWorkspace(sql, name);
        if (folders.activeName() === name) {
          throw new ValidationError(
            `Workspace "${name}" is the active workspace and cannot be removed: switch first with \`writeit workspace use <other>\``,
            [{
              severity: "error",
              message: "cannot remove the active workspace",
              path: "workspace",
            }],
          );
        }
        await sql`delete from writeit_workspaces where name = ${name}`;
        if (existsSync(workspacePaths(home, name).root)) folders.remove(name);
      }),
    databaseState: () =>
      briefly(async (sql) => {
        const migrations = await ready(sql);
        const [{ server_version: version }] = await sql<{ server_version: string }[]>`
          show server_version`;
        return { server: `PostgreSQL ${version}`, migrations };
      }),
  };
}

/**
 * The backend of workspace `options.workspace` on `sql` (migrated, with the
 * workspace's row present); closing it calls `options.release` (which may
 * end `sql`), and leaves `sql` open without one.
 */
export async function openPostgresBackend(
  sql: Sql,
  options: OpenBackendOptions & {
    url: string;
    home: string;
    workspace: string;
    fold: RunFold;
    pollIntervalMs?: number;
    details?: Record<string, string>;
    release?: () => Promise<void>;
  },
): Promise<PostgresBackend> {
  const context: EngineContext = options.context ?? systemContext();
  const { workspace, url } = options;
  const events = await PostgresEventStore.open(sql, {
    workspace,
    url,
    fold: options.fold,
    context,
    snapshotEvery: options.snapshotEvery ?? 100,
    pollIntervalMs: options.pollIntervalMs,
  });
  let cache: PostgresCacheStore;
  try {
    cache = await PostgresCacheStore.open(sql, { workspace, url });
  } catch (error) {
    await events.close();
    throw error;
  }
  const root = workspacePaths(options.home, workspace).root;
  const libraries = new Map<LibraryKind, FolderLibrary>();
  const location = redactUrl(url);
  let closed = false;
  return {
    kind: "postgres",
    workspace,
    path: root,
    events,
    cache,
    leases: new PostgresRunLeases(sql, { workspace, context, url }),
    documents: createPostgresLibraryStore(sql, { workspace, context, url }),
    retention: postgresRunRetention(events),
    describe: () => ({
      kind: "postgres",
      location: `${location} (workspace "${workspace}")`,
      ...(options.details ? { details: options.details } : {}),
    }),
    library(kind) {
      let library = libraries.get(kind);
      if (!library) {
        library = new FolderLibrary(
          kind,
          libraryFolders(kind, { home: options.home, workspaceRoot: root }),
        );
        libraries.set(kind, library);
      }
      return library;
    },
    async close() {
      if (closed) return;
      closed = true;
      await events.close();
      await cache.close();
      await options.release?.();
    },
  };
}
