/**
 * The Hono environment of the API routes: the workspace a request acts on
 * (from `/api/workspaces/{workspace}/…`, else the server's default) and the
 * request id the request log assigned.
 */
import type { WorkspaceRuntime } from "../../server/workspace_hub.ts";

/** Variables API handlers read from the context. */
export interface ApiVariables {
  runtime: WorkspaceRuntime;
  requestId: string;
}

/** The Hono `Env` of the API. */
export interface ApiEnv {
  Variables: ApiVariables;
}
