/**
 * The PostgreSQL schema, as numbered migrations applied on open. The
 * pending migrations run in one transaction (each in a savepoint), so a
 * failure leaves the schema as it was, and each is recorded in
 * `writeit_migrations` (version, name, time); the transaction first takes an
 * advisory lock, so two processes opening one database at once apply each
 * migration once while the other waits. A database whose schema
 * is newer than this code (a later WriteIt migrated it) is refused with a
 * ConfigurationError naming the URL (password hidden): upgrade WriteIt, or
 * point it at another database. Migrations only ever add; a released one is
 * never edited.
 *
 * Tables (every row belongs to a workspace, and goes with it):
 * - `writeit_workspaces`: name, description, creation time;
 * - `writeit_runs`: one row per run stream: head, parent link and branch
 *   point, compaction base, last snapshot, and the listing row (summary);
 * - `writeit_events`: (workspace, run, sequence) unique — the optimistic
 *   concurrency check — plus a global `position` for subscriptions;
 * - `writeit_snapshots`: folded run states every K events;
 * - `writeit_cache_entries`, `writeit_cache_meta`: the response cache tier,
 *   its epoch and statistics;
 * - `writeit_leases`: run leases with expiry;
 * - `writeit_documents`: versioned library documents.
 *
 * @example
 * ```ts
 * const state = await migrate(sql, url);
 * console.log(state.version, state.latest);
 * ```
 */
import { ConfigurationError } from "../../engine/errors.ts";
import { databaseError, redactUrl, type Sql } from "./postgres_connection.ts";

/** One numbered step of the schema. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "workspaces, runs, events, snapshots, cache, leases, documents",
    sql: `
create table writeit_workspaces (
  name text primary key,
  description text,
  created_at timestamptz not null default now()
);
create table writeit_runs (
  workspace text not null references writeit_workspaces(name) on delete cascade,
  run_id text not null,
  head integer not null,
  parent_run_id text,
  parent_sequence integer,
  base integer,
  snapshot integer,
  pipeline_id text not null,
  status text not null,
  created_at text not null,
  summary jsonb not null,
  primary key (workspace, run_id)
);
create index writeit_runs_recent on writeit_runs (workspace, created_at desc, run_id desc);
create index writeit_runs_parent on writeit_runs (workspace, parent_run_id);
create sequence writeit_event_position;
create table writeit_events (
  position bigint not null default nextval('writeit_event_position'),
  workspace text not null,
  run_id text not null,
  sequence integer not null,
  id text not null,
  type text not null,
  schema_version integer not null,
  time text not null,
  data json not null,
  metadata json not null,
  primary key (workspace, run_id, sequence),
  foreign key (workspace, run_id) references writeit_runs(workspace, run_id) on delete cascade
    deferrable initially deferred
);
create index writeit_events_position on writeit_events (workspace, position);
create table writeit_snapshots (
  workspace text not null,
  run_id text not null,
  sequence integer not null,
  format integer not null,
  state json not null,
  primary key (workspace, run_id, sequence),
  foreign key (workspace, run_id) references writeit_runs(workspace, run_id) on delete cascade
);
create sequence writeit_cache_revision;
create table writeit_cache_entries (
  workspace text not null references writeit_workspaces(name) on delete cascade,
  key text not null,
  entry json,
  expires_at bigint not null,
  revision bigint not null default nextval('writeit_cache_revision'),
  primary key (workspace, key)
);
create index writeit_cache_revision_index on writeit_cache_entries (workspace, revision);
create table writeit_cache_meta (
  workspace text primary key references writeit_workspaces(name) on delete cascade,
  epoch integer not null default 0,
  stats jsonb not null default '{}'
);
create table writeit_leases (
  workspace text not null references writeit_workspaces(name) on delete cascade,
  run_id text not null,
  owner text not null,
  token text not null,
  expires_at bigint not null,
  host text,
  pid integer,
  primary key (workspace, run_id)
);
create table writeit_documents (
  workspace text not null references writeit_workspaces(name) on delete cascade,
  kind text not null,
  name text not null,
  version integer not null,
  text text not null,
  created_at text not null,
  primary key (workspace, kind, name, version)
);
`,
  },
];

/** The newest schema version this code knows. */
export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Key of the session advisory lock held while migrating. */
const MIGRATION_LOCK = 0x77726974; // "writ"

/** The schema state of a database. */
export interface MigrationState {
  /** The version the database is at after migrating. */
  version: number;
  /** The newest version this code knows. */
  latest: number;
  /** Versions applied by this call (empty when it was up to date). */
  applied: number[];
}

/**
 * Brings the database at `url` (reached through `sql`) up to the latest
 * schema. ConfigurationError when its schema is newer than this code, or
 * when the database cannot be reached.
 */
export async function migrate(sql: Sql, url: string): Promise<MigrationState> {
  try {
    // Up to date (the common case): no lock and no DDL, so a user without CREATE rights works.
    const known = await schemaVersion(sql);
    if (known > LATEST_SCHEMA) throw newerSchema(url, known);
    if (known === LATEST_SCHEMA) return { version: known, latest: LATEST_SCHEMA, applied: [] };
    return await sql.begin(async (tx) => {
      // A transaction-scoped lock: a second process waits here until the first committed.
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      await tx`create table if not exists writeit_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`;
      const rows = await tx<{ version: number }[]>`select version from writeit_migrations`;
      const done = new Set(rows.map((row) => row.version));
      const current = Math.max(0, ...done);
      if (current > LATEST_SCHEMA) throw newerSchema(url, current);
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await tx.savepoint(async (step) => {
          await step.unsafe(migration.sql);
          await step`insert into writeit_migrations (version, name)
            values (${migration.version}, ${migration.name})`;
        });
        applied.push(migration.version);
      }
      return { version: Math.max(current, ...applied), latest: LATEST_SCHEMA, applied };
    });
  } catch (error) {
    throw databaseError(url, error);
  }
}

/** The schema version of the database, without changing it (0 before the first migration). */
export async function schemaVersion(sql: Sql): Promise<number> {
  const [table] = await sql<{ present: boolean }[]>`
    select to_regclass('writeit_migrations') is not null as present`;
  if (!table?.present) return 0;
  const [row] = await sql<{ version: number }[]>`
    select coalesce(max(version), 0) as version from writeit_migrations`;
  return row?.version ?? 0;
}

function newerSchema(url: string, version: number): ConfigurationError {
  return new ConfigurationError(
    `The PostgreSQL database at "${
      redactUrl(url)
    }" has schema version ${version}, newer than this WriteIt knows (${LATEST_SCHEMA}): upgrade WriteIt, or point storage.url at another database`,
    { code: "database_schema_newer" },
  );
}
