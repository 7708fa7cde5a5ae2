/**
 * The WriteIt server: `deno task start` (or `deno task dev`, reloading on
 * change; `writeit serve` does the same). Serves the REST API, the run
 * WebSockets and the dashboard for every workspace of the WriteIt home, on
 * loopback by default; binding to any other address requires a bearer token
 * (WRITEIT_API_TOKEN or config `server.token`). SIGINT and SIGTERM shut down
 * gracefully: running steps stay resumable.
 */
import { processEnvironment } from "./environment.ts";
import { formatIssue, ValidationError } from "./engine/errors.ts";
import { serveUntilStopped } from "./serve.ts";
import { resolveHome } from "./storage/lmdb/workspaces.ts";

/** Starts the server and stops it on SIGINT/SIGTERM. */
export async function main(options: { host?: string; port?: number } = {}): Promise<void> {
  const env = processEnvironment();
  await serveUntilStopped({ home: resolveHome(env), env, ...options });
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    // One clear line per problem, never a stack trace.
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof ValidationError && error.issues.length > 1) {
      for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
    }
    Deno.exit(error instanceof ValidationError ? 2 : 1);
  }
}
