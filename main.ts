/**
 * The WriteIt server: `deno task start` (or `deno task dev`, reloading on
 * change). Serves the REST API for one workspace on loopback by default;
 * binding to any other address requires a bearer token (server.token or
 * WRITEIT_TOKEN). Configuration comes from config.ts like the CLI's.
 */
import { resolveConfig } from "./config.ts";
import { formatIssue, ValidationError } from "./engine/errors.ts";
import { LmdbEventStore } from "./storage/lmdb_event_store.ts";
import { Library, libraryFolders } from "./storage/library.ts";
import { openWorkspaceDatabase } from "./storage/workspace_database.ts";
import { resolveHome, workspacePaths, Workspaces } from "./storage/workspaces.ts";
import { createApp } from "./routes/app.ts";
import { VERSION } from "./engine/version.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** Starts the server; throws WriteIt errors for bad configuration. */
function start(): void {
  const env = Deno.env.toObject();
  const home = resolveHome(env);
  const workspaces = new Workspaces(home);
  if (!workspaces.isInitialised()) workspaces.init();
  const workspace = workspaces.info(env.WRITEIT_WORKSPACE || workspaces.activeName());
  const config = resolveConfig({ home, workspaceRoot: workspace.path, env });
  const host = config.get<string>("server.host") ?? "127.0.0.1";
  const port = config.get<number>("server.port") ?? 8484;
  const token = config.get<string>("server.token");
  if (!LOOPBACK.has(host) && !token) {
    console.error(
      `error: binding to ${host} exposes the API beyond this machine: set server.token (or WRITEIT_TOKEN) first`,
    );
    Deno.exit(2);
  }
  const database = openWorkspaceDatabase(workspacePaths(home, workspace.name).data);
  const store = new LmdbEventStore(database, {
    snapshotEvery: config.get<number>("events.snapshot_every"),
  });
  const app = createApp({
    workspace: workspace.name,
    pipelines: new Library(
      "pipeline",
      libraryFolders("pipeline", { home, workspaceRoot: workspace.path }),
    ),
    styles: new Library("style", libraryFolders("style", { home, workspaceRoot: workspace.path })),
    store,
    token,
    version: VERSION,
  });
  const server = Deno.serve({
    hostname: host,
    port,
    onListen: ({ hostname, port }) =>
      console.log(
        `WriteIt ${VERSION} serving workspace "${workspace.name}" on http://${hostname}:${port}`,
      ),
  }, app.fetch);
  const stop = async () => {
    await server.shutdown();
    await store.close();
    await database.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) {
  try {
    start();
  } catch (error) {
    // One clear line per problem, never a stack trace.
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof ValidationError && error.issues.length > 1) {
      for (const issue of error.issues) console.error(`  ${formatIssue(issue)}`);
    }
    Deno.exit(1);
  }
}
