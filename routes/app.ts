/**
 * The HTTP application: REST under `/api`, errors as problem+json, a request
 * size limit, and a bearer token when one is configured (required by
 * `main.ts` for any bind beyond loopback). Built by a factory so tests drive
 * it in-process with `app.request(…)`.
 */
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { EventStore } from "../engine/events/event_store.ts";
import type { Library } from "../storage/library.ts";
import { pipelineRoutes } from "./api/pipelines.ts";
import { runRoutes } from "./api/runs.ts";
import { problemResponse } from "./problem.ts";

/** What the application serves. */
export interface AppOptions {
  workspace: string;
  pipelines: Library;
  /** Style primers that pipelines name, checked like the CLI checks them. */
  styles: Library;
  /** The workspace's event store; run routes answer 503 without one. */
  store: EventStore;
  /** Bearer token; when set every /api route except /api/health requires it. */
  token?: string;
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  version: string;
}

/** Creates the application. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.onError((error, context) => problemResponse(context, error));
  app.notFound((context) =>
    problemResponse(
      context,
      new HTTPException(404, { message: `No route for ${context.req.path}` }),
    )
  );
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new HTTPException(413, {
          message: `The request body is larger than ${options.maxBodyBytes ?? 1024 * 1024} bytes`,
        });
      },
    }),
  );
  app.get(
    "/api/health",
    (context) =>
      context.json({ status: "ok", version: options.version, workspace: options.workspace }),
  );
  if (options.token) {
    const auth = bearerAuth({ token: options.token });
    app.use("/api/*", async function requireToken(context, next) {
      if (context.req.path === "/api/health") return await next();
      return await auth(context, next);
    });
  }
  app.route("/api/pipelines", pipelineRoutes(options.pipelines, options.styles));
  app.route("/api/runs", runRoutes(options.store));
  return app;
}
