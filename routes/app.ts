/**
 * The HTTP application: REST under `/api` (each workspace-scoped route also
 * under `/api/workspaces/{workspace}/…`), the run WebSocket at `/ws/{runId}`,
 * health and metrics, the dashboard's pages, errors as problem+json, no
 * framing by other pages, compressed responses (gzip) for clients that accept them, a request size limit, CORS closed unless origins
 * are configured, and a bearer token when one is configured (required by
 * serve.ts for any bind beyond loopback). Built by a factory so tests drive
 * it in-process with `app.request(…)`.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { type Metrics, metricsMiddleware, PROMETHEUS_CONTENT_TYPE } from "../server/metrics.ts";
import { metricsSnapshot } from "../server/metrics_snapshot.ts";
import { rateLimit, RateLimiter } from "../server/rate_limiter.ts";
import { type Logger, requestLog } from "../server/request_log.ts";
import type { WorkspaceHub } from "../server/workspace_hub.ts";
import type { ApiEnv } from "./api/api_env.ts";
import { pipelineRoutes } from "./api/pipelines.ts";
import { apiDocument } from "./api/route_docs.ts";
import { apiReferenceRoutes } from "./api_reference.ts";
import { runRoutes } from "./api/runs.ts";
import { diffRoutes } from "./api/diff.ts";
import { workspaceRoutes } from "./api/workspaces.ts";
import { NotFoundError } from "../engine/errors.ts";
import { problemResponse } from "../server/problem.ts";
import { bearerToken, TOKEN_COOKIE, tokenMatches } from "./token_check.ts";
import { getCookie } from "hono/cookie";
import { pageRoutes } from "./pages/pages.ts";
import { frameGuard } from "../server/frame_guard.ts";
import { hostGuard } from "../server/host_guard.ts";
import { runSocketHandler } from "./ws.ts";

/** What the application serves. */
export interface AppOptions {
  hub: WorkspaceHub;
  version: string;
  /** Bearer token; when set every route except health requires it. */
  token?: string;
  /** Origins allowed to call the API from a browser (default none: CORS closed). */
  corsOrigins?: string[];
  /**
   * `Host` values the server answers to (`name:port`); when set, other hosts
   * get 421 and requests with a foreign `Origin` get 403 (see host_guard.ts).
   */
  allowedHosts?: string[];
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Request metrics and `GET /metrics` (Prometheus text; needs the token when one is set). */
  metrics?: Metrics;
  /** One JSON line per request, with request ids. */
  logger?: Logger;
  /** API requests per minute per workspace before 429 (default: no limit). */
  rateLimitPerMinute?: number;
  /** Told when run sockets open and close and of each message sent (metrics). */
  sockets?: {
    onOpen?: () => void;
    onClose?: () => void;
    onSend?: (type: string) => void;
    onReceive?: (action: string) => void;
    openSockets?: Set<WebSocket>;
  };
}

const WORKSPACE_PATH = /^\/api\/workspaces\/([^/]+)(?:\/|$)/;

/** API paths that need no token: health and the API's own description. */
const PUBLIC_API = new Set(["/api/health", "/api/openapi.json", "/api/docs"]);

/**
 * Middleware requiring `Authorization: Bearer <token>`, or the dashboard's
 * HttpOnly, SameSite=Strict sign-in cookie (safe to accept: requests with a
 * foreign Origin are refused before this, and state changes need a JSON type).
 */
function bearer(token: string): MiddlewareHandler {
  return async function requireToken(context, next) {
    const presented = bearerToken(context.req.header("authorization")) ??
      getCookie(context, TOKEN_COOKIE);
    if (!tokenMatches(presented, token)) {
      throw new HTTPException(401, {
        message: "A valid bearer token is required: send Authorization: Bearer <token>",
        res: new Response(null, { headers: { "www-authenticate": 'Bearer realm="writeit"' } }),
      });
    }
    await next();
  };
}

/** Methods that change state: they must declare a JSON body. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** JSON, or YAML for pipeline text: neither is a type a page may send cross-site without a preflight. */
const BODY_TYPE = /^(application\/([\w.+-]+\+)?json|(application|text)\/(x-)?yaml)\s*(;|$)/i;

/**
 * Refuses a state-changing API request whose Content-Type is not JSON (or
 * YAML, which `pipelines/validate` reads), even with an empty body. A web page can send a cross-site "simple" request (no
 * preflight) only as text/plain, a form encoding or with no type at all, so
 * this keeps every state change out of reach of other sites' pages.
 */
const requireJsonBody: MiddlewareHandler = async function requireJsonBody(context, next) {
  if (!STATE_CHANGING.has(context.req.method)) return await next();
  const type = context.req.header("content-type") ?? "";
  if (!BODY_TYPE.test(type)) {
    throw new HTTPException(415, {
      message: `${context.req.method} ${context.req.path} needs a JSON body with ` +
        `content-type application/json, not ${
          type ? `"${type.slice(0, 80)}"` : "none"
        }: send {} when there is nothing to say`,
    });
  }
  await next();
};

/** Creates the application. */
export function createApp(options: AppOptions): Hono<ApiEnv> {
  const { hub } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const app = new Hono<ApiEnv>();
  app.onError((error, context) => problemResponse(context, error));
  if (options.logger) app.use(requestLog(options.logger));
  if (options.metrics) app.use(metricsMiddleware(options.metrics));
  app.notFound((context) =>
    problemResponse(
      context,
      new HTTPException(404, { message: `No route for ${context.req.method} ${context.req.path}` }),
    )
  );
  app.use(frameGuard());
  // gzip (or deflate) for pages, scripts, styles and JSON when the client accepts it.
  app.use(compress({ threshold: 1024 }));
  if (options.allowedHosts) {
    app.use(hostGuard({ hosts: options.allowedHosts, origins: options.corsOrigins ?? [] }));
  }
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
  app.use("/api/*", requireJsonBody);
  const health = (context: { json: (value: unknown) => Response }) =>
    context.json({ status: "ok", version: options.version, workspace: hub.defaultWorkspace });
  app.get("/health", health);
  app.get("/api/health", health);
  // The API's description is public: it holds no data, and clients need it to authenticate.
  let document: unknown;
  app.get(
    "/api/openapi.json",
    (context) => context.json(document ??= apiDocument(options.version)),
  );
  app.route(
    "/api/docs",
    apiReferenceRoutes({ documentUrl: "/api/openapi.json", title: "WriteIt API" }),
  );

  if (options.token) {
    const requireToken = bearer(options.token);
    app.use("/api/*", async function requireApiToken(context, next) {
      const path = context.req.path;
      if (PUBLIC_API.has(path) || path.startsWith("/api/docs/")) return await next();
      return await requireToken(context, next);
    });
  }
  if (options.metrics) {
    const metrics = options.metrics;
    if (options.token) app.use("/metrics", bearer(options.token));
    app.get(
      "/metrics",
      async (context) =>
        context.body(await metrics.render(await metricsSnapshot(hub)), 200, {
          "content-type": PROMETHEUS_CONTENT_TYPE,
        }),
    );
  }
  if (options.rateLimitPerMinute) {
    const perMinute = options.rateLimitPerMinute;
    const limiter = new RateLimiter({
      capacity: Math.max(10, Math.ceil(perMinute / 6)),
      refillPerSecond: perMinute / 60,
    });
    app.use(
      "/api/*",
      rateLimit(limiter, {
        key: (context) => {
          const path = context.req.path;
          if (path === "/api/health") return undefined;
          return WORKSPACE_PATH.exec(path)?.[1] ?? hub.defaultWorkspace;
        },
      }),
    );
  }

  app.use("/api/*", async function selectWorkspace(context, next) {
    const match = WORKSPACE_PATH.exec(context.req.path);
    let name: string | undefined;
    try {
      name = match ? decodeURIComponent(match[1]) : undefined;
    } catch {
      throw new NotFoundError(`No workspace "${match![1].slice(0, 80)}": the name is not valid`);
    }
    const listing = context.req.path.replace(/\/$/, "") === "/api/workspaces";
    if (!listing) context.set("runtime", await hub.open(name));
    context.set("pathWorkspace", name);
    context.set("openWorkspace", (other: string) => hub.open(other));
    await next();
  });

  const scoped = new Hono<ApiEnv>();
  scoped.route("/pipelines", pipelineRoutes());
  scoped.route("/runs", runRoutes());
  scoped.route("/diff", diffRoutes());
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
  // The dashboard (and its /static assets); with a token its pages need the sign-in cookie.
  app.route("/", pageRoutes(hub, { token: options.token }));
  return app;
}
