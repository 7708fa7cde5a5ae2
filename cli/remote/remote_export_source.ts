/**
 * The documents a server renders for its runs (with the server workspace's
 * layouts); the default format is md.
 */
import type { ExportSource } from "../sources/export_source.ts";
import type { RemoteContext } from "./remote_context.ts";
import { resolveRemoteRunId } from "./remote_runs_source.ts";

/** An ExportSource over the server's REST API. */
export function remoteExportSource(context: RemoteContext): ExportSource {
  const { client } = context;
  return {
    defaultFormat: () => Promise.resolve("md"),
    resolve: (text) => resolveRemoteRunId(client, text),
    // The API calls md "markdown".
    render: (runId, options) =>
      client.exportRun(runId, {
        format: options.format === "md" ? "markdown" : options.format,
        history: options.history,
      }),
  };
}
