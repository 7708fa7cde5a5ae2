/**
 * The API reference at `/api/docs`: Swagger UI (swagger-ui-dist, served from
 * this server, nothing from a network) drawing the OpenAPI document, with
 * "Try it out" against the same server and the bearer token entered under
 * "Authorize". The page runs no inline script: its start-up lives in
 * `/api/docs/start.js`, and a Content-Security-Policy lets the page load
 * scripts, styles and data only from this origin (the validator badge, which
 * would call swagger.io, is off).
 *
 * @example
 * ```ts
 * app.route("/api/docs", apiReferenceRoutes({ documentUrl: "/api/openapi.json" }));
 * ```
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Hono } from "hono";

/** Options of {@link apiReferenceRoutes}. */
export interface ApiReferenceOptions {
  /** Where the page fetches the OpenAPI document. */
  documentUrl: string;
  /** Page title (default "API reference"). */
  title?: string;
}

/** The policy the reference page is sent with. */
export const API_REFERENCE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes on the elements it draws.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const ASSETS: Record<string, { file: string; type: string }> = {
  "swagger-ui-bundle.js": {
    file: "swagger-ui-dist/swagger-ui-bundle.js",
    type: "text/javascript; charset=utf-8",
  },
  "swagger-ui.css": { file: "swagger-ui-dist/swagger-ui.css", type: "text/css; charset=utf-8" },
};

const cache = new Map<string, Uint8Array>();

function asset(name: string): Uint8Array {
  let body = cache.get(name);
  if (!body) {
    const resolve = createRequire(import.meta.url).resolve;
    body = readFileSync(resolve(ASSETS[name].file));
    cache.set(name, body);
  }
  return body;
}

/** The page, its start-up script and Swagger UI's files. */
export function apiReferenceRoutes(options: ApiReferenceOptions): Hono {
  const app = new Hono();
  const title = escapeHtml(options.title ?? "API reference");
  const start = startScript(options.documentUrl);
  app.get("/", (context) => {
    context.header("content-security-policy", API_REFERENCE_POLICY);
    return context.html(page(title));
  });
  app.get("/start.js", (context) => {
    context.header("content-type", "text/javascript; charset=utf-8");
    context.header("cache-control", "no-cache");
    return context.body(start);
  });
  app.get("/:asset{swagger-ui-bundle\\.js|swagger-ui\\.css}", (context) => {
    const name = context.req.param("asset");
    context.header("content-type", ASSETS[name].type);
    context.header("cache-control", "public, max-age=86400");
    return context.body(asset(name) as Uint8Array<ArrayBuffer>);
  });
  return app;
}

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="docs" data-ready="false"></div>
<noscript>This page needs JavaScript; the raw document is at /api/openapi.json.</noscript>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`;
}

function startScript(documentUrl: string): string {
  return `"use strict";
(function () {
  var root = document.getElementById("docs");
  SwaggerUIBundle({
    url: ${JSON.stringify(documentUrl)},
    dom_id: "#docs",
    deepLinking: true,
    validatorUrl: null,
    withCredentials: true,
    onComplete: function () { root.setAttribute("data-ready", "true"); },
  });
})();
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
