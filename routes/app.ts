/**
 * The HTTP application: REST under `/api` (each workspace-scoped route also
 * under `/api/workspaces/{workspace}/…`), the run WebSocket at `/ws/{runId}`,
 * health and metrics, errors as problem+json, a request size limit, CORS
 * closed unless origins are configured, and a bearer token when one is
 * configured (required by serve.ts for any bind beyond loopback). Built by a
 * factory so tests drive it in-process with `app.request(…)`.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { WorkspaceHub } from "../server/workspace_hub.ts";
import type { ApiEnv } from "./api/api_env.ts";
import { pipelineRoutes } from "./api/pipelines.ts";
import { runRoutes } from "./api/runs.ts";
import { workspaceRoutes } from "./api/workspaces.ts";
import { problemResponse } from "./problem.ts";
import { tokenMatches } from "./token_check.ts";
import { runSocketHandler } from "./ws.ts";

/** What the application serves. */
export interface AppOptions {
  hub: WorkspaceHub;
  version: string;
  /** Bearer token; when set every route except health requires it. */
  token?: string;
  /** Origins allowed to call the API from a browser (default none: CORS closed). */
  corsOrigins?: string[];
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Told when run sockets open and close and of each message sent (metrics). */
  sockets?: {
    onOpen?: () => void;
    onClose?: () => void;
    onSend?: () => void;
    openSockets?: Set<WebSocket>;
  };
}

const WORKSPACE_PATH = /^\/api\/workspaces\/([^/]+)(?:\/|$)/;

/** Creates the application. */
export function createApp(options: AppOptions): Hono<ApiEnv> {
  const { hub } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const app = new Hono<ApiEnv>();
  app.onError((error, context) => problemResponse(context, error));
  app.notFound((context) =>
    problemResponse(
      context,
      new HTTPException(404, { message: `No route for ${context.req.method} ${context.req.path}` }),
    )
  );
  if (options.corsOrigins?.length) {
    app.use("/api/*", cors({ origin: options.corsOrigins, maxAge: 600 }));
  }
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new HTTPException(413, {
          message: `The request body is larger than ${maxBodyBytes} bytes: send less`,
        });
      },
    }),
  );
  const health = (context: { json: (value: unknown) => Response }) =>
    context.json({ status: "ok", version: options.version, workspace: hub.defaultWorkspace });
  app.get("/health", health);
  app.get("/api/health", health);

  if (options.token) {
    const token = options.token;
    app.use("/api/*", async function requireToken(context, next) {
      const header = context.req.header("authorization") ?? "";
      const presented = /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
      if (!tokenMatches(presented, token)) {
        throw new HTTPException(401, {
          message: "A valid bearer token is required: send Authorization: Bearer <token>",
          res: new Response(null, { headers: { "www-authenticate": 'Bearer realm="writeit"' } }),
        });
      }
      await next();
    });
  }

  app.use("/api/*", async function selectWorkspace(context, next) {
    const match = WORKSPACE_PATH.exec(context.req.path);
    const name = match ? decodeURIComponent(match[1]) : undefined;
    const listing = context.req.path.replace(/\/$/, "") === "/api/workspaces";
    if (!listing) context.set("runtime", await hub.open(name));
    await next();
  });

  const scoped = new Hono<ApiEnv>();
  scoped.route("/pipelines", pipelineRoutes());
  scoped.route("/runs", runRoutes());
  scoped.get("/cache/stats", (context) => {
    const runtime = context.get("runtime");
    return context.json({
      workspace: runtime.name,
      stats: runtime.cacheStats() ?? { enabled: false },
    });
  });
  app.route("/api/workspaces", workspaceRoutes(hub));
  app.route("/api/workspaces/:workspace", scoped);
  app.route("/api", scoped);
  app.get("/ws/:runId", runSocketHandler({ hub, token: options.token, ...options.sockets }));
  return app;
}
