/**
 * `/api/workspaces`: list the home's workspaces, create one (the name is
 * checked: no paths, no control characters), and describe one. Routes
 * scoped to a workspace live under `/api/workspaces/{workspace}/…` (see
 * app.ts).
 */
import { Hono } from "hono";
import type { WorkspaceHub } from "../../server/workspace_hub.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import type { ApiEnv } from "./api_env.ts";
import { readBody } from "./request_body.ts";
import { CreateWorkspaceBody } from "../../protocol/mod.ts";

/** Routes over the hub's workspaces. */
export function workspaceRoutes(hub: WorkspaceHub): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.get("/", async (context) =>
    context.json({
      workspaces: (await hub.names()).map((name) => ({
        name,
        isDefault: name === hub.defaultWorkspace,
      })),
    }));

  routes.post("/", async (context) => {
    const { name } = await readBody(context, CreateWorkspaceBody);
    assertWorkspaceName(name);
    await hub.create(name);
    return context.json({ workspace: { name, isDefault: false } }, 201);
  });

  routes.get("/:workspace", async (context) => {
    const runtime = context.get("runtime");
    const runs = await runtime.store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
    return context.json({
      workspace: {
        name: runtime.name,
        isDefault: runtime.name === hub.defaultWorkspace,
        runs: runs.length,
      },
    });
  });

  return routes;
}
