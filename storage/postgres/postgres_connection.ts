/**
 * Connecting to PostgreSQL: one postgres.js pool per opened workspace
 * backend (and a short-lived one for workspace management), URLs shown to
 * people with their password hidden, and the driver's failures turned into
 * WriteItErrors that say what failed, on which database, and what to do —
 * an unreachable server, bad credentials or a missing database are a
 * ConfigurationError with one clear line, never a stack trace.
 *
 * The driver is postgres.js (npm `postgres`): pure JavaScript, so it runs on
 * Deno from npm without native parts; tagged-template queries that are
 * always parameterised; pipelining on a connection; and LISTEN/NOTIFY on
 * one dedicated connection per pool, which the event feed uses.
 *
 * @example
 * ```ts
 * const sql = connectPostgres("postgres://writeit@db/writeit");
 * await checkConnection(sql, "postgres://writeit@db/writeit");
 * ```
 */
import postgres from "postgres";
import { ConfigurationError, WriteItError } from "../../engine/errors.ts";
import { checkUrl, redactUrl } from "./database_url.ts";

export { checkUrl, redactUrl };

/** A postgres.js pool. */
export type Sql = postgres.Sql<Record<string, never>>;

/** A transaction of a pool. */
export type Transaction = postgres.TransactionSql<Record<string, never>>;

/** Options of a pool. */
export interface ConnectOptions {
  /** Most connections of the pool (default 5). */
  max?: number;
  /** Seconds an idle connection stays open (default: until the pool ends). */
  idleTimeout?: number;
}

/** Opens a pool on `url` (connections are made on first use); ConfigurationError for a malformed URL. */
export function connectPostgres(url: string, options: ConnectOptions = {}): Sql {
  checkUrl(url);
  return postgres(url, {
    max: options.max ?? 5,
    idle_timeout: options.idleTimeout,
    connect_timeout: 10,
    onnotice: () => {},
    // bigint columns (positions, times in ms) come back as JS numbers: they stay below 2^53.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
    connection: { application_name: "writeit" },
  }) as unknown as Sql;
}

/** A pool shared by the backends of this process on one database. */
export interface SharedPool {
  readonly sql: Sql;
  /** Gives the pool back; the last user's release ends it. */
  release(): Promise<void>;
}

const pools = new Map<string, { sql: Sql; users: number }>();

/**
 * The pool of this process for `url` (created on first use), so that a
 * server with many workspaces opens one pool and one LISTEN connection per
 * database, not per workspace. Idle connections close after a minute.
 */
export function acquirePool(url: string, options: ConnectOptions = {}): SharedPool {
  let entry = pools.get(url);
  if (!entry) {
    entry = {
      sql: connectPostgres(url, { max: options.max ?? 10, idleTimeout: options.idleTimeout ?? 60 }),
      users: 0,
    };
    pools.set(url, entry);
  }
  const held = entry;
  held.users++;
  let released = false;
  return {
    sql: held.sql,
    async release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users > 0) return;
      if (pools.get(url) === held) pools.delete(url);
      await held.sql.end({ timeout: 5 });
    },
  };
}

/** Whether `error` is a PostgreSQL error with SQLSTATE `code`. */
export function isPostgresError(error: unknown, code?: string): boolean {
  return error instanceof Error && error.name === "PostgresError" &&
    (code === undefined || (error as { code?: string }).code === code);
}

/** Runs `body`, turning a database failure into `databaseError(url, …)`. */
export async function withDatabaseErrors<T>(url: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw databaseError(url, error);
  }
}

/**
 * A WriteItError for a failure to reach or use the database at `url`;
 * errors that are already WriteItErrors pass through.
 */
export function databaseError(url: string, error: unknown): Error {
  if (error instanceof WriteItError) return error;
  const shown = redactUrl(url);
  const code = (error as { code?: string } | undefined)?.code ?? "";
  const detail = error instanceof Error ? error.message : String(error);
  if (code === "28P01" || code === "28000") {
    return new ConfigurationError(
      `Cannot log in to the PostgreSQL database at "${shown}": ${detail}; check the user and password in storage.url or WRITEIT_DATABASE_URL`,
      { code: "database_credentials", cause: error },
    );
  }
  if (code === "3D000") {
    return new ConfigurationError(
      `The PostgreSQL database at "${shown}" does not exist: create it (\`createdb\`) or fix the database name in storage.url or WRITEIT_DATABASE_URL`,
      { code: "database_missing", cause: error },
    );
  }
  const network = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "CONNECT_TIMEOUT"]
    .concat(["EHOSTUNREACH", "ENETUNREACH"]).includes(code);
  if (network || (!isPostgresError(error) && /ECONNREFUSED|getaddrinfo/i.test(detail))) {
    return new ConfigurationError(
      `Cannot reach the PostgreSQL database at "${shown}" (${
        code || detail
      }): start the server or fix the host and port in storage.url or WRITEIT_DATABASE_URL; unset both to use the embedded LMDB backend`,
      { code: "database_unreachable", cause: error },
    );
  }
  if (code === "42501") {
    return new ConfigurationError(
      `The PostgreSQL user of "${shown}" may not do what WriteIt needs: ${detail}; grant it the right to create and change tables in that database (or use the database's owner)`,
      { code: "database_permission", cause: error },
    );
  }
  if (code.startsWith("CONNECTION_") || code === "ECONNRESET" || code === "EPIPE") {
    return new ConfigurationError(
      `Lost the connection to the PostgreSQL database at "${shown}" (${code}): check that the server is running, then try again`,
      { code: "database_unreachable", cause: error },
    );
  }
  if (isPostgresError(error)) {
    return new WriteItError(
      "database_error",
      `The PostgreSQL database at "${shown}" refused a query: ${detail} (SQLSTATE ${code}); if it persists, check the server's log`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(detail);
}

/** Runs a trivial query, so a bad URL fails here with a clear message. */
export async function checkConnection(sql: Sql, url: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (error) {
    throw databaseError(url, error);
  }
}
