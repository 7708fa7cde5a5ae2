/**
 * `/api/workspaces`: list the home's workspaces, create one (the name is
 * checked: no paths, no control characters), and describe one. Routes
 * scoped to a workspace live under `/api/workspaces/{workspace}/…` (see
 * app.ts).
 */
import { Hono } from "hono";
import type { WorkspaceInfo } from "../../engine/backend.ts";
import type { WorkspaceHub } from "../../server/workspace_hub.ts";
import { assertWorkspaceName } from "../../engine/workspace_names.ts";
import type { ApiEnv } from "./api_env.ts";
import { readBody } from "./request_body.ts";
import { CreateWorkspaceBody } from "../../protocol/mod.ts";

/** Routes over the hub's workspaces. */
export function workspaceRoutes(hub: WorkspaceHub): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  const shown = (info: WorkspaceInfo) => ({
    name: info.name,
    isDefault: info.name === hub.defaultWorkspace,
    ...(info.description ? { description: info.description } : {}),
    ...(info.createdAt ? { createdAt: info.createdAt } : {}),
  });

  routes.get("/", async (context) => context.json({ workspaces: (await hub.list()).map(shown) }));

  routes.post("/", async (context) => {
    const { name, description } = await readBody(context, CreateWorkspaceBody);
    assertWorkspaceName(name);
    const created = await hub.create(name, { description });
    return context.json({ workspace: shown(created) }, 201);
  });

  routes.get("/:workspace", async (context) => {
    const runtime = context.get("runtime");
    const runs = await runtime.store.listRuns({ limit: Number.MAX_SAFE_INTEGER });
    const info = (await hub.list()).find((workspace) => workspace.name === runtime.name);
    return context.json({
      workspace: {
        ...shown(info ?? { name: runtime.name, path: "", active: false }),
        runs: runs.length,
      },
    });
  });

  return routes;
}
