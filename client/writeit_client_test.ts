/**
 * WriteItClient against a local HTTP server (port 0) that records each
 * request and answers like the WriteIt API: URL building and workspace
 * scoping, the bearer header, bodies, unwrapping, error mapping, network
 * failures and the optional 429/503 retry.
 */
import assert from "node:assert/strict";
import { WriteItApiError, WriteItNetworkError } from "./api_error.ts";
import { WriteItClient } from "./writeit_client.ts";

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
  body: unknown;
}

type Answer = (seen: Seen) => Response;

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

const problem = (status: number, code: string, detail: string, extra = {}) =>
  new Response(
    JSON.stringify({
      type: `https://writeit.dev/problems/${code}`,
      title: code,
      status,
      detail,
      code,
    }),
    { status, headers: { "content-type": "application/problem+json", ...extra } },
  );

async function withServer(
  answer: Answer,
  body: (baseUrl: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const entry: Seen = {
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      body: text ? JSON.parse(text) : undefined,
    };
    seen.push(entry);
    return answer(entry);
  });
  try {
    await body(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

const RUN = { runId: "r1", version: 3, status: "running" };

Deno.test("WriteItClient scopes workspace routes under /api/workspaces/{w} and leaves the rest at /api", async () => {
  await withServer((seen) => {
    if (seen.path.endsWith("/runs")) return json({ runs: [], total: 0, nextOffset: null });
    if (seen.path === "/api/health") return json({ status: "ok", version: "1", workspace: "d" });
    if (seen.path.endsWith("/workspaces")) {
      return json({ workspaces: [{ name: "d", isDefault: true }] });
    }
    return json({ pipelines: [] });
  }, async (baseUrl, seen) => {
    const client = new WriteItClient({ baseUrl });
    await client.listRuns({ status: "completed", limit: 5 });
    const scoped = client.withWorkspace("team a");
    await scoped.listRuns();
    await scoped.listPipelines();
    await scoped.health();
    assert.deepEqual(await scoped.listWorkspaces(), [{ name: "d", isDefault: true }]);
    assert.deepEqual(seen.map((entry) => entry.path), [
      "/api/runs",
      "/api/workspaces/team%20a/runs",
      "/api/workspaces/team%20a/pipelines",
      "/api/health",
      "/api/workspaces",
    ]);
    assert.deepEqual(seen[0].query, { status: "completed", limit: "5" });
    assert.deepEqual(seen[1].query, {});
  });
});

Deno.test("WriteItClient keeps a base URL's path prefix and encodes ids", async () => {
  await withServer(() => json({ run: RUN }), async (baseUrl, seen) => {
    const client = new WriteItClient({ baseUrl: `${baseUrl}/writeit/` });
    await client.getRun("a/b?c", { at: 2 });
    assert.equal(seen[0].path, "/writeit/api/runs/a%2Fb%3Fc");
    assert.deepEqual(seen[0].query, { at: "2" });
  });
});

Deno.test("WriteItClient sends the bearer token and JSON bodies, and unwraps answers", async () => {
  await withServer((seen) => {
    if (seen.path === "/api/runs" && seen.method === "POST") {
      return json({ run: RUN, driving: true }, 202);
    }
    if (seen.path.endsWith("/select")) return json({ run: RUN, driving: false });
    if (seen.path.endsWith("/feedback")) return json({ run: RUN }, 202);
    if (seen.path.endsWith("/branch")) return json({ run: { ...RUN, runId: "child" } }, 201);
    if (seen.path.endsWith("/branches")) return json({ branches: [{ runId: "child" }] });
    if (seen.path.endsWith("/events")) return json({ events: [], lastSequence: 3 });
    if (seen.path.endsWith("/cache/stats")) return json({ stats: { hits: 2, misses: 1 } });
    return json({});
  }, async (baseUrl, seen) => {
    const client = new WriteItClient({ baseUrl, token: "s3cret" });
    const created = await client.createRun({
      pipeline: "quick-article",
      inputs: { topic: "Deno" },
      model: "offline",
      start: true,
      autoSelect: true,
    });
    assert.deepEqual(created, { run: RUN, driving: true });
    assert.deepEqual(await client.select("r1", "outline", 1), { run: RUN, driving: false });
    await client.select("r1", "outline", "resp-7");
    assert.equal((await client.feedback("r1", "draft", "shorter")).driving, true, "202 → driving");
    assert.equal((await client.branch("r1", "draft")).run.runId, "child");
    assert.deepEqual(await client.branches("r1"), [{ runId: "child" }]);
    assert.deepEqual(await client.events("r1", { from: 2 }), { events: [], lastSequence: 3 });
    assert.deepEqual(await client.cacheStats(), { hits: 2, misses: 1 });
    assert.ok(seen.every((entry) => entry.authorization === "Bearer s3cret"));
    assert.equal(seen[0].contentType, "application/json");
    assert.deepEqual(seen[0].body, {
      pipeline: "quick-article",
      inputs: { topic: "Deno" },
      model: "offline",
      start: true,
      autoSelect: true,
    });
    assert.deepEqual(seen[1].body, { stepId: "outline", index: 1 });
    assert.deepEqual(seen[2].body, { stepId: "outline", responseId: "resp-7" });
    assert.deepEqual(seen[3].body, { stepId: "draft", text: "shorter" });
    assert.deepEqual(seen[4].body, { fromStepId: "draft" });
    assert.deepEqual(seen[6].query, { from: "2" });
    assert.equal(seen[7].path, "/api/cache/stats");
  });
});

Deno.test("WriteItClient.exportRun() returns the document text with format and history in the query", async () => {
  await withServer(
    () =>
      new Response("---\ntitle: x\n---\n# Hello\n", {
        headers: { "content-type": "text/markdown" },
      }),
    async (baseUrl, seen) => {
      const client = new WriteItClient({ baseUrl });
      const text = await client.exportRun("r1", { format: "markdown", history: true });
      assert.equal(text, "---\ntitle: x\n---\n# Hello\n");
      assert.deepEqual(seen[0].query, { format: "markdown", history: "true" });
      assert.equal(seen[0].path, "/api/runs/r1/export");
    },
  );
});

Deno.test("WriteItClient throws WriteItApiError with the problem, status and URL on a refusal", async () => {
  await withServer((seen) => {
    if (seen.path.endsWith("/validate")) {
      return new Response(
        JSON.stringify({
          type: "t",
          title: "validation failed",
          status: 422,
          detail: "Pipeline is invalid",
          code: "validation_failed",
          issues: [{ severity: "error", message: "Missing steps", path: "steps" }],
        }),
        { status: 422, headers: { "content-type": "application/problem+json" } },
      );
    }
    if (seen.path.startsWith("/api/runs/")) {
      return problem(404, "not_found", 'Run "zz" was not found');
    }
    return problem(401, "http_401", "Unauthorized");
  }, async (baseUrl) => {
    const client = new WriteItClient({ baseUrl, token: "wrong" });
    const notFound = await client.getRun("zz").catch((error) => error);
    assert.ok(notFound instanceof WriteItApiError);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.code, "not_found");
    assert.equal(notFound.problem.detail, 'Run "zz" was not found');
    assert.match(
      notFound.message,
      /Run "zz" was not found \(404 from http:\/\/127\.0\.0\.1:\d+\/api\/runs\/zz\)/,
    );
    const invalid = await client.validatePipeline("x: 1").catch((error) => error);
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.problem.issues, [
      { severity: "error", message: "Missing steps", path: "steps" },
    ]);
    const unauthorized = await client.listRuns().catch((error) => error);
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.message, /--token or WRITEIT_API_TOKEN/);
  });
});

Deno.test("WriteItClient turns a non-problem error body into a problem", async () => {
  await withServer(
    () => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }),
    async (baseUrl) => {
      const error = await new WriteItClient({ baseUrl }).health().catch((error) => error);
      assert.ok(error instanceof WriteItApiError);
      assert.equal(error.status, 502);
      assert.equal(error.code, "http_502");
      assert.equal(error.problem.detail, "<html>Bad gateway</html>");
    },
  );
});

Deno.test("WriteItClient names the URL when the server cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there any more
  const client = new WriteItClient({ baseUrl: `http://127.0.0.1:${port}` });
  const error = await client.listRuns().catch((error) => error);
  assert.ok(error instanceof WriteItNetworkError);
  assert.equal(error.code, "network_error");
  assert.match(
    error.message,
    new RegExp(`Cannot reach the WriteIt server at http://127\\.0\\.0\\.1:${port}/api/runs`),
  );
});

Deno.test("WriteItClient rejects a malformed base URL up front", () => {
  assert.throws(() => new WriteItClient({ baseUrl: "localhost:8080" }), /must start with http/);
  assert.throws(() => new WriteItClient({ baseUrl: "not a url" }), /is not a URL/);
});

Deno.test("WriteItClient does not retry a 429 by default and reports Retry-After", async () => {
  await withServer(
    () => problem(429, "rate_limited", "Too many requests", { "retry-after": "7" }),
    async (baseUrl, seen) => {
      const error = await new WriteItClient({ baseUrl }).listRuns().catch((error) => error);
      assert.ok(error instanceof WriteItApiError);
      assert.equal(error.status, 429);
      assert.equal(error.retryAfter, 7);
      assert.match(error.message, /retry after 7 s/);
      assert.equal(seen.length, 1);
    },
  );
});

Deno.test("WriteItClient with retry tries 429 and 503 again after Retry-After, up to `attempts`", async () => {
  let calls = 0;
  await withServer(() => {
    calls++;
    if (calls === 1) return problem(429, "rate_limited", "Slow down", { "retry-after": "0" });
    if (calls === 2) return problem(503, "unavailable", "Draining", { "retry-after": "0" });
    return json({ runs: [], total: 0, nextOffset: null });
  }, async (baseUrl, seen) => {
    const client = new WriteItClient({ baseUrl, retry: { attempts: 2 } });
    assert.deepEqual(await client.listRuns(), { runs: [], total: 0, nextOffset: null });
    assert.equal(seen.length, 3);
  });
  calls = 0;
  await withServer(
    () => problem(429, "rate_limited", "Slow down", { "retry-after": "0" }),
    async (baseUrl, seen) => {
      const client = new WriteItClient({ baseUrl, retry: { attempts: 1 } });
      const error = await client.listRuns().catch((error) => error);
      assert.equal(error.status, 429);
      assert.equal(seen.length, 2, "one try plus one retry");
    },
  );
});

Deno.test("WriteItClient with retry gives up at once when Retry-After exceeds maxDelayMs, and never retries a 404", async () => {
  await withServer(
    (seen) =>
      seen.path.endsWith("/runs")
        ? problem(429, "rate_limited", "Slow down", { "retry-after": "120" })
        : problem(404, "not_found", "No such run"),
    async (baseUrl, seen) => {
      const client = new WriteItClient({ baseUrl, retry: { attempts: 3, maxDelayMs: 1000 } });
      assert.equal((await client.listRuns().catch((error) => error)).retryAfter, 120);
      assert.equal((await client.getRun("x").catch((error) => error)).status, 404);
      assert.equal(seen.length, 2);
    },
  );
});
