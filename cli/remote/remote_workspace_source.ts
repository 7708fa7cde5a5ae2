/**
 * The workspaces of a server's home. Rows carry `name`, `active` (true for
 * the server's default, as `active` marks the local active workspace),
 * `isDefault`, `description` and `createdAt`, the columns of the local list.
 */
import type { WorkspaceSource } from "../sources/workspace_source.ts";
import type { RemoteContext } from "./remote_context.ts";

/** A WorkspaceSource over the server's REST API. */
export function remoteWorkspaceSource(context: RemoteContext): WorkspaceSource {
  return {
    list: async () =>
      (await context.client.listWorkspaces()).map((item) => ({
        name: item.name,
        active: item.isDefault,
        isDefault: item.isDefault,
        description: item.description ?? null,
        createdAt: item.createdAt ?? null,
      })),
  };
}
