import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { frameGuard } from "./frame_guard.ts";

Deno.test("frameGuard() forbids framing pages, JSON and errors alike", async () => {
  const app = new Hono();
  app.use(frameGuard());
  app.get("/page", (context) => context.html("<p>page</p>"));
  app.get("/json", (context) => context.json({ ok: true }));
  app.get("/refused", () => {
    throw new HTTPException(403, { message: "no" });
  });
  for (const path of ["/page", "/json", "/refused", "/missing"]) {
    const response = await app.request(path);
    await response.body?.cancel();
    assert.equal(response.headers.get("x-frame-options"), "DENY", path);
    assert.equal(response.headers.get("content-security-policy"), "frame-ancestors 'none'", path);
  }
});
