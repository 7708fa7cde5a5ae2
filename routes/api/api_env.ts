/**
 * The Hono environment of the API routes: the workspace a request acts on
 * (from `/api/workspaces/{workspace}/…`, else the server's default), whether
 * the path named it, a way to open another one, and the request id the
 * request log assigned.
 */
import type { WorkspaceRuntime } from "../../server/workspace_hub.ts";

/** Variables API handlers read from the context. */
export interface ApiVariables {
  runtime: WorkspaceRuntime;
  /** The workspace the path names (`/api/workspaces/{workspace}/…`); undefined under plain `/api`. */
  pathWorkspace: string | undefined;
  /** Opens the workspace named `name` (NotFoundError when there is none). */
  openWorkspace: (name: string) => Promise<WorkspaceRuntime>;
  requestId: string;
}

/** The Hono `Env` of the API. */
export interface ApiEnv {
  Variables: ApiVariables;
}
