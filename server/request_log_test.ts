import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger, redactSecrets, requestLog, workspaceOfRequest } from "./request_log.ts";

const fixedTime = new Date("2025-03-04T05:06:07.890Z");

function capture() {
  const lines: string[] = [];
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, records, sink: (line: string) => lines.push(line) };
}

Deno.test("createLogger() writes one JSON object per line with time, level and message", () => {
  const { lines, records, sink } = capture();
  const logger = createLogger(sink, { now: () => fixedTime, fields: { service: "writeit" } });
  logger.info("Server listening", { port: 8000, level: "forged", time: "forged" });
  logger.warn("Slow request");
  logger.child({ workspace: "docs" }).error("Run failed", { runId: "r1" });
  assert.equal(lines.length, 3);
  assert.ok(lines.every((line) => !line.includes("\n")));
  assert.deepEqual(records(), [
    {
      time: "2025-03-04T05:06:07.890Z",
      level: "info",
      message: "Server listening",
      service: "writeit",
      port: 8000,
    },
    {
      time: "2025-03-04T05:06:07.890Z",
      level: "warn",
      message: "Slow request",
      service: "writeit",
    },
    {
      time: "2025-03-04T05:06:07.890Z",
      level: "error",
      message: "Run failed",
      service: "writeit",
      workspace: "docs",
      runId: "r1",
    },
  ]);
});

Deno.test("createLogger() drops lines below its level", () => {
  const { records, sink } = capture();
  const logger = createLogger(sink, { level: "warn" });
  logger.info("hidden");
  logger.warn("shown");
  logger.error("shown too");
  assert.deepEqual(records().map((record) => record.message), ["shown", "shown too"]);
});

Deno.test("createLogger() redacts keys, serializes errors and survives cycles", () => {
  const { lines, records, sink } = capture();
  const logger = createLogger(sink);
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const error = new Error("Provider said: invalid key sk-proj-abcdefghijklmnop", {
    cause: new Error("Authorization: Bearer abc.def-ghi"),
  });
  logger.error("Call with sk-ant-api03-secretsecret failed", {
    error,
    nested: { list: ["api_key=hunter2hunter2", 10n] },
    cyclic,
  });
  const text = lines.join("\n");
  for (const secret of ["abcdefghijklmnop", "secretsecret", "abc.def-ghi", "hunter2"]) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  const [record] = records();
  assert.equal(record.message, "Call with sk-[redacted] failed");
  const logged = record.error as Record<string, unknown>;
  assert.equal(logged.name, "Error");
  assert.equal(logged.message, "Provider said: invalid key sk-[redacted]");
  assert.equal(typeof logged.stack, "string");
  assert.deepEqual((record.nested as { list: unknown[] }).list, ["api_key=[redacted]", "10"]);
  assert.equal((record.cyclic as Record<string, unknown>).self, "[circular]");
});

Deno.test("createLogger() never throws when the sink does", () => {
  const logger = createLogger(() => {
    throw new Error("disk full");
  });
  logger.info("still fine");
});

Deno.test("redactSecrets() removes keys and tokens and keeps ordinary text", () => {
  assert.equal(
    redactSecrets("Authorization: Bearer eyJhbGci.x_y-z"),
    "Authorization: Bearer [redacted]",
  );
  assert.equal(redactSecrets("key sk-abcdefghijklmnopqrstuvwx"), "key sk-[redacted]");
  assert.equal(
    redactSecrets("protocols writeit, bearer.s3cr3t-t0ken"),
    "protocols writeit, bearer.[redacted]",
  );
  assert.equal(redactSecrets("AIzaSyA1234567890abcdefghijklmnop"), "[redacted]");
  assert.equal(redactSecrets('{"token": "abc123"}'), '{"token": "[redacted]"}');
  assert.equal(redactSecrets("/login?token=abc&x=1"), "/login?token=[redacted]&x=1");
  assert.equal(redactSecrets("task-runner sketch ask-me"), "task-runner sketch ask-me");
  assert.equal(redactSecrets("Run r-12 completed in 3 steps"), "Run r-12 completed in 3 steps");
});

Deno.test("workspaceOfRequest() reads the path or the workspace query", () => {
  assert.equal(workspaceOfRequest("/api/workspaces/docs/runs/1"), "docs");
  assert.equal(workspaceOfRequest("/api/workspaces/my%2Dspace"), "my-space");
  assert.equal(workspaceOfRequest("/ws/r1", "blog"), "blog");
  assert.equal(workspaceOfRequest("/api/runs/1"), undefined);
  assert.equal(workspaceOfRequest("/api/workspaces/%E0%A4%A"), undefined);
  assert.equal(workspaceOfRequest("/ws/r1", "a b"), undefined);
});

function appWith(logs: ReturnType<typeof capture>) {
  let clock = 0;
  let ids = 0;
  const app = new Hono();
  app.onError((_error, context) => context.json({ failed: true }, 500));
  app.use(
    requestLog(createLogger(logs.sink, { now: () => fixedTime }), {
      now: () => (clock += 2.5),
      generateId: () => `generated-${++ids}`,
      skip: (path) => path === "/health",
    }),
  );
  app.get("/health", (context) => context.json({ id: context.get("requestId") }));
  app.get(
    "/api/workspaces/:workspace/runs/:id",
    (context) => context.json({ id: context.get("requestId") }),
  );
  app.post("/api/runs", () => {
    throw new Error("store closed; key sk-live-0123456789abcdef");
  });
  app.get("/raw", () => new Response("raw"));
  return app;
}

Deno.test("requestLog() assigns ids, logs one line per request and never headers or queries", async () => {
  const logs = capture();
  const app = appWith(logs);
  const response = await app.request("/api/workspaces/docs/runs/r-42?token=qs-secret-value", {
    headers: { "x-request-id": "client.id-1_A", authorization: "Bearer header-secret-value" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-request-id"), "client.id-1_A");
  assert.deepEqual(await response.json(), { id: "client.id-1_A" });
  assert.deepEqual(logs.records(), [{
    time: "2025-03-04T05:06:07.890Z",
    level: "info",
    message: "Request handled",
    requestId: "client.id-1_A",
    method: "GET",
    route: "/api/workspaces/:workspace/runs/:id",
    path: "/api/workspaces/docs/runs/r-42",
    status: 200,
    durationMs: 2.5,
    workspace: "docs",
  }]);
  assert.ok(!logs.lines.join("").includes("secret-value"));
});

Deno.test("requestLog() replaces an unsafe incoming request id", async () => {
  for (const hostile of ["has space", "x".repeat(129), "a/b", "x;y", "<script>", "é", ""]) {
    const logs = capture();
    const response = await appWith(logs).request("/raw", { headers: { "x-request-id": hostile } });
    assert.equal(response.headers.get("x-request-id"), "generated-1", JSON.stringify(hostile));
    assert.equal(logs.records()[0].requestId, "generated-1");
  }
  const logs = capture();
  const response = await appWith(logs).request("/raw", {
    headers: { "x-request-id": "x".repeat(128) },
  });
  assert.equal(response.headers.get("x-request-id"), "x".repeat(128));
});

Deno.test("requestLog() logs failures as errors, redacted, and refusals as warnings", async () => {
  const logs = capture();
  const app = appWith(logs);
  assert.equal((await app.request("/api/runs", { method: "POST" })).status, 500);
  assert.equal((await app.request("/nope")).status, 404);
  const health = await app.request("/health");
  assert.equal(health.headers.get("x-request-id"), "generated-3");
  const [failure, refusal, ...rest] = logs.records();
  assert.equal(rest.length, 0, "skipped paths are not logged");
  assert.equal(failure.level, "error");
  assert.equal(failure.route, "/api/runs");
  assert.equal(failure.status, 500);
  const error = failure.error as Record<string, unknown>;
  assert.equal(error.message, "store closed; key sk-[redacted]");
  assert.equal(refusal.level, "warn");
  assert.equal(refusal.status, 404);
  assert.equal(refusal.route, "unmatched");
  assert.ok(!logs.lines.join("").includes("0123456789abcdef"));
});
