import assert from "node:assert/strict";
import { Hono } from "hono";
import { hostGuard, loopbackHosts } from "./host_guard.ts";

function app(): Hono {
  const app = new Hono();
  app.use(hostGuard({ hosts: loopbackHosts(8484), origins: ["https://ui.example"] }));
  app.get("/", (context) => context.text("ok"));
  app.post("/", (context) => context.text("changed"));
  return app;
}

Deno.test("hostGuard refuses foreign hosts with 421 and foreign origins with 403", async () => {
  const served = app();
  const at = (headers: Record<string, string>, method = "GET") =>
    served.request("http://localhost:8484/", { method, headers });
  assert.equal((await at({ host: "localhost:8484" })).status, 200);
  assert.equal((await at({ host: "[::1]:8484" })).status, 200);
  assert.equal((await at({ host: "attacker.example:8484" })).status, 421);
  assert.equal((await at({ host: "localhost:9999" })).status, 421);
  assert.equal(
    (await at({ host: "localhost:8484", origin: "http://evil.example" }, "POST")).status,
    403,
  );
  assert.equal((await at({ host: "localhost:8484", origin: "http://evil.example" })).status, 403);
  assert.equal(
    (await at({ host: "localhost:8484", origin: "http://localhost:8484" }, "POST")).status,
    200,
  );
  assert.equal(
    (await at({ host: "localhost:8484", origin: "https://ui.example" }, "POST")).status,
    200,
  );
  assert.equal((await at({ host: "localhost:8484", origin: "null" }, "POST")).status, 403);
});
