/**
 * Database URLs as WriteIt shows and checks them, without loading the
 * driver (serve.ts logs where its data lives at start-up): `redactUrl`
 * hides the password (`postgres://writeit:***@db/writeit`), `checkUrl`
 * refuses a malformed URL with a ConfigurationError that says how to write
 * one.
 *
 * @example
 * ```ts
 * redactUrl("postgres://writeit:secret@db:5432/writeit"); // "postgres://writeit:***@db:5432/writeit"
 * ```
 */
import { ConfigurationError } from "../../engine/errors.ts";

/** Throws ConfigurationError unless `url` is a well-formed postgres:// URL. */
export function checkUrl(url: string): void {
  let problem: string | undefined;
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) problem = "it is not a postgres:// URL";
    else if (!parsed.hostname) problem = "it names no host";
  } catch {
    problem = "it is not a valid URL";
  }
  if (problem) {
    throw new ConfigurationError(
      `Cannot use the database URL "${
        redactUrl(url)
      }": ${problem}; write it as postgres://user:password@host:5432/database in storage.url or WRITEIT_DATABASE_URL`,
      { code: "database_url" },
    );
  }
}

/** `url` with its password replaced by "***", for messages and `writeit doctor`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}
