/**
 * The runs of a server's workspace, read through its REST API. A run may be
 * named by an unambiguous prefix of its id, as locally.
 */
import type { RunSummary } from "../../engine/events/event_store.ts";
import { NotFoundError } from "../../engine/errors.ts";
import { WriteItApiError, type WriteItClient } from "../../client/mod.ts";
import type { RunsSource } from "../sources/runs_source.ts";
import { UsageError } from "../usage_error.ts";
import type { RemoteContext } from "./remote_context.ts";

/** The full id of the run `text` names: the id itself or an unambiguous prefix. */
export async function resolveRemoteRunId(client: WriteItClient, text: string): Promise<string> {
  const wanted = text.trim();
  if (!wanted) throw new UsageError("Name a run: its id or the first characters of it");
  try {
    return (await client.getRun(wanted)).runId;
  } catch (error) {
    if (!(error instanceof WriteItApiError) || error.status !== 404) throw error;
  }
  const matches: string[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page = await client.listRuns({ limit: 200, offset });
    for (const run of page.runs) if (run.runId.startsWith(wanted)) matches.push(run.runId);
    offset = page.runs.length === 0 ? null : page.nextOffset;
  }
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new NotFoundError(
      `No run "${wanted}" on the server${
        client.workspace ? ` in workspace "${client.workspace}"` : ""
      }: see \`writeit --server … runs list\``,
    );
  }
  throw new UsageError(
    `"${wanted}" matches ${matches.length} runs (${
      matches.slice(0, 5).join(", ")
    }…): give more characters of the id`,
  );
}

/** A RunsSource over the server's REST API. */
export function remoteRunsSource(context: RemoteContext): RunsSource {
  const { client } = context;
  return {
    command: "writeit --server …",
    list: async (filter) => (await client.listRuns(filter)).runs,
    count: async () => (await client.listRuns({ limit: 1 })).total,
    resolve: (text) => resolveRemoteRunId(client, text),
    get: (runId, options = {}) => client.getRun(runId, { at: options.atSequence }),
    // The contract says summaries; a server may send bare ids.
    branches: async (runId) =>
      (await client.branches(runId)).map((branch) =>
        typeof branch === "string" ? branch : (branch as RunSummary).runId
      ),
    events: async (runId, options = {}) =>
      (await client.events(runId, { from: options.fromSequence })).events,
  };
}
