/**
 * A fresh PostgreSQL database for one test file: `createTestDatabase()`
 * connects to the server's `postgres` database (WRITEIT_TEST_POSTGRES_URL,
 * default `postgres://postgres@127.0.0.1:5432/postgres`), creates
 * `writeit_test_<random>` and returns its URL; disposing it closes every
 * connection to it and drops it. When the server does not answer, the test
 * fails with a message saying how to start it: it is never skipped.
 *
 * @example
 * ```ts
 * await using database = await createTestDatabase();
 * const sql = connectPostgres(database.url);
 * ```
 */
import postgres from "postgres";

/** The server's maintenance database the tests connect to first. */
export const ADMIN_URL = Deno.env.get("WRITEIT_TEST_POSTGRES_URL") ??
  "postgres://postgres@127.0.0.1:5432/postgres";

/** A database that exists until disposed. */
export interface TestDatabase extends AsyncDisposable {
  name: string;
  url: string;
}

function admin() {
  return postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
}

/** Creates an empty database; throws a clear error when PostgreSQL is unreachable. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `writeit_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const sql = admin();
  try {
    await sql.unsafe(`create database ${name}`);
  } catch (error) {
    throw new Error(
      `PostgreSQL is not answering at ${ADMIN_URL} (${
        (error as Error).message
      }): start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\`, or set WRITEIT_TEST_POSTGRES_URL`,
    );
  } finally {
    await sql.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    [Symbol.asyncDispose]: () => dropTestDatabase(name),
  };
}

/** Closes every connection to `name` and drops it. */
export async function dropTestDatabase(name: string): Promise<void> {
  const sql = admin();
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await sql.end();
  }
}
