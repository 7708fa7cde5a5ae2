/**
 * The shared PostgreSQL backend: what outside code (wiring/) may use of
 * storage/postgres/. `postgresBackendFactory` gives the workspaces of one
 * database; the rest are its parts, for tools, benchmarks and tests.
 *
 * @example
 * ```ts
 * import { postgresBackendFactory } from "./storage/postgres/mod.ts";
 * const factory = postgresBackendFactory({ url, home, fold: runFold });
 * const backend = await factory.open("default");
 * ```
 */
export {
  openPostgresBackend,
  type PostgresBackend,
  type PostgresBackendFactory,
  postgresBackendFactory,
  type PostgresBackendFactoryOptions,
  type PostgresDatabaseState,
} from "./postgres_backend.ts";
export {
  acquirePool,
  checkConnection,
  connectPostgres,
  databaseError,
  type SharedPool,
  type Sql,
} from "./postgres_connection.ts";
export { checkUrl, redactUrl } from "./database_url.ts";
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
  type PostgresEventStoreStats,
} from "./postgres_event_store.ts";
export { EVENTS_CHANNEL, PostgresEventFeed } from "./postgres_event_feed.ts";
export { CACHE_CHANNEL, PostgresCacheStore } from "./postgres_cache_store.ts";
export { createPostgresLibraryStore } from "./postgres_library_store.ts";
export { PostgresRunLeases } from "./postgres_run_leases.ts";
export { postgresRunRetention } from "./postgres_run_retention.ts";
export {
  LATEST_SCHEMA,
  migrate,
  type Migration,
  MIGRATIONS,
  type MigrationState,
  schemaVersion,
} from "./postgres_migrations.ts";
